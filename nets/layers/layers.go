// Package layers provides PyTorch-compatible building blocks on top of
// gotch v0.9.1, fixing measured gotch pitfalls:
//   - gotch's nn.NewConvTranspose2D builds a wrong weight shape when the
//     channel counts differ; ConvTranspose2d here uses PyTorch's layout
//     [in, out/groups, kH, kW];
//   - gotch v0.9 initialises convolutions with N(0, 1); every layer here
//     uses PyTorch's default init (kaiming_uniform with a = sqrt(5), i.e.
//     U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights, and the same bound for
//     biases);
//   - parameter and buffer names equal PyTorch's ("weight", "bias",
//     "running_mean", "running_var", "num_batches_tracked") under the
//     nn.Path the caller passes, so official state_dicts load by name.
//
// Forward methods panic with an error on libtorch failures; run them inside
// backend.Run (which turns the panic into an error), as all tensor work
// must be anyway.
package layers

import (
	"fmt"
	"math"
	"strings"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
)

// Sub returns the path for a dotted PyTorch module name, e.g.
// Sub(root, "down.0.conv") == root.Sub("down").Sub("0").Sub("conv").
func Sub(p *nn.Path, dotted string) *nn.Path {
	for _, part := range strings.Split(dotted, ".") {
		if part != "" {
			p = p.Sub(part)
		}
	}
	return p
}

// must panics with err so backend.Run can report it.
func must(t *ts.Tensor, err error) *ts.Tensor {
	if err != nil {
		panic(err)
	}
	return t
}

// uniformParam adds a trainable parameter drawn from U(-bound, bound). The
// draw is made on the CPU (backend.HostUniform), so a seed gives the same
// initial weights on the CPU and on CUDA.
func uniformParam(p *nn.Path, name string, dims []int64, bound float64) (*ts.Tensor, error) {
	t, err := backend.HostUniform(dims, -bound, bound, p.Device())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer t.Drop()
	v, err := p.Add(name, t, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

// constParam adds a tensor filled with value, trainable or a buffer.
func constParam(p *nn.Path, name string, dims []int64, value float64, kind gotch.DType, trainable bool) (*ts.Tensor, error) {
	t, err := zeros(dims, kind, p.Device())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer t.Drop()
	if value != 0 {
		if err := t.Fill_(ts.FloatScalar(value)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	opts := []nn.AddOpt{}
	if !trainable {
		opts = append(opts, nn.WithVarType("buffer"), nn.WithPersistent(true))
	}
	v, err := p.Add(name, t, trainable, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

// zeros is ts.Zeros that also handles 0-d shapes (gotch indexes the
// first dim of every size slice, so it cannot create them directly).
func zeros(dims []int64, kind gotch.DType, dev gotch.Device) (*ts.Tensor, error) {
	if len(dims) > 0 {
		return ts.Zeros(dims, kind, dev)
	}
	one, err := ts.Zeros([]int64{1}, kind, dev)
	if err != nil {
		return nil, err
	}
	return one.Squeeze(true)
}

// KaimingBound is PyTorch's default init bound for weights and biases of
// Conv/Linear layers, 1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5):
// gain sqrt(2/(1+a^2)) times sqrt(3/fan_in)).
func KaimingBound(fanIn int64) float64 { return 1 / math.Sqrt(float64(fanIn)) }

func pair(v int64) []int64 { return []int64{v, v} }

// ConvOpts are the optional arguments of Conv2d and ConvTranspose2d; zero
// values mean PyTorch's defaults (stride 1, padding 0, dilation 1,
// groups 1, with bias).
type ConvOpts struct {
	Stride, Padding, Dilation, Groups int64
	// OutputPadding is used by ConvTranspose2d only.
	OutputPadding int64
	// NoBias omits the bias (PyTorch bias=False).
	NoBias bool
}

func (o ConvOpts) withDefaults() ConvOpts {
	if o.Stride == 0 {
		o.Stride = 1
	}
	if o.Dilation == 0 {
		o.Dilation = 1
	}
	if o.Groups == 0 {
		o.Groups = 1
	}
	return o
}

func (o ConvOpts) check(in, out, k int64) error {
	switch {
	case in <= 0 || out <= 0 || k <= 0:
		return fmt.Errorf("channels and kernel must be positive (in %d, out %d, k %d)", in, out, k)
	case o.Stride < 1 || o.Dilation < 1 || o.Groups < 1 || o.Padding < 0 || o.OutputPadding < 0:
		return fmt.Errorf("invalid options %+v", o)
	case in%o.Groups != 0 || out%o.Groups != 0:
		return fmt.Errorf("groups %d must divide in %d and out %d", o.Groups, in, out)
	}
	return nil
}
