// Package diffusion holds the pieces of a denoising diffusion probabilistic
// model that need no tensors: noise schedules, the forward (noising) process,
// and deterministic reverse samplers written against a noise-predictor
// callback. Schedule maths is float64; image buffers are float32 to match the
// network that produces noise estimates.
//
// The FusionDiff variant follows Li et al., "FusionDiff: Multi-focus image
// fusion using denoising diffusion probabilistic models", ESWA 238 (2024)
// 121664, Eq. 7, as its reference code runs it (x0 estimate clamped to [-1,1]).
package diffusion

import (
	"fmt"
	"math"
)

// Schedule is a discrete noise schedule of T steps, indexed t = 0..T-1.
// AlphaBars[t] is the cumulative product of Alphas up to and including t;
// AlphaBarsPrev[t] is AlphaBars[t-1], with AlphaBarsPrev[0] = 1.
type Schedule struct {
	T             int
	Betas         []float64
	Alphas        []float64
	AlphaBars     []float64
	AlphaBarsPrev []float64
}

// cosineOffset is the small offset s of the cosine schedule (Nichol &
// Dhariwal 2021): abar(u) = cos^2((u+s)/(1+s) * pi/2).
const cosineOffset = 0.008

// Cosine returns the cosine schedule with T steps: beta_i = min(1 -
// abar((i+1)/T)/abar(i/T), maxBeta). FusionDiff uses T = 2000 and maxBeta =
// 0.999.
func Cosine(T int, maxBeta float64) (*Schedule, error) {
	if T < 1 {
		return nil, fmt.Errorf("cosine schedule: T = %d, need at least 1", T)
	}
	if !(maxBeta > 0 && maxBeta < 1) {
		return nil, fmt.Errorf("cosine schedule: maxBeta = %g, need 0 < maxBeta < 1", maxBeta)
	}
	abar := func(u float64) float64 {
		c := math.Cos((u + cosineOffset) / (1 + cosineOffset) * math.Pi / 2)
		return c * c
	}
	betas := make([]float64, T)
	for i := range betas {
		betas[i] = math.Min(1-abar(float64(i+1)/float64(T))/abar(float64(i)/float64(T)), maxBeta)
	}
	return FromBetas(betas)
}

// FromBetas builds a schedule from explicit betas, each in (0, 1).
func FromBetas(betas []float64) (*Schedule, error) {
	if len(betas) == 0 {
		return nil, fmt.Errorf("schedule: no betas")
	}
	s := &Schedule{
		T:             len(betas),
		Betas:         append([]float64(nil), betas...),
		Alphas:        make([]float64, len(betas)),
		AlphaBars:     make([]float64, len(betas)),
		AlphaBarsPrev: make([]float64, len(betas)),
	}
	prod := 1.0
	for i, b := range betas {
		if !(b > 0 && b < 1) {
			return nil, fmt.Errorf("schedule: beta[%d] = %g, need 0 < beta < 1", i, b)
		}
		s.AlphaBarsPrev[i] = prod
		s.Alphas[i] = 1 - b
		prod *= 1 - b
		s.AlphaBars[i] = prod
	}
	return s, nil
}

func (s *Schedule) checkT(t int) error {
	if t < 0 || t >= s.T {
		return fmt.Errorf("timestep %d outside [0, %d)", t, s.T)
	}
	return nil
}

// QSampleCoeffs returns (sqrt(abar_t), sqrt(1-abar_t)), the weights of x0 and
// of the noise in x_t = sqrt(abar_t) x0 + sqrt(1-abar_t) eps.
func (s *Schedule) QSampleCoeffs(t int) (float64, float64) {
	ab := s.AlphaBars[t]
	return math.Sqrt(ab), math.Sqrt(1 - ab)
}

// QSample writes x_t = sqrt(abar_t) x0 + sqrt(1-abar_t) eps into out (which
// may alias x0 or eps).
func (s *Schedule) QSample(x0, eps []float32, t int, out []float32) error {
	if err := s.checkT(t); err != nil {
		return fmt.Errorf("q_sample: %w", err)
	}
	if len(x0) != len(eps) || len(out) != len(x0) {
		return fmt.Errorf("q_sample: lengths x0 %d, eps %d, out %d differ", len(x0), len(eps), len(out))
	}
	a, b := s.QSampleCoeffs(t)
	for i := range x0 {
		out[i] = float32(a*float64(x0[i]) + b*float64(eps[i]))
	}
	return nil
}

// PosteriorCoeffs returns the weights (c0, ct) of the DDPM posterior mean
// mu(x_t, x0) = c0 x0 + ct x_t of q(x_{t-1} | x_t, x0).
func (s *Schedule) PosteriorCoeffs(t int) (c0, ct float64) {
	ab, abPrev := s.AlphaBars[t], s.AlphaBarsPrev[t]
	c0 = s.Betas[t] * math.Sqrt(abPrev) / (1 - ab)
	ct = (1 - abPrev) * math.Sqrt(s.Alphas[t]) / (1 - ab)
	return c0, ct
}

// x0Coeffs are sqrt(1/abar_t) and sqrt(1/abar_t - 1): x0 = a·x_t - b·eps.
func (s *Schedule) x0Coeffs(t int) (float64, float64) {
	ab := s.AlphaBars[t]
	return math.Sqrt(1 / ab), math.Sqrt(1/ab - 1)
}
