package diffusion

import (
	"math"
	"testing"
)

// On the unrespaced chain the jump posterior is the schedule's own DDPM
// posterior, with variance beta_t (1 - abar_{t-1}) / (1 - abar_t).
func TestPosteriorMatchesSchedule(t *testing.T) {
	s := fusionSchedule(t)
	for _, tt := range []int{1, 10, 500, 1999} {
		c0, ct, sigma := s.Posterior(tt, tt-1)
		w0, wt := s.PosteriorCoeffs(tt)
		ws := math.Sqrt(s.Betas[tt] * (1 - s.AlphaBars[tt-1]) / (1 - s.AlphaBars[tt]))
		if math.Abs(c0-w0) > 1e-12 || math.Abs(ct-wt) > 1e-12 || math.Abs(sigma-ws) > 1e-12 {
			t.Errorf("t=%d: (%g, %g, %g), schedule (%g, %g, %g)", tt, c0, ct, sigma, w0, wt, ws)
		}
	}
	if c0, ct, sigma := s.Posterior(7, -1); math.Abs(c0-1) > 1e-12 || ct != 0 || sigma != 0 {
		t.Errorf("jump to the end: (%g, %g, %g), want x0 exactly", c0, ct, sigma)
	}
}

// The loop hands the rule the corrected x0 and, for the elements a
// corrector changed, the noise consistent with it; elsewhere the
// predictor's own noise.
func TestLoopRederivesCorrectedNoise(t *testing.T) {
	s := fusionSchedule(t)
	xt := []float32{0.3, -0.7, 2.5}
	eps := []float32{0.1, 0.2, -0.4}
	var gotX0, gotEps []float64
	l := &Loop{S: s, Rule: func(_ *Schedule, _, _ int, _ []float32, x0, e []float64, out []float32) {
		gotX0, gotEps = append([]float64(nil), x0...), append([]float64(nil), e...)
		copy(out, []float32{1, 2, 3})
	}, Correct: []Corrector{func(_ int, _ []float32, x0 []float64) error {
		x0[2] = 0.5
		return nil
	}}}
	out := make([]float32, 3)
	if err := l.Step(xt, eps, 1000, 900, out); err != nil {
		t.Fatal(err)
	}
	sa, sb := s.QSampleCoeffs(1000)
	for i := range 2 {
		if gotEps[i] != float64(eps[i]) {
			t.Errorf("element %d: noise %g, predictor's %g", i, gotEps[i], eps[i])
		}
		if want := (float64(xt[i]) - sb*float64(eps[i])) / sa; math.Abs(gotX0[i]-want) > 1e-9 {
			t.Errorf("element %d: x0 %g, want %g", i, gotX0[i], want)
		}
	}
	if gotX0[2] != 0.5 || math.Abs(sa*0.5+sb*gotEps[2]-float64(xt[2])) > 1e-9 {
		t.Errorf("corrected element: x0 %g, noise %g inconsistent with x_t %g", gotX0[2], gotEps[2], xt[2])
	}
	if out[2] != 3 {
		t.Errorf("rule output not written: %v", out)
	}
	for name, tc := range map[string][2]int{"not descending": {900, 900}, "before the end": {900, -2}, "outside": {2000, 10}} {
		if err := l.Step(xt, eps, tc[0], tc[1], out); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := (&Loop{S: s, Timesteps: []int{10, 20}, Rule: DDIMStep}).Run(xt, func(x []float32, _ int) ([]float32, error) {
		return make([]float32, len(x)), nil
	}, nil); err == nil {
		t.Error("ascending timesteps accepted")
	}
}
