package train

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// Optimizer updates parameters from their gradients. Unlike gotch's
// optimizers, its complete state can be saved and restored, which exact
// resume needs. Step and ZeroGrad must run on the OS thread that owns the
// autograd state (see the package documentation).
type Optimizer interface {
	// ZeroGrad sets every parameter gradient to zero in place (PyTorch's
	// zero_grad(set_to_none=False)).
	ZeroGrad() error
	// Step applies one update to every parameter that has a gradient.
	Step() error
	// LR returns the current learning rate.
	LR() float64
	// SetLR changes the learning rate (the schedules call it every epoch).
	SetLR(lr float64)
	// State returns a copy of the full optimizer state.
	State() (*OptimizerState, error)
	// LoadState restores a state returned by State for the same parameters.
	LoadState(s *OptimizerState) error
}

// OptimizerState is the saved form of an optimizer: hyper-parameters,
// per-parameter step counts and moment tensors keyed "<slot>/<param>".
type OptimizerState struct {
	Config  OptimConfig                 `json:"config"`
	LR      float64                     `json:"lr"`
	Steps   map[string]int64            `json:"steps"`
	Tensors map[string]checkpoint.Array `json:"-"`
}

// OptimConfig describes an optimizer in a config file, e.g.
//
//	optimizer: {kind: adam, lr: 5e-4}
//	optimizer: {kind: adamw, lr: 1e-4, weight_decay: 0.01}
//
// Zero Beta1, Beta2 and Eps select PyTorch's defaults (0.9, 0.999, 1e-8); a
// missing weight_decay selects 0.01 for AdamW and 0 otherwise.
type OptimConfig struct {
	// Kind is "adam", "adamw" or "sgd".
	Kind string `yaml:"kind" json:"kind"`
	// LR is the initial learning rate.
	LR float64 `yaml:"lr" json:"lr"`
	// Beta1 and Beta2 are Adam's moment decay rates.
	Beta1 float64 `yaml:"beta1,omitempty" json:"beta1,omitempty"`
	Beta2 float64 `yaml:"beta2,omitempty" json:"beta2,omitempty"`
	// Eps is Adam's denominator term (added outside the square root).
	Eps float64 `yaml:"eps,omitempty" json:"eps,omitempty"`
	// WeightDecay is L2 regularization (Adam, SGD) or decoupled decay (AdamW).
	WeightDecay *float64 `yaml:"weight_decay,omitempty" json:"weight_decay,omitempty"`
	// Momentum, Dampening and Nesterov configure SGD.
	Momentum  float64 `yaml:"momentum,omitempty" json:"momentum,omitempty"`
	Dampening float64 `yaml:"dampening,omitempty" json:"dampening,omitempty"`
	Nesterov  bool    `yaml:"nesterov,omitempty" json:"nesterov,omitempty"`
}

// resolved returns c with defaults filled in, or an error for values no
// optimizer accepts.
func (c OptimConfig) resolved() (OptimConfig, error) {
	c.Kind = strings.ToLower(c.Kind)
	bad := func(what string, v float64) error {
		return fmt.Errorf("optimizer %s: invalid %s %v", c.Kind, what, v)
	}
	if !(c.LR >= 0) || math.IsInf(c.LR, 0) {
		return c, bad("lr", c.LR)
	}
	wd := 0.0
	switch c.Kind {
	case "adam", "adamw":
		if c.Kind == "adamw" {
			wd = 0.01
		}
		if c.Beta1 == 0 {
			c.Beta1 = 0.9
		}
		if c.Beta2 == 0 {
			c.Beta2 = 0.999
		}
		if c.Eps == 0 {
			c.Eps = 1e-8
		}
		if !(c.Beta1 >= 0 && c.Beta1 < 1) {
			return c, bad("beta1", c.Beta1)
		}
		if !(c.Beta2 >= 0 && c.Beta2 < 1) {
			return c, bad("beta2", c.Beta2)
		}
		if !(c.Eps > 0) || math.IsInf(c.Eps, 0) {
			return c, bad("eps", c.Eps)
		}
	case "sgd":
		if !(c.Momentum >= 0) || math.IsInf(c.Momentum, 0) {
			return c, bad("momentum", c.Momentum)
		}
		if c.Nesterov && (c.Momentum == 0 || c.Dampening != 0) {
			return c, errors.New("optimizer sgd: nesterov needs momentum > 0 and zero dampening")
		}
	default:
		return c, fmt.Errorf("optimizer: unknown kind %q (want adam, adamw or sgd)", c.Kind)
	}
	if c.WeightDecay == nil {
		c.WeightDecay = &wd
	}
	if w := *c.WeightDecay; !(w >= 0) || math.IsInf(w, 0) {
		return c, bad("weight_decay", w)
	}
	return c, nil
}

// NewOptimizer builds the optimizer described by c for params (usually
// backend.Trainable(vs)).
func NewOptimizer(c OptimConfig, params []backend.Param) (Optimizer, error) {
	c, err := c.resolved()
	if err != nil {
		return nil, err
	}
	if len(params) == 0 {
		return nil, fmt.Errorf("optimizer %s: no trainable parameters", c.Kind)
	}
	seen := map[string]bool{}
	for _, p := range params {
		if seen[p.Name] {
			return nil, fmt.Errorf("optimizer %s: parameter %q listed twice", c.Kind, p.Name)
		}
		seen[p.Name] = true
	}
	o := &optim{cfg: c, lr: c.LR, params: params, steps: map[string]int64{},
		slots: map[string]map[string]*ts.Tensor{}}
	for _, s := range o.slotNames() {
		o.slots[s] = map[string]*ts.Tensor{}
	}
	return o, nil
}

// NewAdam returns Adam (Kingma & Ba, ICLR 2015) with PyTorch's defaults.
func NewAdam(params []backend.Param, lr float64) (Optimizer, error) {
	return NewOptimizer(OptimConfig{Kind: "adam", LR: lr}, params)
}

// NewAdamW returns AdamW (Loshchilov & Hutter, ICLR 2019) with PyTorch's
// defaults (betas 0.9, 0.999, eps 1e-8, weight decay 0.01).
func NewAdamW(params []backend.Param, lr float64) (Optimizer, error) {
	return NewOptimizer(OptimConfig{Kind: "adamw", LR: lr}, params)
}

// NewSGD returns SGD with optional momentum.
func NewSGD(params []backend.Param, lr, momentum float64) (Optimizer, error) {
	return NewOptimizer(OptimConfig{Kind: "sgd", LR: lr, Momentum: momentum}, params)
}

// optim implements Adam, AdamW and SGD. State tensors are created lazily on
// a parameter's first update, as in PyTorch.
type optim struct {
	cfg    OptimConfig
	lr     float64
	params []backend.Param
	steps  map[string]int64
	slots  map[string]map[string]*ts.Tensor
}

func (o *optim) slotNames() []string {
	if o.cfg.Kind == "sgd" {
		return []string{"momentum_buffer"}
	}
	return []string{"exp_avg", "exp_avg_sq"}
}

// LR returns the current learning rate.
func (o *optim) LR() float64 { return o.lr }

// SetLR changes the learning rate.
func (o *optim) SetLR(lr float64) { o.lr = lr }

// ZeroGrad zeroes the gradients in place, all in one call into libtorch.
// gotch v0.9.1's in-place methods (Zero_, Detach_, MulScalar_, ...)
// replace the handle's C tensor without freeing the old one, which keeps
// the old storage alive, so this file never calls them; the updates write
// through the existing handles (Copy_, or backend's fused calls).
func (o *optim) ZeroGrad() error {
	return backend.NoGrad(func() error { return backend.ZeroGrads(o.tensors()) })
}

// tensors returns the parameter tensors in order.
func (o *optim) tensors() []*ts.Tensor {
	out := make([]*ts.Tensor, len(o.params))
	for i, p := range o.params {
		out[i] = p.Tensor
	}
	return out
}

// Step updates every parameter that has a gradient. Adam and AdamW update
// the whole model in one call into libtorch (backend.AdamUpdate: the same
// tensor operations as adam below, without a Go handle and a cgo call for
// each).
func (o *optim) Step() error {
	return backend.NoGrad(func() error {
		if o.cfg.Kind == "sgd" {
			for _, p := range o.params {
				if err := o.stepParam(p); err != nil {
					return fmt.Errorf("optimizer step %s: %w", p.Name, err)
				}
			}
			return nil
		}
		return o.adamAll()
	})
}

// adamAll is Adam/AdamW over every parameter with a gradient: step
// counts and moment slots are kept here, the arithmetic is
// backend.AdamUpdate's.
func (o *optim) adamAll() error {
	has, err := backend.HasGrad(o.tensors())
	if err != nil {
		return fmt.Errorf("optimizer step: %w", err)
	}
	c := o.cfg
	var ps, ms, vs []*ts.Tensor
	var bc1, bc2 []float64
	for i, p := range o.params {
		if !has[i] {
			continue
		}
		m, err := o.slot("exp_avg", p)
		if err != nil {
			return fmt.Errorf("optimizer step %s: %w", p.Name, err)
		}
		v, err := o.slot("exp_avg_sq", p)
		if err != nil {
			return fmt.Errorf("optimizer step %s: %w", p.Name, err)
		}
		o.steps[p.Name]++
		step := float64(o.steps[p.Name])
		ps, ms, vs = append(ps, p.Tensor), append(ms, m), append(vs, v)
		bc1 = append(bc1, 1-math.Pow(c.Beta1, step))
		bc2 = append(bc2, 1-math.Pow(c.Beta2, step))
	}
	err = backend.AdamUpdate(ps, ms, vs, bc1, bc2, backend.AdamConfig{LR: o.lr, Beta1: c.Beta1, Beta2: c.Beta2,
		Eps: c.Eps, WeightDecay: *c.WeightDecay, Decoupled: c.Kind == "adamw"})
	if err != nil {
		return fmt.Errorf("optimizer step: %w", err)
	}
	return nil
}

func (o *optim) stepParam(p backend.Param) error {
	g, err := p.Tensor.Grad(false)
	if err != nil {
		return err
	}
	defer g.MustDrop()
	if !g.MustDefined() {
		return nil
	}
	o.steps[p.Name]++
	if o.cfg.Kind == "sgd" {
		return o.sgd(p, g)
	}
	return o.adam(p, g)
}

// adam follows PyTorch's single-tensor Adam/AdamW update; each tensor
// operation mirrors one of PyTorch's so the float32 rounding is the same up
// to kernel fusion. Results are computed out of place and written back with
// Copy_ (see ZeroGrad for why).
func (o *optim) adam(p backend.Param, g *ts.Tensor) error {
	c, lr, w := o.cfg, o.lr, p.Tensor
	wd := *c.WeightDecay
	m, err := o.slot("exp_avg", p)
	if err != nil {
		return err
	}
	v, err := o.slot("exp_avg_sq", p)
	if err != nil {
		return err
	}
	k := backend.NewScope()
	defer k.Close()
	if wd != 0 && c.Kind == "adamw" {
		w.Copy_(k.Add(w.MustMulScalar(k.Float(1-lr*wd), false)))
	}
	if wd != 0 && c.Kind == "adam" {
		g = k.Add(k.Add(w.MustMulScalar(k.Float(wd), false)).MustAdd(g, false))
	}
	// m = b1 m + (1-b1) g ; v = b2 v + ((1-b2) g) g
	m.Copy_(k.Add(k.Add(m.MustMulScalar(k.Float(c.Beta1), false)).MustAdd(k.Add(g.MustMulScalar(k.Float(1-c.Beta1), false)), false)))
	g2 := k.Add(k.Add(g.MustMulScalar(k.Float(1-c.Beta2), false)).MustMul(g, false))
	v.Copy_(k.Add(k.Add(v.MustMulScalar(k.Float(c.Beta2), false)).MustAdd(g2, false)))
	// w += (-lr/bc1 m) / (sqrt(v)/sqrt(bc2) + eps)
	step := float64(o.steps[p.Name])
	bc1 := 1 - math.Pow(c.Beta1, step)
	bc2 := 1 - math.Pow(c.Beta2, step)
	den := k.Add(k.Add(k.Add(v.MustSqrt(false)).MustDivScalar(k.Float(math.Sqrt(bc2)), false)).MustAddScalar(k.Float(c.Eps), false))
	upd := k.Add(k.Add(m.MustMulScalar(k.Float(-lr/bc1), false)).MustDiv(den, false))
	w.Copy_(k.Add(w.MustAdd(upd, false)))
	return nil
}

// sgd follows PyTorch's SGD: buf = momentum buf + (1-dampening) g (buf = g
// on the first step), then w -= lr (g + momentum buf) with Nesterov or
// w -= lr buf without.
func (o *optim) sgd(p backend.Param, g *ts.Tensor) error {
	c, w := o.cfg, p.Tensor
	k := backend.NewScope()
	defer k.Close()
	d := g
	if wd := *c.WeightDecay; wd != 0 {
		d = k.Add(k.Add(w.MustMulScalar(k.Float(wd), false)).MustAdd(g, false))
	}
	if c.Momentum != 0 {
		buf, ok := o.slots["momentum_buffer"][p.Name]
		if !ok {
			buf = d.MustZerosLike(false)
			buf.Copy_(d)
			o.slots["momentum_buffer"][p.Name] = buf
		} else {
			t := k.Add(d.MustMulScalar(k.Float(1-c.Dampening), false))
			buf.Copy_(k.Add(k.Add(buf.MustMulScalar(k.Float(c.Momentum), false)).MustAdd(t, false)))
		}
		if c.Nesterov {
			d = k.Add(k.Add(buf.MustMulScalar(k.Float(c.Momentum), false)).MustAdd(d, false))
		} else {
			d = buf
		}
	}
	w.Copy_(k.Add(w.MustAdd(k.Add(d.MustMulScalar(k.Float(-o.lr), false)), false)))
	return nil
}

// close frees the state tensors.
func (o *optim) close() {
	for _, m := range o.slots {
		for k, t := range m {
			backend.Drop(t)
			delete(m, k)
		}
	}
}

// slot returns the named state tensor of p, creating zeros on first use.
func (o *optim) slot(name string, p backend.Param) (*ts.Tensor, error) {
	if t, ok := o.slots[name][p.Name]; ok {
		return t, nil
	}
	t, err := p.Tensor.ZerosLike(false)
	if err != nil {
		return nil, err
	}
	o.slots[name][p.Name] = t
	return t, nil
}

// State copies the state to the host.
func (o *optim) State() (*OptimizerState, error) {
	s := &OptimizerState{Config: o.cfg, LR: o.lr, Steps: map[string]int64{}, Tensors: map[string]checkpoint.Array{}}
	for k, v := range o.steps {
		s.Steps[k] = v
	}
	for slot, m := range o.slots {
		for name, t := range m {
			a, err := backend.ToArray(t)
			if err != nil {
				return nil, fmt.Errorf("optimizer state %s/%s: %w", slot, name, err)
			}
			s.Tensors[slot+"/"+name] = a
		}
	}
	return s, nil
}

// LoadState replaces the state after checking it fits the parameters;
// on error the optimizer is unchanged.
func (o *optim) LoadState(s *OptimizerState) error {
	if s == nil {
		return errors.New("optimizer: nil state")
	}
	got, err := s.Config.resolved()
	if err != nil {
		return fmt.Errorf("optimizer state: %w", err)
	}
	if got.Kind != o.cfg.Kind {
		return fmt.Errorf("optimizer state is for %s, optimizer is %s", got.Kind, o.cfg.Kind)
	}
	byName := map[string]backend.Param{}
	for _, p := range o.params {
		byName[p.Name] = p
	}
	for name := range s.Steps {
		if _, ok := byName[name]; !ok {
			return fmt.Errorf("optimizer state has unknown parameter %q", name)
		}
	}
	fresh := map[string]map[string]*ts.Tensor{}
	for _, slot := range o.slotNames() {
		fresh[slot] = map[string]*ts.Tensor{}
	}
	for key, a := range s.Tensors {
		slot, name, _ := strings.Cut(key, "/")
		p, ok := byName[name]
		if _, known := fresh[slot]; !ok || !known {
			return fmt.Errorf("optimizer state has unknown tensor %q", key)
		}
		if err := backend.CheckArray(p.Tensor, a); err != nil {
			return fmt.Errorf("optimizer state %q: %w", key, err)
		}
		t, err := backend.TensorOf(a, p.Tensor.MustDevice())
		if err != nil {
			return fmt.Errorf("optimizer state %q: %w", key, err)
		}
		fresh[slot][name] = t
	}
	for _, m := range o.slots {
		for _, t := range m {
			t.MustDrop()
		}
	}
	o.slots, o.lr, o.cfg = fresh, s.LR, got
	o.steps = map[string]int64{}
	for k, v := range s.Steps {
		o.steps[k] = v
	}
	return nil
}

// SaveOptimizer stores the optimizer state in c ("optimizer" state and
// "optim/<slot>/<param>" tensors).
func SaveOptimizer(c *checkpoint.Checkpoint, o Optimizer) error {
	s, err := o.State()
	if err != nil {
		return err
	}
	if err := c.PutState("optimizer", s); err != nil {
		return err
	}
	for k, a := range s.Tensors {
		c.Tensors["optim/"+k] = a
	}
	return nil
}

// LoadOptimizer restores the optimizer state saved by SaveOptimizer.
func LoadOptimizer(c *checkpoint.Checkpoint, o Optimizer) error {
	var s OptimizerState
	if err := c.State("optimizer", &s); err != nil {
		return err
	}
	s.Tensors = c.WithPrefix("optim/")
	return o.LoadState(&s)
}
