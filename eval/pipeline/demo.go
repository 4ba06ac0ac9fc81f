package pipeline

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

// DefaultMethods returns the registered methods that build with default
// options (the classical baselines; methods that need a model checkpoint or
// other required options fail to build and are left out), in name order.
// Each method built for the check is closed again.
func DefaultMethods() []string {
	var out []string
	for _, n := range eval.Names() {
		if m, err := eval.New(n, nil); err == nil {
			_ = eval.Close(m)
			out = append(out, n)
		}
	}
	return out
}

// ReferenceMetrics returns the registered full-reference metrics among
// PSNR and SSIM (what a synthetic set with ground truth adds to the primary
// six), in name order.
func ReferenceMetrics() []string {
	var out []string
	for _, n := range metrics.ClassicNames() {
		m, err := metrics.Lookup(n)
		if err != nil || !m.NeedsReference {
			continue
		}
		if u := strings.ToUpper(n); strings.Contains(u, "PSNR") || strings.Contains(u, "SSIM") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// FuseAll fuses the pairs with each method (default options) into
// root/<method>/ and returns the folders as evaluation sources.
func FuseAll(pairs []data.Pair, methods []string, root string, o Options) ([]Source, error) {
	var out []Source
	for _, m := range methods {
		dir := filepath.Join(root, m)
		if _, err := FuseFolder(pairs, m, nil, dir, o); err != nil {
			return nil, err
		}
		out = append(out, Source{Method: m, Dir: dir})
	}
	return out, nil
}

// Timing is the measured cost of one operation.
type Timing struct {
	Name  string
	PerOp time.Duration
	N     int
}

// TimeOp runs f until at least minTime has passed (and at least once) and
// returns the mean time per call; the first error stops it (the returned
// Timing then carries only the name).
func TimeOp(name string, minTime time.Duration, f func() error) (Timing, error) {
	// One untimed run first: plans, tables and buffer pools are built on
	// first use and would otherwise dominate a short measurement.
	if err := f(); err != nil {
		return Timing{Name: name}, fmt.Errorf("%s: %w", name, err)
	}
	start := time.Now()
	n := 0
	for {
		if err := f(); err != nil {
			return Timing{Name: name}, fmt.Errorf("%s: %w", name, err)
		}
		n++
		if el := time.Since(start); el >= minTime {
			return Timing{Name: name, PerOp: el / time.Duration(n), N: n}, nil
		}
	}
}

// BenchScene returns a synthetic colour scene of the given size for timing:
// two sources, their rounded mean as the image under test (so that it
// differs from the reference and every metric is finite) and the
// all-in-focus truth as reference.
func BenchScene(size int, seed int64) (metrics.Inputs, error) {
	sc, err := data.Synthesize(data.SynthConfig{W: size, H: size}, seed)
	if err != nil {
		return metrics.Inputs{}, err
	}
	fused := sc.Sources[0].Clone()
	for c, p := range fused.Planes {
		for i := range p {
			p[i] = data.RoundSat255((p[i] + sc.Sources[1].Planes[c][i]) / 2)
		}
	}
	return metrics.Inputs{Sources: sc.Sources, Fused: fused, Reference: sc.Truth}, nil
}

// QualitativeFigure writes report.Qualitative for one pair: its sources,
// every source's fused image, and each fused image minus source
// diffAgainst.
func QualitativeFigure(path string, p data.Pair, sources []Source, diffAgainst int, opt report.GridOptions) error {
	srcs, _, err := data.LoadPair(p)
	if err != nil {
		return err
	}
	var names []string
	var fused []*data.Image
	for _, s := range sources {
		fp, err := findFused(s, p.Name)
		if err != nil {
			return errf(p.Name, err)
		}
		m, err := data.ReadImage(fp)
		if err != nil {
			return errf(p.Name, err)
		}
		names = append(names, s.Method)
		fused = append(fused, m)
	}
	return report.Qualitative(path, srcs, names, fused, diffAgainst, opt)
}
