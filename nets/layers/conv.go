package layers

import (
	"fmt"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// Conv2d is PyTorch's nn.Conv2d with square kernels: weight
// [out, in/groups, k, k], bias [out].
type Conv2d struct {
	Weight, Bias *ts.Tensor // Bias is nil with NoBias
	Opts         ConvOpts
}

// NewConv2d adds "weight" (and "bias") under p.
func NewConv2d(p *nn.Path, in, out, k int64, opts ConvOpts) (*Conv2d, error) {
	o := opts.withDefaults()
	if err := o.check(in, out, k); err != nil {
		return nil, fmt.Errorf("layers.NewConv2d: %w", err)
	}
	bound := KaimingBound(in / o.Groups * k * k)
	w, err := uniformParam(p, "weight", []int64{out, in / o.Groups, k, k}, bound)
	if err != nil {
		return nil, fmt.Errorf("layers.NewConv2d: %w", err)
	}
	c := &Conv2d{Weight: w, Opts: o}
	if !o.NoBias {
		if c.Bias, err = uniformParam(p, "bias", []int64{out}, bound); err != nil {
			return nil, fmt.Errorf("layers.NewConv2d: %w", err)
		}
	}
	return c, nil
}

// Forward convolves an [N, in, H, W] tensor.
func (c *Conv2d) Forward(x *ts.Tensor) *ts.Tensor {
	o := c.Opts
	return must(ts.Conv2d(x, c.Weight, c.Bias, pair(o.Stride), pair(o.Padding), pair(o.Dilation), o.Groups))
}

// ConvTranspose2d is PyTorch's nn.ConvTranspose2d with square kernels:
// weight [in, out/groups, k, k], bias [out]. The output size is
// (H-1)*stride - 2*padding + dilation*(k-1) + output_padding + 1.
type ConvTranspose2d struct {
	Weight, Bias *ts.Tensor
	Opts         ConvOpts
}

// NewConvTranspose2d adds "weight" (and "bias") under p. As in PyTorch,
// fan_in for the init is computed from weight dim 1, (out/groups)*k*k.
func NewConvTranspose2d(p *nn.Path, in, out, k int64, opts ConvOpts) (*ConvTranspose2d, error) {
	o := opts.withDefaults()
	if err := o.check(in, out, k); err != nil {
		return nil, fmt.Errorf("layers.NewConvTranspose2d: %w", err)
	}
	if o.OutputPadding >= o.Stride && o.OutputPadding >= o.Dilation {
		return nil, fmt.Errorf("layers.NewConvTranspose2d: output padding %d must be smaller than stride or dilation", o.OutputPadding)
	}
	bound := KaimingBound(out / o.Groups * k * k)
	w, err := uniformParam(p, "weight", []int64{in, out / o.Groups, k, k}, bound)
	if err != nil {
		return nil, fmt.Errorf("layers.NewConvTranspose2d: %w", err)
	}
	c := &ConvTranspose2d{Weight: w, Opts: o}
	if !o.NoBias {
		if c.Bias, err = uniformParam(p, "bias", []int64{out}, bound); err != nil {
			return nil, fmt.Errorf("layers.NewConvTranspose2d: %w", err)
		}
	}
	return c, nil
}

// Forward applies the transposed convolution to an [N, in, H, W] tensor.
func (c *ConvTranspose2d) Forward(x *ts.Tensor) *ts.Tensor {
	o := c.Opts
	return must(ts.ConvTranspose2d(x, c.Weight, c.Bias, pair(o.Stride), pair(o.Padding), pair(o.OutputPadding), o.Groups, pair(o.Dilation)))
}

// Linear is PyTorch's nn.Linear: weight [out, in], bias [out].
type Linear struct {
	Weight, Bias *ts.Tensor
}

// NewLinear adds "weight" (and "bias" unless noBias) under p.
func NewLinear(p *nn.Path, in, out int64, noBias bool) (*Linear, error) {
	if in <= 0 || out <= 0 {
		return nil, fmt.Errorf("layers.NewLinear: sizes must be positive (in %d, out %d)", in, out)
	}
	bound := KaimingBound(in)
	w, err := uniformParam(p, "weight", []int64{out, in}, bound)
	if err != nil {
		return nil, fmt.Errorf("layers.NewLinear: %w", err)
	}
	l := &Linear{Weight: w}
	if !noBias {
		if l.Bias, err = uniformParam(p, "bias", []int64{out}, bound); err != nil {
			return nil, fmt.Errorf("layers.NewLinear: %w", err)
		}
	}
	return l, nil
}

// Forward maps [..., in] to [..., out].
func (l *Linear) Forward(x *ts.Tensor) *ts.Tensor {
	return must(ts.Linear(x, l.Weight, l.Bias))
}
