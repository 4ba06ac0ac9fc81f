package ddfm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mfif/mfif/nets/diffusion"
)

// Luminance weights (BT.601) and the studio-swing scaling of skimage's
// rgb2ycbcr that the reference code applies to x0 in [-1, 1].
var lumaRGB = [3]float64{0.299, 0.587, 0.114}

const (
	yOffset = 16.0 / 255
	yScale  = 219.0 / 255
)

// Sampler is DDFM's reverse process: at every respaced step the x0
// estimate of the unconditional prior is clamped, its luminance is pulled
// towards the sources by one EM step, and the next sample is formed from
// the corrected estimate (DDIM with eta = 0, or a DDPM ancestral step).
type Sampler struct {
	// S is the prior's training schedule (1000-step linear for the
	// official prior).
	S *diffusion.Schedule
	// Timesteps are the respaced steps, descending.
	Timesteps []int
	// Ancestral selects the paper's DDPM step instead of DDIM.
	Ancestral bool
	// Lambda and Rho are the EM hyper-parameters.
	Lambda, Rho float64
}

// NewSampler returns the sampler name ("ddim" or "ddpm") over steps
// respaced timesteps of s (steps 0 means 100, the official value, capped
// at s.T), with EM hyper-parameters lambda and rho.
func NewSampler(s *diffusion.Schedule, name string, steps int, lambda, rho float64) (*Sampler, error) {
	if s == nil {
		return nil, fmt.Errorf("ddfm sampler: no schedule")
	}
	if name != "ddim" && name != "ddpm" {
		return nil, fmt.Errorf("ddfm sampler: unknown sampler %q (have ddim, ddpm)", name)
	}
	if steps == 0 {
		steps = min(100, s.T)
	}
	ts, err := diffusion.Timesteps(s.T, steps)
	if err != nil {
		return nil, fmt.Errorf("ddfm sampler: %w", err)
	}
	if !(lambda > 0) || !(rho > 0) {
		return nil, fmt.Errorf("ddfm sampler: lambda = %g and rho = %g must be > 0", lambda, rho)
	}
	return &Sampler{S: s, Timesteps: ts, Ancestral: name == "ddpm", Lambda: lambda, Rho: rho}, nil
}

// Name returns "ddim" or "ddpm".
func (s *Sampler) Name() string {
	if s.Ancestral {
		return "ddpm"
	}
	return "ddim"
}

// Steps is the number of network evaluations per fusion.
func (s *Sampler) Steps() int { return len(s.Timesteps) }

// Sample runs the guided reverse process for the sources i and v (row-major
// w x h gray planes in [-1, 1]) from xT (c planes of w x h, c = 1 or 3,
// not modified) and returns the final sample. pred is the prior's noise
// estimate; seed drives the ancestral noise (unused by DDIM); onStep, if
// non-nil, is called after every step. It is the sampler core
// (diffusion.Loop) with two x0 correctors, the clamp to [-1, 1] and the EM
// step, before a DDIM or DDPM step rule.
func (s *Sampler) Sample(i, v []float64, w, h int, xT []float32, pred diffusion.Predictor, seed uint64, onStep func()) ([]float32, error) {
	n := w * h
	if len(i) != n || len(v) != n {
		return nil, fmt.Errorf("ddfm sample: sources have %d and %d values for %dx%d", len(i), len(v), w, h)
	}
	if n == 0 || len(xT)%n != 0 || (len(xT)/n != 1 && len(xT)/n != 3) {
		return nil, fmt.Errorf("ddfm sample: x_T has %d values, want 1 or 3 planes of %dx%d", len(xT), w, h)
	}
	em, err := NewEM(w, h)
	if err != nil {
		return nil, err
	}
	rule := diffusion.DDIMStep
	if s.Ancestral {
		rule = diffusion.Ancestral(rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc909)))
	}
	guide := func(_ int, _ []float32, x0 []float64) error { return s.guide(em, x0, i, v, n) }
	loop := &diffusion.Loop{S: s.S, Timesteps: s.Timesteps, Rule: rule,
		Correct: []diffusion.Corrector{diffusion.Clamp(nil), guide}}
	x, err := loop.Run(xT, pred, onStep)
	if err != nil {
		return nil, fmt.Errorf("ddfm: %w", err)
	}
	return x, nil
}

// guide replaces the luminance of x0 (c planes of n) by its EM update.
func (s *Sampler) guide(em *EM, x0, i, v []float64, n int) error {
	y := lumaStudio(x0, n)
	f, err := em.Step(y, i, v, s.Lambda, s.Rho)
	if err != nil {
		return err
	}
	c := len(x0) / n
	for p := range n {
		d := (f[p] - y[p]) / yScale
		for ch := range c {
			x0[ch*n+p] += d
		}
	}
	return nil
}

// lumaStudio is skimage's rgb2ycbcr Y of x (values in [-1, 1]) over 255.
func lumaStudio(x []float64, n int) []float64 {
	y := make([]float64, n)
	if len(x) == n {
		for p := range y {
			y[p] = yOffset + yScale*x[p]
		}
		return y
	}
	for p := range y {
		y[p] = yOffset + yScale*(lumaRGB[0]*x[p]+lumaRGB[1]*x[n+p]+lumaRGB[2]*x[2*n+p])
	}
	return y
}

// Luma returns the BT.601 luma 0.299 R + 0.587 G + 0.114 B of a sample of
// 3 planes of n (or the plane itself for 1 plane), as the reference code
// converts its output to gray.
func Luma(x []float32, n int) []float64 {
	y := make([]float64, n)
	if len(x) == n {
		for p := range y {
			y[p] = float64(x[p])
		}
		return y
	}
	for p := range y {
		y[p] = lumaRGB[0]*float64(x[p]) + lumaRGB[1]*float64(x[n+p]) + lumaRGB[2]*float64(x[2*n+p])
	}
	return y
}

// MinMax255 rescales y linearly so its minimum maps to 0 and its maximum
// to 255 (a constant image maps to 0), as the reference code saves it.
func MinMax255(y []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range y {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	out := make([]float64, len(y))
	if !(hi > lo) {
		return out
	}
	s := 255 / (hi - lo)
	for p, v := range y {
		out[p] = (v - lo) * s
	}
	return out
}
