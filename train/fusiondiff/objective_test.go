package fusiondiff

import (
	"math"
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	netfd "github.com/mfif/mfif/nets/fusiondiff"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/diffusion"
)

// TestTargetMatchesFormula checks the tensor target of every objective on a
// two-sample batch against the definitions written out per element.
func TestTargetMatchesFormula(t *testing.T) {
	s, err := diffusion.Cosine(2000, 0.999)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3 * 2 * 2 // per sample: 3 planes of 2x2
	x0 := make([]float32, 2*n)
	eps := make([]float32, 2*n)
	for i := range x0 {
		x0[i] = float32(math.Sin(float64(i))) * 0.9
		eps[i] = float32(math.Cos(float64(i)*1.3)) * 1.5
	}
	steps := []int64{17, 1500}
	x0T := ts.MustOfSlice(x0).MustView([]int64{2, 3, 2, 2}, true)
	defer x0T.MustDrop()
	epsT := ts.MustOfSlice(eps).MustView([]int64{2, 3, 2, 2}, true)
	defer epsT.MustDrop()
	sc := backend.NewScope()
	defer sc.Close()
	for _, o := range []diffusion.Objective{diffusion.ObjectiveEps, diffusion.ObjectiveX0, diffusion.ObjectiveV} {
		tgt, err := target(sc, s, o, x0T, epsT, steps)
		if err != nil {
			t.Fatal(err)
		}
		got := tgt.Float64Values()
		if len(got) != 2*n {
			t.Fatalf("%s: %d values", o, len(got))
		}
		for i, g := range got {
			ab := s.AlphaBars[steps[i/n]]
			want := float64(eps[i])
			switch o {
			case diffusion.ObjectiveX0:
				want = float64(x0[i])
			case diffusion.ObjectiveV:
				want = math.Sqrt(ab)*float64(eps[i]) - math.Sqrt(1-ab)*float64(x0[i])
			}
			if math.Abs(g-want) > 1e-6 {
				t.Errorf("%s: target[%d] = %v, want %v", o, i, g, want)
			}
		}
	}
	if _, err := target(sc, s, "score", x0T, epsT, steps); err == nil {
		t.Error("unknown objective accepted")
	}
}

func TestObjectiveConfig(t *testing.T) {
	c, err := LoadConfig("fusiondiff", nil)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := c.Diffusion.ParsedObjective(); err != nil || o != diffusion.ObjectiveEps {
		t.Errorf("omitted objective = %q, %v; want eps", o, err)
	}
	for _, o := range []string{"eps", "x0", "v"} {
		c, err := LoadConfig("fusiondiff", map[string]any{"diffusion.objective": o})
		if err != nil {
			t.Fatalf("%s: %v", o, err)
		}
		doc, _ := c.YAML()
		back, err := ParseConfig(doc)
		if err != nil || back.Diffusion.Objective != o {
			t.Errorf("%s: round trip gave %q, %v", o, back.Diffusion.Objective, err)
		}
	}
	_, err = LoadConfig("fusiondiff", map[string]any{"diffusion.objective": "score"})
	if err == nil || !strings.Contains(err.Error(), "diffusion.objective") {
		t.Errorf("unknown objective: err = %v", err)
	}
}

func TestSubtractBase(t *testing.T) {
	// Two samples of one pixel (n = 1): cond holds S1 (3 values) then S2.
	cond := []float32{
		0.2, 0.4, -1, 0, 0.2, 1, // sample 0: S1, S2
		1, -1, 0.5, -1, 1, 0.5, // sample 1
	}
	gt := []float32{0.3, 0.3, 0, 0.5, 0, 0.25}
	subtractBase(gt, cond, 1, netfd.DiffusionConfig{Residual: 2})
	want := []float32{0.4, 0, 0, 1, 0, -0.5}
	for i := range want {
		if math.Abs(float64(gt[i]-want[i])) > 1e-7 {
			t.Errorf("residual[%d] = %v, want %v", i, gt[i], want[i])
		}
	}
	if got := netfd.MeanBase([]float32{1, -1}, []float32{0, 0.5}); got[0] != 0.5 || got[1] != -0.25 {
		t.Errorf("MeanBase = %v", got)
	}
}
