package ddfm

import (
	"fmt"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/metrics"
)

// TableMetrics are the columns of DDFM's tables, in order. SSIM there is
// SSIM(F, ir) + SSIM(F, vis) and Q_ABF_qabf is Q^{AB/F}.
var TableMetrics = []string{"EN", "SD", "MI", "VIF", "Q_ABF_qabf", "SSIM"}

// Metrics evaluates a fusion of [ir, vis] with TableMetrics through the
// metrics registry; SSIM is computed against each source as reference and
// summed, as infrared-visible evaluations do.
func Metrics(sources []*data.Image, fused *data.Image) (map[string]float64, error) {
	if len(sources) != 2 {
		return nil, fmt.Errorf("ddfm metrics: need 2 sources, got %d", len(sources))
	}
	out, err := metrics.Evaluate(TableMetrics[:5], metrics.Inputs{Sources: sources, Fused: fused})
	if err != nil {
		return nil, fmt.Errorf("ddfm metrics: %w", err)
	}
	out["SSIM"] = 0
	for _, ref := range sources {
		s, err := metrics.Evaluate([]string{"SSIM"}, metrics.Inputs{Sources: sources, Fused: fused, Reference: ref})
		if err != nil {
			return nil, fmt.Errorf("ddfm metrics: %w", err)
		}
		out["SSIM"] += s["SSIM"]
	}
	return out, nil
}
