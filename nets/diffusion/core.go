package diffusion

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// This file is the sampler core: one reverse loop (Loop) on shared helpers
// (the x0 estimate from eps, the noise consistent with an x0 estimate, the
// posterior of q(x_prev | x_t, x0)). A sampler is a step Rule — FusionDiff's
// Eq. 7, DDIM, DDPM — plus the x0 Correctors run before it: the clamp, and
// DDFM's EM step.

// Rule forms x_prev from x_t (x), the corrected x0 estimate and the noise
// eps consistent with it, writing it into out (which may alias x). prev is
// the next timestep of the chain, -1 at the end (abar = 1).
type Rule func(s *Schedule, t, prev int, x []float32, x0, eps []float64, out []float32)

// Corrector adjusts the x0 estimate of the step at timestep t in place; x
// is x_t. The loop re-derives the noise of every element it changes.
type Corrector func(t int, x []float32, x0 []float64) error

// Loop is the reverse process: at every timestep the predictor's noise
// gives an x0 estimate, the correctors adjust it, and the rule steps to the
// next timestep.
type Loop struct {
	S *Schedule
	// Timesteps are the visited timesteps, strictly descending.
	Timesteps []int
	Rule      Rule
	// Correct run in order on every x0 estimate.
	Correct []Corrector

	x0, raw, eps []float64
}

// Run returns the end of the chain started at xT (which it does not
// modify). onStep, if non-nil, is called after every step.
func (l *Loop) Run(xT []float32, pred Predictor, onStep func()) ([]float32, error) {
	if len(l.Timesteps) == 0 {
		return nil, fmt.Errorf("no timesteps")
	}
	x := append([]float32(nil), xT...)
	for i, t := range l.Timesteps {
		prev := -1
		if i+1 < len(l.Timesteps) {
			prev = l.Timesteps[i+1]
		}
		if err := l.check(t, prev, len(x), len(x), len(x)); err != nil {
			return nil, err
		}
		eps, err := predict(pred, x, t)
		if err != nil {
			return nil, err
		}
		if err := l.step(x, eps, t, prev, x); err != nil {
			return nil, err
		}
		if err := finite(x); err != nil {
			return nil, fmt.Errorf("step t=%d: %w", t, err)
		}
		if onStep != nil {
			onStep()
		}
	}
	return x, nil
}

// Step is one step of the loop from x_t with the noise estimate eps to
// timestep prev (-1: the end), written into out (which may alias xt).
func (l *Loop) Step(xt, eps []float32, t, prev int, out []float32) error {
	if err := l.check(t, prev, len(xt), len(eps), len(out)); err != nil {
		return err
	}
	return l.step(xt, eps, t, prev, out)
}

func (l *Loop) check(t, prev, nx, neps, nout int) error {
	if err := l.S.checkT(t); err != nil {
		return err
	}
	if prev < -1 || prev >= t {
		return fmt.Errorf("previous timestep %d must be in [-1, %d)", prev, t)
	}
	if neps != nx || nout != nx {
		return fmt.Errorf("lengths x %d, eps %d, out %d differ", nx, neps, nout)
	}
	return nil
}

func (l *Loop) step(xt, eps []float32, t, prev int, out []float32) error {
	n := len(xt)
	if cap(l.x0) < n {
		l.x0, l.raw, l.eps = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	x0, raw, e := l.x0[:n], l.raw[:n], l.eps[:n]
	r0, re := l.S.x0Coeffs(t)
	for i, v := range xt {
		e[i] = float64(eps[i])
		x0[i] = r0*float64(v) - re*e[i]
	}
	if len(l.Correct) > 0 {
		copy(raw, x0)
		for _, c := range l.Correct {
			if err := c(t, xt, x0); err != nil {
				return fmt.Errorf("step t=%d: %w", t, err)
			}
		}
		sa, sb := l.S.QSampleCoeffs(t)
		for i, v := range x0 {
			if v != raw[i] {
				e[i] = (float64(xt[i]) - sa*v) / sb
			}
		}
	}
	l.Rule(l.S, t, prev, xt, x0, e, out)
	return nil
}

// Posterior returns the coefficients of the mean c0·x0 + ct·x_t of
// q(x_prev | x_t, x0) on the chain that jumps from t to prev (-1: the end,
// abar = 1), whose alpha is abar_t/abar_prev, and its standard deviation.
func (s *Schedule) Posterior(t, prev int) (c0, ct, sigma float64) {
	ab, abPrev := s.AlphaBars[t], 1.0
	if prev >= 0 {
		abPrev = s.AlphaBars[prev]
	}
	alpha := ab / abPrev
	beta := 1 - alpha
	c0 = beta * math.Sqrt(abPrev) / (1 - ab)
	ct = (1 - abPrev) * math.Sqrt(alpha) / (1 - ab)
	return c0, ct, math.Sqrt(beta * (1 - abPrev) / (1 - ab))
}

// PosteriorMean is FusionDiff's Eq. 7 as the reference code runs it: x_prev
// is the posterior mean of q(x_prev | x_t, x0), no noise added.
func PosteriorMean(s *Schedule, t, prev int, x []float32, x0, _ []float64, out []float32) {
	if prev == t-1 {
		// the reference chain's own coefficients (at t = 0 the mean is x0)
		c0, ct := s.PosteriorCoeffs(t)
		posteriorMean(c0, ct, x, x0, out)
		return
	}
	c0, ct, _ := s.Posterior(t, prev)
	posteriorMean(c0, ct, x, x0, out)
}

func posteriorMean(c0, ct float64, x []float32, x0 []float64, out []float32) {
	for i, v := range x {
		out[i] = float32(c0*x0[i] + ct*float64(v))
	}
}

// DDIMStep is deterministic DDIM (eta = 0): x_prev = sqrt(abar_prev) x0 +
// sqrt(1 - abar_prev) eps.
func DDIMStep(s *Schedule, _, prev int, _ []float32, x0, eps []float64, out []float32) {
	abPrev := 1.0
	if prev >= 0 {
		abPrev = s.AlphaBars[prev]
	}
	pa, pb := math.Sqrt(abPrev), math.Sqrt(1-abPrev)
	for i := range out {
		out[i] = float32(pa*x0[i] + pb*eps[i])
	}
}

// Ancestral returns the DDPM step on the (respaced) chain: the posterior
// mean plus sigma·z, z standard normal drawn from rng.
func Ancestral(rng *rand.Rand) Rule {
	return func(s *Schedule, t, prev int, x []float32, x0, _ []float64, out []float32) {
		c0, ct, sigma := s.Posterior(t, prev)
		for i, v := range x {
			m := c0*x0[i] + ct*float64(v)
			if sigma > 0 {
				m += sigma * rng.NormFloat64()
			}
			out[i] = float32(m)
		}
	}
}

// Clamp returns the corrector that limits the x0 estimate to b (to
// [-1, 1] when b is nil).
func Clamp(b *Bounds) Corrector {
	return func(_ int, x []float32, x0 []float64) error {
		if err := b.check(len(x0)); err != nil {
			return err
		}
		for i, v := range x0 {
			x0[i] = b.clamp(v, i)
		}
		return nil
	}
}

func finite(x []float32) error {
	for j, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("non-finite sample value %g at index %d", v, j)
		}
	}
	return nil
}
