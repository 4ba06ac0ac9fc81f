package diffusion

import (
	"fmt"
	"math"
)

// Predictor returns the network's noise estimate eps_theta(x, t) for the
// whole buffer x (every image in it shares timestep t). Conditioning inputs,
// such as FusionDiff's two source images, are captured by the closure.
type Predictor func(x []float32, t int) ([]float32, error)

// Sampler runs a reverse diffusion from x_T to an estimate of x0.
type Sampler interface {
	// Name identifies the sampler ("fusiondiff", "ddim").
	Name() string
	// Steps is the number of network evaluations one Sample call makes.
	Steps() int
	// Sample returns x0 starting from xT (which it does not modify).
	// onStep, if non-nil, is called after every network evaluation.
	Sample(xT []float32, pred Predictor, onStep func()) ([]float32, error)
}

// NewSampler returns the sampler called name over schedule s, with k steps
// (0 means all T). "fusiondiff" is Eq. 7 with a clamped x0 estimate: the
// posterior mean, no noise; with k < T it runs on the respaced schedule
// through k evenly spread timesteps. "ddim" is deterministic DDIM (eta = 0)
// over k respaced steps.
func NewSampler(name string, s *Schedule, k int) (Sampler, error) {
	if k == 0 {
		k = s.T
	}
	ts, err := Timesteps(s.T, k)
	if err != nil {
		return nil, fmt.Errorf("sampler %s: %w", name, err)
	}
	switch name {
	case "fusiondiff":
		f := &FusionDiff{S: s, Clip: true}
		if k != s.T {
			f.Timesteps = ts
		}
		return f, nil
	case "ddim":
		return &DDIM{S: s, Timesteps: ts, Clip: true}, nil
	}
	return nil, fmt.Errorf("unknown sampler %q (have fusiondiff, ddim)", name)
}

// Timesteps returns k timesteps evenly spread over [0, T-1], descending,
// always including T-1 and 0 (k = 1 gives just T-1).
func Timesteps(T, k int) ([]int, error) {
	if k < 1 || k > T {
		return nil, fmt.Errorf("steps = %d, need 1 <= steps <= T = %d", k, T)
	}
	out := make([]int, k)
	if k == 1 {
		out[0] = T - 1
		return out, nil
	}
	for i := range out {
		out[i] = int(math.Round(float64(T-1) * float64(k-1-i) / float64(k-1)))
	}
	return out, nil
}

// FusionDiff is the reverse process of FusionDiff's Eq. 7 as the reference
// code runs it: at every step the x0 estimate is (optionally) clamped to
// [-1, 1] (or to Bounds) and x_prev is the DDPM posterior mean; no noise is added. With
// Timesteps nil it visits all t = T-1..0 (the reference); otherwise the
// posterior is that of the respaced chain through Timesteps, whose betas are
// 1 - abar_t/abar_prev.
type FusionDiff struct {
	S         *Schedule
	Clip      bool
	Timesteps []int // descending; nil: all T steps
	// Bounds, when set, replaces the clamp's [-1, 1] by per-element bounds.
	Bounds *Bounds
}

// Bounds are per-element clamp bounds of the x0 estimate, Lo[i] <= Hi[i].
// A FusionDiff residual model, for example, clamps to the interval between
// its two sources: the all-in-focus value lies between them.
type Bounds struct{ Lo, Hi []float32 }

// clamp limits v, the x0 estimate of element i, to b (or [-1, 1] when b is
// nil).
func (b *Bounds) clamp(v float64, i int) float64 {
	if b == nil {
		return clamp1(v)
	}
	return math.Max(float64(b.Lo[i]), math.Min(float64(b.Hi[i]), v))
}

// check reports whether b fits n elements.
func (b *Bounds) check(n int) error {
	if b != nil && (len(b.Lo) != n || len(b.Hi) != n) {
		return fmt.Errorf("clamp bounds for %d and %d elements, sample has %d", len(b.Lo), len(b.Hi), n)
	}
	return nil
}

// Name returns "fusiondiff".
func (f *FusionDiff) Name() string { return "fusiondiff" }

// Steps returns the number of network evaluations (T unless respaced).
func (f *FusionDiff) Steps() int {
	if f.Timesteps != nil {
		return len(f.Timesteps)
	}
	return f.S.T
}

// loop is the sampler core running f.
func (f *FusionDiff) loop() *Loop {
	steps := f.Timesteps
	if steps == nil {
		steps = make([]int, f.S.T)
		for i := range steps {
			steps[i] = f.S.T - 1 - i
		}
	}
	return &Loop{S: f.S, Timesteps: steps, Rule: PosteriorMean, Correct: clampIf(f.Clip, f.Bounds)}
}

// clampIf is the clamp corrector to b when clip is set.
func clampIf(clip bool, b *Bounds) []Corrector {
	if !clip {
		return nil
	}
	return []Corrector{Clamp(b)}
}

// Sample runs the reverse chain from xT.
func (f *FusionDiff) Sample(xT []float32, pred Predictor, onStep func()) ([]float32, error) {
	if err := f.Bounds.check(len(xT)); err != nil {
		return nil, err
	}
	return f.loop().Run(xT, pred, onStep)
}

// Step writes x_{t-1} = c0 * x0hat + ct * x_t into out (which may alias xt).
// At t = 0 the posterior mean reduces to x0hat.
func (f *FusionDiff) Step(xt, eps []float32, t int, out []float32) error {
	return f.StepTo(xt, eps, t, t-1, out)
}

// StepTo is Step towards an arbitrary earlier timestep prev (-1: the end,
// abar = 1), using the posterior of the chain that jumps from t to prev.
func (f *FusionDiff) StepTo(xt, eps []float32, t, prev int, out []float32) error {
	if err := f.Bounds.check(len(xt)); err != nil {
		return fmt.Errorf("fusiondiff step: %w", err)
	}
	if err := f.loop().Step(xt, eps, t, prev, out); err != nil {
		return fmt.Errorf("fusiondiff step: %w", err)
	}
	return nil
}

// DDIM is the deterministic DDIM sampler (eta = 0) over a subsequence of the
// schedule's timesteps. With Clip the x0 estimate is clamped to [-1, 1] and
// the noise re-derived from it, so the update stays consistent.
type DDIM struct {
	S         *Schedule
	Timesteps []int // descending
	Clip      bool
	// Bounds, when set, replaces the clamp's [-1, 1] by per-element bounds.
	Bounds *Bounds
}

// Name returns "ddim".
func (d *DDIM) Name() string { return "ddim" }

// Steps returns the number of respaced timesteps.
func (d *DDIM) Steps() int { return len(d.Timesteps) }

func (d *DDIM) loop() *Loop {
	return &Loop{S: d.S, Timesteps: d.Timesteps, Rule: DDIMStep, Correct: clampIf(d.Clip, d.Bounds)}
}

// Sample runs the respaced deterministic reverse process from xT.
func (d *DDIM) Sample(xT []float32, pred Predictor, onStep func()) ([]float32, error) {
	if err := d.Bounds.check(len(xT)); err != nil {
		return nil, err
	}
	return d.loop().Run(xT, pred, onStep)
}

// Step writes x_prev = sqrt(abar_prev) x0hat + sqrt(1-abar_prev) eps' into
// out (which may alias xt); prev = -1 means the final step (abar = 1).
func (d *DDIM) Step(xt, eps []float32, t, prev int, out []float32) error {
	if err := d.Bounds.check(len(xt)); err != nil {
		return fmt.Errorf("ddim step: %w", err)
	}
	if err := d.loop().Step(xt, eps, t, prev, out); err != nil {
		return fmt.Errorf("ddim step: %w", err)
	}
	return nil
}

func clamp1(v float64) float64 {
	return math.Max(-1, math.Min(1, v))
}

// predict calls pred and checks that its answer is usable.
func predict(pred Predictor, x []float32, t int) ([]float32, error) {
	eps, err := pred(x, t)
	if err != nil {
		return nil, fmt.Errorf("noise predictor at t=%d: %w", t, err)
	}
	if len(eps) != len(x) {
		return nil, fmt.Errorf("noise predictor at t=%d: returned %d values for %d inputs", t, len(eps), len(x))
	}
	for i, v := range eps {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("noise predictor at t=%d: non-finite value %g at index %d", t, v, i)
		}
	}
	return eps, nil
}
