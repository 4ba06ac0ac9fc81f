package fusiondiff

import (
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/layers"
)

// Param names one parameter of the network and its shape.
type Param struct {
	Name  string
	Shape []int64
}

// node is a place in the module tree: a VarStore path, and its dotted
// PyTorch name (for recording).
type node struct {
	p    *nn.Path
	name string
}

func (n node) sub(s string) node {
	c := node{name: s}
	if n.name != "" {
		c.name = n.name + "." + s
	}
	if n.p != nil {
		c.p = n.p.Sub(s)
	}
	return c
}

// builder makes the U-Net's layers from nets/layers (PyTorch's default
// initialisation and parameter shapes) and keeps the first error, so the
// constructors below read like the module definitions. With rec set it
// allocates nothing and only records the parameters (Params).
type builder struct {
	err error
	rec *[]Param
}

// record notes a layer's weight and bias shapes; it reports whether the
// builder only records.
func (b *builder) record(n node, weight []int64, bias int64) bool {
	if b.rec == nil {
		return false
	}
	*b.rec = append(*b.rec, Param{Name: n.name + ".weight", Shape: weight}, Param{Name: n.name + ".bias", Shape: []int64{bias}})
	return true
}

func (b *builder) keep(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) linear(n node, in, out int64) *layers.Linear {
	if b.record(n, []int64{out, in}, out) {
		return &layers.Linear{}
	}
	l, err := layers.NewLinear(n.p, in, out, false)
	b.keep(err)
	return l
}

func (b *builder) conv(n node, in, out, k, stride, pad int64) *layers.Conv2d {
	if b.record(n, []int64{out, in, k, k}, out) {
		return &layers.Conv2d{}
	}
	c, err := layers.NewConv2d(n.p, in, out, k, layers.ConvOpts{Stride: stride, Padding: pad})
	b.keep(err)
	return c
}

func (b *builder) norm(n node, groups, ch int64) *layers.GroupNorm {
	if b.record(n, []int64{ch}, ch) {
		return &layers.GroupNorm{}
	}
	g, err := layers.NewGroupNorm(n.p, groups, ch, 1e-5)
	b.keep(err)
	return g
}

// resBlock: h = conv1(SiLU(GN(x))) + Linear(SiLU(temb)); h = conv2(Dropout(
// SiLU(GN(h)))); out = h + shortcut(x), shortcut a 1x1 conv when widths differ.
type resBlock struct {
	norm1, norm2 *layers.GroupNorm
	conv1, conv2 *layers.Conv2d
	temb         *layers.Linear
	shortcut     *layers.Conv2d
	dropout      float64
}

func (b *builder) resBlock(n node, in, out, ted, groups int64, dropout float64) *resBlock {
	r := &resBlock{
		norm1:   b.norm(n.sub("conv1").sub("0"), groups, in),
		conv1:   b.conv(n.sub("conv1").sub("2"), in, out, 3, 1, 1),
		temb:    b.linear(n.sub("time_emb").sub("1"), ted, out),
		norm2:   b.norm(n.sub("conv2").sub("0"), groups, out),
		conv2:   b.conv(n.sub("conv2").sub("3"), out, out, 3, 1, 1),
		dropout: dropout,
	}
	if in != out {
		r.shortcut = b.conv(n.sub("shortcut"), in, out, 1, 1, 0)
	}
	return r
}

func (r *resBlock) forward(s *backend.Scope, x, temb *ts.Tensor, train bool) *ts.Tensor {
	n := s.Add(r.norm1.Forward(x))
	a := next(s, n, s.Add(n.MustSilu(false)))
	h := next(s, a, s.Add(r.conv1.Forward(a)))
	e := s.Add(temb.MustSilu(false))
	te := next(s, e, s.Add(r.temb.Forward(e)))
	te = next(s, te, s.Add(s.Add(te.MustUnsqueeze(2, false)).MustUnsqueeze(3, false)))
	h = next(s, h, s.Add(h.MustAdd(te, false)))
	s.Release(te)
	n = next(s, h, s.Add(r.norm2.Forward(h)))
	a = next(s, n, s.Add(n.MustSilu(false)))
	if r.dropout > 0 && train {
		a = next(s, a, s.Add(ts.MustDropout(a, r.dropout, true)))
	}
	h = next(s, a, s.Add(r.conv2.Forward(a)))
	if r.shortcut == nil {
		return next(s, h, s.Add(h.MustAdd(x, false)))
	}
	sc := s.Add(r.shortcut.Forward(x))
	out := s.Add(h.MustAdd(sc, false))
	s.Release(h, sc)
	return out
}

// downsample is a 3x3 stride-2 convolution, padding 1.
type downsample struct{ op *layers.Conv2d }

func (b *builder) downsample(n node, ch int64) *downsample {
	return &downsample{op: b.conv(n.sub("op"), ch, ch, 3, 2, 1)}
}

func (d *downsample) forward(s *backend.Scope, x, _ *ts.Tensor, _ bool) *ts.Tensor {
	return s.Add(d.op.Forward(x))
}

// upsample is ConvTranspose2d(ch, ch, 3, stride 2, padding 1, output_padding
// 1), doubling each side.
type upsample struct{ op *layers.ConvTranspose2d }

func (b *builder) upsample(n node, ch int64) *upsample {
	if b.record(n.sub("op"), []int64{ch, ch, 3, 3}, ch) {
		return &upsample{op: &layers.ConvTranspose2d{}}
	}
	c, err := layers.NewConvTranspose2d(n.p.Sub("op"), ch, ch, 3, layers.ConvOpts{Stride: 2, Padding: 1, OutputPadding: 1})
	b.keep(err)
	return &upsample{op: c}
}

func (u *upsample) forward(s *backend.Scope, x, _ *ts.Tensor, _ bool) *ts.Tensor {
	return s.Add(u.op.Forward(x))
}
