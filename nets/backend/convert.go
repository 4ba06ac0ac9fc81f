package backend

import (
	"fmt"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// FromFloat32 copies buf into a new float32 tensor of the given shape on
// the device chosen by Init.
func FromFloat32(buf []float32, shape ...int64) (*ts.Tensor, error) {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	if n != int64(len(buf)) {
		return nil, fmt.Errorf("backend: %d values do not fill shape %v", len(buf), shape)
	}
	t, err := ts.OfSlice(buf)
	if err != nil {
		return nil, fmt.Errorf("backend: tensor of %d floats: %w", len(buf), err)
	}
	out, err := t.View(shape, true)
	if err != nil {
		return nil, fmt.Errorf("backend: view as %v: %w", shape, err)
	}
	if d := Device(); d.IsCuda() {
		return out.To(d, true)
	}
	return out, nil
}

// MustFromFloat32 is FromFloat32 for values whose shape the caller made
// (a mismatch is a programming error, and panics).
func MustFromFloat32(buf []float32, shape ...int64) *ts.Tensor {
	t, err := FromFloat32(buf, shape...)
	if err != nil {
		panic(err)
	}
	return t
}

// Float32s copies all values of t (any device, floating dtype and layout)
// into a new host slice in C order.
func Float32s(t *ts.Tensor) ([]float32, error) {
	d, err := t.Totype(gotch.Float, false)
	if err != nil {
		return nil, err
	}
	defer Drop(d)
	c, err := d.Contiguous(false)
	if err != nil {
		return nil, err
	}
	defer Drop(c)
	cpu, err := c.To(gotch.CPU, false)
	if err != nil {
		return nil, err
	}
	defer Drop(cpu)
	vec := make([]float32, cpu.Numel())
	if err := cpu.CopyData(vec, uint(len(vec))); err != nil {
		return nil, err
	}
	return vec, nil
}

// Value returns the single value of a one-element tensor.
func Value(t *ts.Tensor) (float64, error) {
	if n := t.Numel(); n != 1 {
		return 0, fmt.Errorf("backend: tensor has %d elements, want 1", n)
	}
	v, err := Float64s(t)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// Float64s copies all values of t (any device, dtype and layout) into a
// new host slice in C order.
func Float64s(t *ts.Tensor) ([]float64, error) {
	d, err := t.Totype(gotch.Double, false)
	if err != nil {
		return nil, err
	}
	defer Drop(d)
	cpu, err := d.To(gotch.CPU, false)
	if err != nil {
		return nil, err
	}
	defer Drop(cpu)
	vec := make([]float64, cpu.Numel())
	if err := cpu.CopyData(vec, uint(len(vec))); err != nil {
		return nil, err
	}
	return vec, nil
}
