package siamese

import (
	"math"
	"testing"

	"github.com/mfif/mfif/eval"
	net "github.com/mfif/mfif/nets/siamese"
)

// The estimate gives the slopes measured for the siamese-cpu and paper
// networks (docs/errors.md) and follows the loaded network.
func TestPeakMBFollowsTheNetwork(t *testing.T) {
	cpu := net.Config{Name: "siamese", Width: 8, Levels: 3, ResBlocks: 1, DFEBBlocks: 1, GCBDepth: 5, GCBWidth: 8,
		CGAHidden: 16, CBAMReduction: 4, Modules: net.AllModules}
	paper := net.PaperConfig()
	for _, tc := range []struct {
		cfg  net.Config
		want float64 // measured MB per megapixel
	}{{cpu, 642}, {paper, 1388}} {
		m, err := net.NewModel(tc.cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := (&Method{model: m}).PeakMB(2) / 2
		m.Close()
		if math.Abs(got-tc.want) > 0.01*tc.want {
			t.Errorf("width %d: %.0f MB per megapixel, measured %.0f", tc.cfg.Width, got, tc.want)
		}
	}
	var _ eval.PeakMemory = (*Method)(nil)
}
