package train

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// EMA keeps an exponential moving average of a model's floating-point
// variables (parameters and buffers): after every optimizer step
// shadow = Decay*shadow + (1-Decay)*live. Integer buffers are not averaged.
type EMA struct {
	// Decay is the weight of the previous average, e.g. 0.999.
	Decay float64
	// Updates counts the calls to Update.
	Updates int64
	vars    []backend.Param
	shadow  map[string]*ts.Tensor
}

// NewEMA starts an average at the current weights of vs.
func NewEMA(vs *nn.VarStore, decay float64) (*EMA, error) {
	defer runtime.KeepAlive(vs)
	if !(decay >= 0 && decay < 1) {
		return nil, fmt.Errorf("ema: decay %v outside [0, 1)", decay)
	}
	e := &EMA{Decay: decay, shadow: map[string]*ts.Tensor{}}
	for _, p := range backend.Variables(vs) {
		if dt := p.Tensor.DType(); dt != gotch.Float && dt != gotch.Double {
			continue
		}
		var c *ts.Tensor
		err := backend.NoGrad(func() error {
			c = p.Tensor.MustZerosLike(false)
			c.Copy_(p.Tensor)
			return nil
		})
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("ema: %w", err)
		}
		e.vars = append(e.vars, p)
		e.shadow[p.Name] = c
	}
	if len(e.vars) == 0 {
		return nil, errors.New("ema: model has no floating-point variables")
	}
	return e, nil
}

// Update moves the average towards the current weights.
func (e *EMA) Update() error {
	err := backend.NoGrad(func() error {
		k := backend.NewScope()
		defer k.Close()
		a, b := k.Float(1-e.Decay), k.Float(e.Decay)
		for _, p := range e.vars {
			s := e.shadow[p.Name]
			// s = decay s + (1-decay) w, out of place and copied back:
			// gotch's in-place methods leak the handle they replace.
			t := k.Add(p.Tensor.MustMulScalar(a, false))
			s.Copy_(k.Add(k.Add(s.MustMulScalar(b, false)).MustAdd(t, false)))
			k.Release(t)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("ema update: %w", err)
	}
	e.Updates++
	return nil
}

// Swap exchanges the averaged and the live weights; calling it twice
// restores the model exactly.
func (e *EMA) Swap() error {
	return backend.NoGrad(func() error {
		for _, p := range e.vars {
			s := e.shadow[p.Name]
			tmp := s.MustZerosLike(false)
			tmp.Copy_(s)
			s.Copy_(p.Tensor)
			p.Tensor.Copy_(tmp)
			tmp.MustDrop()
		}
		return nil
	})
}

// With runs fn with the averaged weights loaded into the model and puts the
// live weights back afterwards, even if fn fails.
func (e *EMA) With(fn func() error) (err error) {
	if err := e.Swap(); err != nil {
		return err
	}
	defer func() {
		if serr := e.Swap(); err == nil {
			err = serr
		}
	}()
	return fn()
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
func (e *EMA) Save(c *checkpoint.Checkpoint) error {
	if err := c.PutState("ema", struct {
		Decay   float64 `json:"decay"`
		Updates int64   `json:"updates"`
	}{e.Decay, e.Updates}); err != nil {
		return err
	}
	ps := make([]backend.Param, len(e.vars))
	for i, p := range e.vars {
		ps[i] = backend.Param{Name: p.Name, Tensor: e.shadow[p.Name]}
	}
	return backend.PutParams(c, "ema/", ps)
}

// Load restores an average saved by Save. The decay is taken from the
// checkpoint so the continued average is the same as without interruption.
func (e *EMA) Load(c *checkpoint.Checkpoint) error {
	var st struct {
		Decay   float64 `json:"decay"`
		Updates int64   `json:"updates"`
	}
	if err := c.State("ema", &st); err != nil {
		return err
	}
	ps := make([]backend.Param, len(e.vars))
	for i, p := range e.vars {
		ps[i] = backend.Param{Name: p.Name, Tensor: e.shadow[p.Name]}
	}
	if err := backend.LoadParams(c.WithPrefix("ema/"), ps, "ema"); err != nil {
		return err
	}
	e.Decay, e.Updates = st.Decay, st.Updates
	return nil
}
