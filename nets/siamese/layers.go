package siamese

import (
	"math"
	"math/rand"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
)

// conv is a 2-D convolution whose parameters are drawn from a Go RNG with
// PyTorch's default bounds (kaiming-uniform a=√5 ⇒ U(±1/√fan_in) for the
// weight and the bias), so initialisation is reproducible from a seed
// without touching libtorch's global generator.
type conv struct {
	w, b                  *ts.Tensor
	stride, pad, dil, grp int64
}

type convOpt struct {
	stride, dil, groups int64
	bias                bool
}

func newConv(p *nn.Path, rng *rand.Rand, in, out, k int, o convOpt) *conv {
	if o.stride == 0 {
		o.stride = 1
	}
	if o.dil == 0 {
		o.dil = 1
	}
	if o.groups == 0 {
		o.groups = 1
	}
	fanIn := in / int(o.groups) * k * k
	bound := 1 / math.Sqrt(float64(fanIn))
	c := &conv{stride: o.stride, dil: o.dil, grp: o.groups, pad: o.dil * int64(k-1) / 2}
	c.w = param(p, "weight", rng, bound, int64(out), int64(in)/o.groups, int64(k), int64(k))
	if o.bias {
		c.b = param(p, "bias", rng, bound, int64(out))
	} else {
		c.b = ts.NewTensor() // undefined tensor: libtorch's "no bias"
	}
	return c
}

// param adds a trainable parameter drawn from U(±bound); with a nil rng
// it is zero, for a network whose weights are loaded next (drawing them
// would take longer than loading and leave their copies to the GC).
func param(p *nn.Path, name string, rng *rand.Rand, bound float64, dims ...int64) *ts.Tensor {
	if rng == nil {
		t := ts.MustZeros(dims, gotch.Float, backend.Device())
		out := p.MustAdd(name, t, true)
		t.MustDrop()
		return out
	}
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((2*rng.Float64() - 1) * bound)
	}
	t := backend.MustFromFloat32(v, dims...)
	out := p.MustAdd(name, t, true)
	t.MustDrop()
	return out
}

func (c *conv) fwd(x *ts.Tensor) *ts.Tensor {
	return ts.MustConv2d(x, c.w, c.b, []int64{c.stride, c.stride}, []int64{c.pad, c.pad},
		[]int64{c.dil, c.dil}, c.grp)
}

// newBN is BatchNorm2d with PyTorch's defaults (weight 1, bias 0,
// eps 1e-5, momentum 0.1); gotch's default draws the weight from U(0,1).
func newBN(p *nn.Path, c int) *nn.BatchNorm {
	cfg := nn.DefaultBatchNormConfig()
	cfg.WsInit = nn.NewConstInit(1)
	cfg.BsInit = nn.NewConstInit(0)
	return nn.BatchNorm2D(p, int64(c), cfg)
}

// cbr is Conv-BatchNorm-ReLU, the paper's basic encoder unit.
type cbr struct {
	c  *conv
	bn *nn.BatchNorm
}

func newCBR(p *nn.Path, rng *rand.Rand, in, out, k int) *cbr {
	return &cbr{c: newConv(p.Sub("conv"), rng, in, out, k, convOpt{}), bn: newBN(p.Sub("bn"), out)}
}

func (m *cbr) fwd(s *backend.Scope, x *ts.Tensor, train bool) *ts.Tensor {
	c := m.c.fwd(x)
	b := m.bn.ForwardT(c, train)
	c.MustDrop()
	y := b.MustRelu(false)
	b.MustDrop()
	return s.Add(y)
}

// resBlock is conv-BN-ReLU-conv-BN plus (when residual) the input, then
// ReLU, after He et al. [63].
type resBlock struct {
	c1, c2   *conv
	b1, b2   *nn.BatchNorm
	identity bool
}

func newResBlock(p *nn.Path, rng *rand.Rand, c int, identity bool) *resBlock {
	return &resBlock{
		c1: newConv(p.Sub("conv1"), rng, c, c, 3, convOpt{}), b1: newBN(p.Sub("bn1"), c),
		c2: newConv(p.Sub("conv2"), rng, c, c, 3, convOpt{}), b2: newBN(p.Sub("bn2"), c),
		identity: identity,
	}
}

func (m *resBlock) fwd(s *backend.Scope, x *ts.Tensor, train bool) *ts.Tensor {
	// Intermediates are dropped at once: autograd keeps what backward
	// needs, and inference frees memory as it goes.
	step := func(y, next *ts.Tensor) *ts.Tensor {
		y.MustDrop()
		return next
	}
	y := m.c1.fwd(x)
	y = step(y, m.b1.ForwardT(y, train))
	y = step(y, y.MustRelu(false))
	y = step(y, m.c2.fwd(y))
	y = step(y, m.b2.ForwardT(y, train))
	if m.identity {
		y = step(y, y.MustAdd(x, false))
	}
	return s.Add(step(y, y.MustRelu(false)))
}

// channelStats returns the per-pixel channel mean and max, concatenated
// as (N,2,H,W) in the order [avg; max] of the paper's eqs. (3) and (5).
func channelStats(s *backend.Scope, x *ts.Tensor) *ts.Tensor {
	avg := s.Add(x.MustMeanDim([]int64{1}, true, gotch.Float, false))
	mx := s.Add(x.MustAmax([]int64{1}, true, false))
	return s.Add(ts.MustCat([]*ts.Tensor{avg, mx}, 1))
}
