package train

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/sugarme/gotch/ts"
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
	Config  OptimConfig      `json:"config"`
	LR      float64          `json:"lr"`
	Steps   map[string]int64 `json:"steps"`
	Tensors map[string]Array `json:"-"`
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
// Trainable(vs)).
func NewOptimizer(c OptimConfig, params []Param) (Optimizer, error) {
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
func NewAdam(params []Param, lr float64) (Optimizer, error) {
	return NewOptimizer(OptimConfig{Kind: "adam", LR: lr}, params)
}

// NewAdamW returns AdamW (Loshchilov & Hutter, ICLR 2019) with PyTorch's
// defaults (betas 0.9, 0.999, eps 1e-8, weight decay 0.01).
func NewAdamW(params []Param, lr float64) (Optimizer, error) {
	return NewOptimizer(OptimConfig{Kind: "adamw", LR: lr}, params)
}

// NewSGD returns SGD with optional momentum.
func NewSGD(params []Param, lr, momentum float64) (Optimizer, error) {
	return NewOptimizer(OptimConfig{Kind: "sgd", LR: lr, Momentum: momentum}, params)
}

// optim implements Adam, AdamW and SGD. State tensors are created lazily on
// a parameter's first update, as in PyTorch.
type optim struct {
	cfg    OptimConfig
	lr     float64
	params []Param
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

// ZeroGrad zeroes the gradients in place.

func (o *optim) ZeroGrad() error {
	for _, p := range o.params {
		g, err := p.Tensor.Grad(false)
		if err != nil {
			return fmt.Errorf("zero grad %s: %w", p.Name, err)
		}
		if g.MustDefined() {
			if err := g.Detach_(); err != nil {
				return fmt.Errorf("zero grad %s: %w", p.Name, err)
			}
			if err := g.Zero_(); err != nil {
				return fmt.Errorf("zero grad %s: %w", p.Name, err)
			}
		}
		g.MustDrop()
	}
	return nil
}

// Step updates every parameter that has a gradient.
func (o *optim) Step() (err error) {
	noGrad(func() {
		for _, p := range o.params {
			if err = o.stepParam(p); err != nil {
				err = fmt.Errorf("optimizer step %s: %w", p.Name, err)
				return
			}
		}
	})
	return err
}

func (o *optim) stepParam(p Param) error {
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
// to kernel fusion.
func (o *optim) adam(p Param, g *ts.Tensor) error {
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
	if wd != 0 && c.Kind == "adamw" {
		w.MustMulScalar_(ts.FloatScalar(1 - lr*wd))
	}
	if wd != 0 && c.Kind == "adam" {
		gw := w.MustMulScalar(ts.FloatScalar(wd), false)
		gw.MustAdd_(g)
		g = gw
		defer gw.MustDrop()
	}
	// m = b1 m + (1-b1) g ; v = b2 v + (1-b2) g²
	m.MustMulScalar_(ts.FloatScalar(c.Beta1))
	t := g.MustMulScalar(ts.FloatScalar(1-c.Beta1), false)
	m.MustAdd_(t)
	t.MustDrop()
	v.MustMulScalar_(ts.FloatScalar(c.Beta2))
	t = g.MustMulScalar(ts.FloatScalar(1-c.Beta2), false)
	t.MustMul_(g)
	v.MustAdd_(t)
	t.MustDrop()
	// w -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
	step := float64(o.steps[p.Name])
	bc1 := 1 - math.Pow(c.Beta1, step)
	bc2 := 1 - math.Pow(c.Beta2, step)
	den := v.MustSqrt(false)
	den.MustDivScalar_(ts.FloatScalar(math.Sqrt(bc2)))
	den.MustAddScalar_(ts.FloatScalar(c.Eps))
	t = m.MustMulScalar(ts.FloatScalar(-lr/bc1), false)
	t.MustDiv_(den)
	w.MustAdd_(t)
	t.MustDrop()
	den.MustDrop()
	return nil
}

// sgd follows PyTorch's SGD: buf = momentum buf + (1-dampening) g (buf = g
// on the first step), then w -= lr (g + momentum buf) with Nesterov or
// w -= lr buf without.
func (o *optim) sgd(p Param, g *ts.Tensor) error {
	c, w := o.cfg, p.Tensor
	d := g.MustShallowClone()
	defer func() { d.MustDrop() }()
	if wd := *c.WeightDecay; wd != 0 {
		gw := w.MustMulScalar(ts.FloatScalar(wd), false)
		gw.MustAdd_(g)
		d.MustDrop()
		d = gw
	}
	if c.Momentum != 0 {
		buf, ok := o.slots["momentum_buffer"][p.Name]
		if !ok {
			buf = d.MustZerosLike(false)
			buf.Copy_(d)
			o.slots["momentum_buffer"][p.Name] = buf
		} else {
			buf.MustMulScalar_(ts.FloatScalar(c.Momentum))
			t := d.MustMulScalar(ts.FloatScalar(1-c.Dampening), false)
			buf.MustAdd_(t)
			t.MustDrop()
		}
		if c.Nesterov {
			t := buf.MustMulScalar(ts.FloatScalar(c.Momentum), false)
			t.MustAdd_(d)
			d.MustDrop()
			d = t
		} else {
			d.MustDrop()
			d = buf.MustShallowClone()
		}
	}
	t := d.MustMulScalar(ts.FloatScalar(-o.lr), false)
	w.MustAdd_(t)
	t.MustDrop()
	return nil
}

// slot returns the named state tensor of p, creating zeros on first use.
func (o *optim) slot(name string, p Param) (*ts.Tensor, error) {
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
	s := &OptimizerState{Config: o.cfg, LR: o.lr, Steps: map[string]int64{}, Tensors: map[string]Array{}}
	for k, v := range o.steps {
		s.Steps[k] = v
	}
	for slot, m := range o.slots {
		for name, t := range m {
			a, err := ToArray(t)
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
	byName := map[string]Param{}
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
		if err := checkArray(p.Tensor, a); err != nil {
			return fmt.Errorf("optimizer state %q: %w", key, err)
		}
		t, err := a.Tensor(p.Tensor.MustDevice())
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
func SaveOptimizer(c *Checkpoint, o Optimizer) error {
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
func LoadOptimizer(c *Checkpoint, o Optimizer) error {
	var s OptimizerState
	if err := c.State("optimizer", &s); err != nil {
		return err
	}
	s.Tensors = c.WithPrefix("optim/")
	return o.LoadState(&s)
}
