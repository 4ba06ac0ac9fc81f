package train

import (
	"errors"
	"fmt"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// EMA keeps an exponential moving average of a model's floating-point
// variables (parameters and buffers): after every optimizer step
// shadow = Decay*shadow + (1-Decay)*live. Integer buffers are not averaged.
type EMA struct {
	// Decay is the weight of the previous average, e.g. 0.999.
	Decay float64
	// Updates counts the calls to Update.
	Updates int64
	vars    []Param
	shadow  map[string]*ts.Tensor
}

// NewEMA starts an average at the current weights of vs.
func NewEMA(vs *nn.VarStore, decay float64) (*EMA, error) {
	if !(decay >= 0 && decay < 1) {
		return nil, fmt.Errorf("ema: decay %v outside [0, 1)", decay)
	}
	e := &EMA{Decay: decay, shadow: map[string]*ts.Tensor{}}
	for _, p := range Variables(vs) {
		if dt := p.Tensor.DType(); dt != gotch.Float && dt != gotch.Double {
			continue
		}
		var c *ts.Tensor
		noGrad(func() {
			c = p.Tensor.MustZerosLike(false)
			c.Copy_(p.Tensor)
		})
		e.vars = append(e.vars, p)
		e.shadow[p.Name] = c
	}
	if len(e.vars) == 0 {
		return nil, errors.New("ema: model has no floating-point variables")
	}
	return e, nil
}

// Update moves the average towards the current weights.
func (e *EMA) Update() {
	noGrad(func() {
		for _, p := range e.vars {
			s := e.shadow[p.Name]
			// s = decay s + (1-decay) w, out of place and copied back:
			// gotch's in-place methods leak the handle they replace.
			k := newKeep()
			t := k.t(p.Tensor.MustMulScalar(k.f(1-e.Decay), false))
			s.Copy_(k.t(k.t(s.MustMulScalar(k.f(e.Decay), false)).MustAdd(t, false)))
			k.drop()
		}
	})
	e.Updates++
}

// Swap exchanges the averaged and the live weights; calling it twice
// restores the model exactly.
func (e *EMA) Swap() {
	noGrad(func() {
		for _, p := range e.vars {
			s := e.shadow[p.Name]
			tmp := s.MustZerosLike(false)
			tmp.Copy_(s)
			s.Copy_(p.Tensor)
			p.Tensor.Copy_(tmp)
			tmp.MustDrop()
		}
	})
}

// With runs fn with the averaged weights loaded into the model and puts the
// live weights back afterwards, even if fn fails.
func (e *EMA) With(fn func() error) error {
	e.Swap()
	defer e.Swap()
	return fn()
}

// CopyTo writes the averaged weights into the model permanently (e.g. before
// exporting the final weights).
func (e *EMA) CopyTo() {
	noGrad(func() {
		for _, p := range e.vars {
			p.Tensor.Copy_(e.shadow[p.Name])
		}
	})
}

// Close frees the averaged copies; e must not be used afterwards.
func (e *EMA) Close() {
	for name, t := range e.shadow {
		t.MustDrop()
		delete(e.shadow, name)
	}
	e.vars = nil
}

// Save stores the average in c ("ema" state and "ema/<var>" tensors).
func (e *EMA) Save(c *Checkpoint) error {
	if err := c.PutState("ema", struct {
		Decay   float64 `json:"decay"`
		Updates int64   `json:"updates"`
	}{e.Decay, e.Updates}); err != nil {
		return err
	}
	ps := make([]Param, len(e.vars))
	for i, p := range e.vars {
		ps[i] = Param{Name: p.Name, Tensor: e.shadow[p.Name]}
	}
	return putParams(c, "ema/", ps)
}

// Load restores an average saved by Save. The decay is taken from the
// checkpoint so the continued average is the same as without interruption.
func (e *EMA) Load(c *Checkpoint) error {
	var st struct {
		Decay   float64 `json:"decay"`
		Updates int64   `json:"updates"`
	}
	if err := c.State("ema", &st); err != nil {
		return err
	}
	ps := make([]Param, len(e.vars))
	for i, p := range e.vars {
		ps[i] = Param{Name: p.Name, Tensor: e.shadow[p.Name]}
	}
	if err := loadParams(c.WithPrefix("ema/"), ps, "ema"); err != nil {
		return err
	}
	e.Decay, e.Updates = st.Decay, st.Updates
	return nil
}
