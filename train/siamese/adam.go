package siamese

import (
	"errors"
	"fmt"
	"math"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
)

// adam is Adam (Kingma & Ba, 2015) with PyTorch's defaults, implementing
// train.Optimizer with the same arithmetic and the same saved state as
// train.NewOptimizer(OptimConfig{Kind: "adam"}) ("exp_avg/<var>",
// "exp_avg_sq/<var>", per-variable step counts), so checkpoints go through
// train.SaveOptimizer/LoadOptimizer.
//
// It exists because gotch v0.9.1's generated in-place methods (MulScalar_,
// Add_, Zero_, Detach_, ...) replace the Go handle's C tensor without
// freeing the old one, and the orphaned handle keeps the storage alive: an
// in-place op on a temporary leaks the temporary, and zeroing a gradient
// in place leaks the whole gradient at the next backward (libtorch then
// allocates a new one because the old one looks shared). Here every update
// is computed out of place and written back with Copy_, which does not
// replace the handle.
type adam struct {
	cfg    train.OptimConfig
	lr     float64
	params []train.Param
	steps  map[string]int64
	m, v   map[string]*ts.Tensor
}

// newAdam is Adam with PyTorch's defaults over the trainable variables of
// the model.
func newAdam(params []train.Param, lr float64) *adam {
	wd := 0.0
	return &adam{cfg: train.OptimConfig{Kind: "adam", LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: &wd},
		lr: lr, params: params, steps: map[string]int64{}, m: map[string]*ts.Tensor{}, v: map[string]*ts.Tensor{}}
}

// LR returns the current learning rate.
func (o *adam) LR() float64 { return o.lr }

// SetLR changes the learning rate.
func (o *adam) SetLR(lr float64) { o.lr = lr }

// ZeroGrad zeroes every defined gradient (by copy, see the type comment).
func (o *adam) ZeroGrad() error {
	return backend.NoGradErr(func() error {
		for _, p := range o.params {
			g, err := p.Tensor.Grad(false)
			if err != nil {
				return fmt.Errorf("zero grad %s: %w", p.Name, err)
			}
			if g.MustDefined() {
				z := g.MustZerosLike(false)
				g.Copy_(z)
				z.MustDrop()
			}
			g.MustDrop()
		}
		return nil
	})
}

// Step applies one Adam update to every variable that has a gradient.
func (o *adam) Step() error {
	return backend.NoGradErr(func() error {
		for _, p := range o.params {
			if err := o.stepParam(p); err != nil {
				return fmt.Errorf("optimizer step %s: %w", p.Name, err)
			}
		}
		return nil
	})
}

func (o *adam) stepParam(p train.Param) error {
	g, err := p.Tensor.Grad(false)
	if err != nil {
		return err
	}
	defer g.MustDrop()
	if !g.MustDefined() {
		return nil
	}
	m, v := o.slot(o.m, p), o.slot(o.v, p)
	o.steps[p.Name]++
	s := backend.NewScope()
	defer s.Close()
	var scalars []*ts.Scalar
	f := func(x float64) *ts.Scalar {
		sc := ts.FloatScalar(x)
		scalars = append(scalars, sc)
		return sc
	}
	defer func() {
		for _, sc := range scalars {
			sc.MustDrop()
		}
	}()
	c := o.cfg
	// m = b1 m + (1-b1) g ; v = b2 v + ((1-b2) g) g
	m.Copy_(s.Add(s.Add(m.MustMulScalar(f(c.Beta1), false)).MustAdd(s.Add(g.MustMulScalar(f(1-c.Beta1), false)), false)))
	g2 := s.Add(s.Add(g.MustMulScalar(f(1-c.Beta2), false)).MustMul(g, false))
	v.Copy_(s.Add(s.Add(v.MustMulScalar(f(c.Beta2), false)).MustAdd(g2, false)))
	// w += (-lr/bc1 m) / (sqrt(v)/sqrt(bc2) + eps), PyTorch's ordering.
	step := float64(o.steps[p.Name])
	bc1 := 1 - math.Pow(c.Beta1, step)
	bc2 := 1 - math.Pow(c.Beta2, step)
	den := s.Add(s.Add(s.Add(v.MustSqrt(false)).MustDivScalar(f(math.Sqrt(bc2)), false)).MustAddScalar(f(c.Eps), false))
	upd := s.Add(s.Add(m.MustMulScalar(f(-o.lr/bc1), false)).MustDiv(den, false))
	p.Tensor.Copy_(s.Add(p.Tensor.MustAdd(upd, false)))
	return nil
}

func (o *adam) slot(slots map[string]*ts.Tensor, p train.Param) *ts.Tensor {
	t, ok := slots[p.Name]
	if !ok {
		t = p.Tensor.MustZerosLike(false)
		slots[p.Name] = t
	}
	return t
}

// State returns a copy of the moments, step counts and settings.
func (o *adam) State() (*train.OptimizerState, error) {
	st := &train.OptimizerState{Config: o.cfg, LR: o.lr, Steps: map[string]int64{}, Tensors: map[string]train.Array{}}
	for k, n := range o.steps {
		st.Steps[k] = n
	}
	for slot, m := range map[string]map[string]*ts.Tensor{"exp_avg": o.m, "exp_avg_sq": o.v} {
		for name, t := range m {
			a, err := train.ToArray(t)
			if err != nil {
				return nil, fmt.Errorf("optimizer state %s/%s: %w", slot, name, err)
			}
			st.Tensors[slot+"/"+name] = a
		}
	}
	return st, nil
}

// LoadState restores a state saved by State (or by train's Adam).
func (o *adam) LoadState(st *train.OptimizerState) error {
	if st == nil {
		return errors.New("optimizer: nil state")
	}
	if st.Config.Kind != "adam" {
		return fmt.Errorf("optimizer state is for %q, optimizer is adam", st.Config.Kind)
	}
	byName := map[string]train.Param{}
	for _, p := range o.params {
		byName[p.Name] = p
	}
	for name := range st.Steps {
		if _, ok := byName[name]; !ok {
			return fmt.Errorf("optimizer state has unknown parameter %q", name)
		}
	}
	m, v := map[string]*ts.Tensor{}, map[string]*ts.Tensor{}
	drop := func() {
		for _, t := range m {
			t.MustDrop()
		}
		for _, t := range v {
			t.MustDrop()
		}
	}
	for key, a := range st.Tensors {
		if err := o.loadSlot(key, a, byName, m, v); err != nil {
			drop()
			return err
		}
	}
	for _, t := range o.m {
		t.MustDrop()
	}
	for _, t := range o.v {
		t.MustDrop()
	}
	o.m, o.v, o.lr = m, v, st.LR
	o.steps = map[string]int64{}
	for k, n := range st.Steps {
		o.steps[k] = n
	}
	return nil
}

func (o *adam) loadSlot(key string, a train.Array, byName map[string]train.Param, m, v map[string]*ts.Tensor) error {
	var dst map[string]*ts.Tensor
	var name string
	switch {
	case len(key) > 8 && key[:8] == "exp_avg/":
		dst, name = m, key[8:]
	case len(key) > 11 && key[:11] == "exp_avg_sq/":
		dst, name = v, key[11:]
	default:
		return fmt.Errorf("optimizer state has unknown tensor %q", key)
	}
	p, ok := byName[name]
	if !ok {
		return fmt.Errorf("optimizer state has unknown tensor %q", key)
	}
	if want := p.Tensor.MustSize(); fmt.Sprint(a.Shape) != fmt.Sprint(want) {
		return fmt.Errorf("optimizer state %q has shape %v, want %v", key, a.Shape, want)
	}
	t, err := a.Tensor(p.Tensor.MustDevice())
	if err != nil {
		return fmt.Errorf("optimizer state %q: %w", key, err)
	}
	dst[name] = t
	return nil
}
