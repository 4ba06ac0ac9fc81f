package fusiondiff

import (
	"math"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// PyTorch's default init for Linear/Conv/ConvTranspose weights is
// kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and
// the bias draws from the same range.
func uniformVar(p *nn.Path, name string, dims []int64, fanIn int64) *ts.Tensor {
	b := 1 / math.Sqrt(float64(fanIn))
	return p.MustNewVar(name, dims, nn.NewUniformInit(-b, b))
}

type linear struct{ w, b *ts.Tensor }

func newLinear(p *nn.Path, in, out int64) *linear {
	return &linear{w: uniformVar(p, "weight", []int64{out, in}, in), b: uniformVar(p, "bias", []int64{out}, in)}
}

func (l *linear) forward(x *ts.Tensor) *ts.Tensor {
	return ts.MustLinear(x, l.w, l.b)
}

type conv2d struct {
	w, b        *ts.Tensor
	stride, pad int64
}

func newConv2d(p *nn.Path, in, out, k, stride, pad int64) *conv2d {
	fan := in * k * k
	return &conv2d{
		w: uniformVar(p, "weight", []int64{out, in, k, k}, fan), b: uniformVar(p, "bias", []int64{out}, fan),
		stride: stride, pad: pad,
	}
}

func (c *conv2d) forward(x *ts.Tensor) *ts.Tensor {
	return ts.MustConv2d(x, c.w, c.b, []int64{c.stride, c.stride}, []int64{c.pad, c.pad}, []int64{1, 1}, 1)
}

type groupNorm struct {
	w, b   *ts.Tensor
	groups int64
}

func newGroupNorm(p *nn.Path, groups, ch int64) *groupNorm {
	return &groupNorm{
		w: p.MustNewVar("weight", []int64{ch}, nn.NewConstInit(1)), b: p.MustNewVar("bias", []int64{ch}, nn.NewConstInit(0)),
		groups: groups,
	}
}

func (g *groupNorm) forward(x *ts.Tensor) *ts.Tensor {
	return ts.MustGroupNorm(x, g.groups, g.w, g.b, 1e-5, false)
}

// resBlock: h = conv1(SiLU(GN(x))) + Linear(SiLU(temb)); h = conv2(Dropout(
// SiLU(GN(h)))); out = h + shortcut(x), shortcut a 1x1 conv when widths differ.
type resBlock struct {
	norm1, norm2 *groupNorm
	conv1, conv2 *conv2d
	temb         *linear
	shortcut     *conv2d
	dropout      float64
}

func newResBlock(p *nn.Path, in, out, ted, groups int64, dropout float64) *resBlock {
	r := &resBlock{
		norm1:   newGroupNorm(p.Sub("conv1").Sub("0"), groups, in),
		conv1:   newConv2d(p.Sub("conv1").Sub("2"), in, out, 3, 1, 1),
		temb:    newLinear(p.Sub("time_emb").Sub("1"), ted, out),
		norm2:   newGroupNorm(p.Sub("conv2").Sub("0"), groups, out),
		conv2:   newConv2d(p.Sub("conv2").Sub("3"), out, out, 3, 1, 1),
		dropout: dropout,
	}
	if in != out {
		r.shortcut = newConv2d(p.Sub("shortcut"), in, out, 1, 1, 0)
	}
	return r
}

func (r *resBlock) forward(x, temb *ts.Tensor, train bool) *ts.Tensor {
	a := r.norm1.forward(x).MustSilu(true)
	h := r.conv1.forward(a)
	a.MustDrop()
	e := temb.MustSilu(false)
	te := r.temb.forward(e)
	e.MustDrop()
	te = te.MustUnsqueeze(2, true).MustUnsqueeze(3, true)
	h = h.MustAdd(te, true)
	te.MustDrop()
	a = r.norm2.forward(h).MustSilu(true)
	h.MustDrop()
	if r.dropout > 0 && train {
		a = replace(a, ts.MustDropout(a, r.dropout, true))
	}
	h = r.conv2.forward(a)
	a.MustDrop()
	if r.shortcut == nil {
		return h.MustAdd(x, true)
	}
	s := r.shortcut.forward(x)
	out := h.MustAdd(s, true)
	s.MustDrop()
	return out
}

// downsample is a 3x3 stride-2 convolution, padding 1.
type downsample struct{ op *conv2d }

func newDownsample(p *nn.Path, ch int64) *downsample {
	return &downsample{op: newConv2d(p.Sub("op"), ch, ch, 3, 2, 1)}
}

func (d *downsample) forward(x, _ *ts.Tensor, _ bool) *ts.Tensor { return d.op.forward(x) }

// upsample is ConvTranspose2d(ch, ch, 3, stride 2, padding 1, output_padding
// 1), doubling each side. Its weight is (in, out, k, k) and PyTorch's fan-in
// for the init is weight.size(1)*k*k.
type upsample struct{ w, b *ts.Tensor }

func newUpsample(p *nn.Path, ch int64) *upsample {
	q := p.Sub("op")
	fan := ch * 9
	return &upsample{w: uniformVar(q, "weight", []int64{ch, ch, 3, 3}, fan), b: uniformVar(q, "bias", []int64{ch}, fan)}
}

func (u *upsample) forward(x, _ *ts.Tensor, _ bool) *ts.Tensor {
	return ts.MustConvTranspose2d(x, u.w, u.b, []int64{2, 2}, []int64{1, 1}, []int64{1, 1}, 1, []int64{1, 1})
}
