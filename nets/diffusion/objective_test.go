package diffusion

import (
	"math"
	"strings"
	"testing"
)

// perfect returns a predictor of objective o that knows the clean signal
// x0; its outputs are written from the definitions, independently of
// TargetCoeffs: eps = (x_t - sqrt(abar) x0)/sqrt(1-abar), v = sqrt(abar) eps
// - sqrt(1-abar) x0.
func perfect(s *Schedule, o Objective, x0 []float32) Predictor {
	return func(x []float32, t int) ([]float32, error) {
		ab := s.AlphaBars[t]
		out := make([]float32, len(x))
		for i := range x {
			eps := (float64(x[i]) - math.Sqrt(ab)*float64(x0[i])) / math.Sqrt(1-ab)
			switch o {
			case ObjectiveX0:
				out[i] = x0[i]
			case ObjectiveV:
				out[i] = float32(math.Sqrt(ab)*eps - math.Sqrt(1-ab)*float64(x0[i]))
			default:
				out[i] = float32(eps)
			}
		}
		return out, nil
	}
}

func TestPerfectObjectivePredictorsRecoverX0(t *testing.T) {
	s := fusionSchedule(t)
	x0 := testImage(48)
	xT := GaussianNoise(len(x0), 11)
	for _, o := range []Objective{ObjectiveEps, ObjectiveX0, ObjectiveV} {
		pred, err := WrapPredictor(s, o, perfect(s, o, x0))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			k    int
		}{{"fusiondiff", 0}, {"fusiondiff", 50}, {"fusiondiff", 20}, {"fusiondiff", 1}, {"ddim", 250}, {"ddim", 20}, {"ddim", 3}, {"ddim", 1}} {
			smp, err := NewSampler(c.name, s, c.k)
			if err != nil {
				t.Fatal(err)
			}
			got, err := smp.Sample(xT, pred, nil)
			if err != nil {
				t.Fatalf("%s %s/%d: %v", o, c.name, c.k, err)
			}
			// As for eps: a single step amplifies float32 rounding
			// by 1/sqrt(abar) of the noisiest timestep.
			tol := 1e-5
			if smp.Steps() == 1 {
				tol = 1e-6 / math.Sqrt(s.AlphaBars[s.T-1])
			}
			for i := range x0 {
				if d := math.Abs(float64(got[i] - x0[i])); d > tol {
					t.Fatalf("%s %s/%d: x0[%d] = %v, want %v", o, c.name, c.k, i, got[i], x0[i])
				}
			}
		}
	}
}

func TestTargetAndEpsFromInvert(t *testing.T) {
	s := fusionSchedule(t)
	x0 := testImage(16)
	eps := GaussianNoise(16, 3)
	for _, o := range []Objective{ObjectiveEps, ObjectiveX0, ObjectiveV} {
		for _, tt := range []int{0, 1, 700, 1999} {
			xt := make([]float32, 16)
			if err := s.QSample(x0, eps, tt, xt); err != nil {
				t.Fatal(err)
			}
			target := make([]float32, 16)
			if err := s.Target(o, x0, eps, tt, target); err != nil {
				t.Fatal(err)
			}
			want, _ := perfect(s, o, x0)(xt, tt)
			back := make([]float32, 16)
			if err := s.EpsFrom(o, xt, target, tt, back); err != nil {
				t.Fatal(err)
			}
			for i := range target {
				// The oracle sees float32 x_t, so its eps carries
				// x_t's rounding divided by sqrt(1-abar).
				tol := 1e-6 / math.Sqrt(1-s.AlphaBars[tt])
				if d := math.Abs(float64(target[i] - want[i])); d > tol {
					t.Errorf("%s t=%d: target[%d] = %v, want %v", o, tt, i, target[i], want[i])
				}
				if d := math.Abs(float64(back[i] - eps[i])); d > tol {
					t.Errorf("%s t=%d: EpsFrom[%d] = %v, want %v", o, tt, i, back[i], eps[i])
				}
			}
		}
	}
}

func TestObjectiveErrors(t *testing.T) {
	s := fusionSchedule(t)
	for name, want := range map[string]Objective{"": ObjectiveEps, "eps": ObjectiveEps, "x0": ObjectiveX0, "v": ObjectiveV} {
		if got, err := ParseObjective(name); err != nil || got != want {
			t.Errorf("ParseObjective(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	buf := make([]float32, 2)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"parse", func() error { _, err := ParseObjective("noise"); return err }(), `unknown objective "noise"`},
		{"epsfrom", s.EpsFrom("score", buf, buf, 3, buf), "unknown objective"},
		{"epsfrom-t", s.EpsFrom(ObjectiveV, buf, buf, 2000, buf), "timestep 2000"},
		{"epsfrom-len", s.EpsFrom(ObjectiveX0, buf, buf[:1], 3, buf), "lengths"},
		{"target", s.Target("score", buf, buf, 3, buf), "unknown objective"},
		{"target-len", s.Target(ObjectiveV, buf, buf[:1], 3, buf), "lengths"},
		{"wrap", func() error { _, err := WrapPredictor(s, "score", nil); return err }(), "unknown objective"},
		{"nan", func() error {
			p, _ := WrapPredictor(s, ObjectiveV, func(x []float32, t int) ([]float32, error) {
				return []float32{float32(math.NaN()), 0}, nil
			})
			_, err := p(buf, 5)
			return err
		}(), "non-finite"},
		{"short", func() error {
			p, _ := WrapPredictor(s, ObjectiveX0, func(x []float32, t int) ([]float32, error) { return nil, nil })
			_, err := p(buf, 5)
			return err
		}(), "returned 0 values"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want mention of %q", c.name, c.err, c.want)
		}
	}
}
