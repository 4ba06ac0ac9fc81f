package adm

import (
	"math"
	"sync"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// Param names one parameter of the network and its shape.
type Param struct {
	Name  string
	Shape []int64
}

// builder creates parameters under a dotted PyTorch name. With a nil path
// it only records names and shapes, so the layout of a 550 M-parameter
// model can be listed without allocating it.
type builder struct {
	p    *nn.Path
	name string
	rec  *[]Param
}

func (b builder) sub(s string) builder {
	nb := builder{name: s, rec: b.rec}
	if b.name != "" {
		nb.name = b.name + "." + s
	}
	if b.p != nil {
		nb.p = b.p.Sub(s)
	}
	return nb
}

// v adds parameter name; bound > 0 draws U(-bound, bound) (PyTorch's
// default for convolutions and linear layers), bound 0 gives zeros (the
// zero_module layers of guided-diffusion) and bound < 0 ones.
func (b builder) v(name string, shape []int64, bound float64) *ts.Tensor {
	full := name
	if b.name != "" {
		full = b.name + "." + name
	}
	*b.rec = append(*b.rec, Param{Name: full, Shape: shape})
	if b.p == nil {
		return nil
	}
	var ini nn.Init
	switch {
	case bound > 0:
		ini = nn.NewUniformInit(-bound, bound)
	case bound == 0:
		ini = nn.NewConstInit(0)
	default:
		ini = nn.NewConstInit(1)
	}
	return b.p.MustNewVar(name, shape, ini)
}

type linear struct{ w, b *ts.Tensor }

func newLinear(b builder, in, out int64) *linear {
	bd := 1 / math.Sqrt(float64(in))
	return &linear{w: b.v("weight", []int64{out, in}, bd), b: b.v("bias", []int64{out}, bd)}
}

func (l *linear) forward(x *ts.Tensor) *ts.Tensor { return ts.MustLinear(x, l.w, l.b) }

// conv is a 2-D convolution (k x k, stride 1 or 2, "same" padding) or,
// with oneD, the 1x1 Conv1d guided-diffusion uses inside attention.
type conv struct {
	w, b   *ts.Tensor
	k, str int64
	oneD   bool
}

func newConv(b builder, in, out, k, stride int64, zero bool) *conv {
	bd := 1 / math.Sqrt(float64(in*k*k))
	if zero {
		bd = 0
	}
	return &conv{w: b.v("weight", []int64{out, in, k, k}, bd), b: b.v("bias", []int64{out}, bd), k: k, str: stride}
}

func newConv1d(b builder, in, out int64, zero bool) *conv {
	bd := 1 / math.Sqrt(float64(in))
	if zero {
		bd = 0
	}
	return &conv{w: b.v("weight", []int64{out, in, 1}, bd), b: b.v("bias", []int64{out}, bd), k: 1, str: 1, oneD: true}
}

func (c *conv) forward(x *ts.Tensor) *ts.Tensor {
	if c.oneD {
		return ts.MustConv1d(x, c.w, c.b, []int64{1}, []int64{0}, []int64{1}, 1)
	}
	p := c.k / 2
	return ts.MustConv2d(x, c.w, c.b, []int64{c.str, c.str}, []int64{p, p}, []int64{1, 1}, 1)
}

// groupNorm is guided-diffusion's normalization(): GroupNorm(32, ch),
// computed in float32.
type groupNorm struct{ w, b *ts.Tensor }

func newGroupNorm(b builder, ch int64) *groupNorm {
	return &groupNorm{w: b.v("weight", []int64{ch}, -1), b: b.v("bias", []int64{ch}, 0)}
}

func (g *groupNorm) forward(x *ts.Tensor) *ts.Tensor {
	return ts.MustGroupNorm(x, 32, g.w, g.b, 1e-5, false)
}

// upsample2 is nearest-neighbour 2x upsampling.
func upsample2(x *ts.Tensor) *ts.Tensor {
	s := x.MustSize()
	return x.MustUpsampleNearest2d([]int64{2 * s[2], 2 * s[3]}, nil, nil, false)
}

// avgPool2 is 2x2 average pooling with stride 2.
func avgPool2(x *ts.Tensor) *ts.Tensor {
	return x.MustAvgPool2d([]int64{2, 2}, []int64{2, 2}, []int64{0, 0}, false, true, nil, false)
}

// layer is one module inside a TimestepEmbedSequential block.
type layer interface {
	forward(x, emb *ts.Tensor, train bool) *ts.Tensor
}

// convLayer adapts a convolution (the stem) to layer.
type convLayer struct{ c *conv }

func (l convLayer) forward(x, _ *ts.Tensor, _ bool) *ts.Tensor { return l.c.forward(x) }

// resample is the separate Downsample/Upsample module used when
// resblock_updown is off (conv_resample on).
type resample struct {
	c  *conv
	up bool
}

func (r *resample) forward(x, _ *ts.Tensor, _ bool) *ts.Tensor {
	if !r.up {
		return r.c.forward(x)
	}
	u := upsample2(x)
	out := r.c.forward(u)
	u.MustDrop()
	return out
}

// resBlock is guided-diffusion's ResBlock (2-D, no checkpointing).
type resBlock struct {
	inNorm, outNorm *groupNorm
	inConv, outConv *conv
	emb             *linear
	skip            *conv
	up, down        bool
	scaleShift      bool
	dropout         float64
}

func newResBlock(b builder, c Config, in, out int64, up, down bool) *resBlock {
	ted := int64(4 * c.NumChannels)
	embOut := out
	if c.UseScaleShiftNorm {
		embOut = 2 * out
	}
	r := &resBlock{
		inNorm:     newGroupNorm(b.sub("in_layers").sub("0"), in),
		inConv:     newConv(b.sub("in_layers").sub("2"), in, out, 3, 1, false),
		emb:        newLinear(b.sub("emb_layers").sub("1"), ted, embOut),
		outNorm:    newGroupNorm(b.sub("out_layers").sub("0"), out),
		outConv:    newConv(b.sub("out_layers").sub("3"), out, out, 3, 1, true),
		up:         up,
		down:       down,
		scaleShift: c.UseScaleShiftNorm,
		dropout:    c.Dropout,
	}
	if in != out {
		r.skip = newConv(b.sub("skip_connection"), in, out, 1, 1, false)
	}
	return r
}

func (r *resBlock) resample(x *ts.Tensor) *ts.Tensor {
	if r.up {
		return upsample2(x)
	}
	return avgPool2(x)
}

func (r *resBlock) forward(x, emb *ts.Tensor, train bool) *ts.Tensor {
	h := r.inNorm.forward(x).MustSilu(true)
	if r.up || r.down {
		h2 := r.resample(h)
		h.MustDrop()
		h = h2
		x = r.resample(x)
		defer x.MustDrop()
	}
	h2 := r.inConv.forward(h)
	h.MustDrop()
	h = h2

	e := emb.MustSilu(false)
	eo := r.emb.forward(e)
	e.MustDrop()
	eo = eo.MustUnsqueeze(2, true).MustUnsqueeze(3, true)
	var n *ts.Tensor
	if r.scaleShift {
		n = r.outNorm.forward(h)
		h.MustDrop()
		ch := eo.MustSize()[1] / 2
		scale := eo.MustNarrow(1, 0, ch, false).MustAddScalar(one, true)
		shift := eo.MustNarrow(1, ch, ch, false)
		n = n.MustMul(scale, true).MustAdd(shift, true)
		scale.MustDrop()
		shift.MustDrop()
	} else {
		// Without scale-shift the embedding is added before the norm.
		hh := h.MustAdd(eo, true)
		n = r.outNorm.forward(hh)
		hh.MustDrop()
	}
	eo.MustDrop()
	a := n.MustSilu(true)
	if train && r.dropout > 0 {
		d := ts.MustDropout(a, r.dropout, true)
		a.MustDrop()
		a = d
	}
	out := r.outConv.forward(a)
	a.MustDrop()
	if r.skip == nil {
		return out.MustAdd(x, true)
	}
	s := r.skip.forward(x)
	out = out.MustAdd(s, true)
	s.MustDrop()
	return out
}

// one is the scalar 1, shared by every forward pass (a scalar per call
// would wait for a Go finalizer to be freed).
var one = ts.FloatScalar(1)

// attention is guided-diffusion's AttentionBlock with QKVAttentionLegacy
// (heads split before q, k, v).
type attention struct {
	norm  *groupNorm
	qkv   *conv
	proj  *conv
	heads int64
	// scales caches 1/ch^(1/4) per head width ch as a libtorch scalar.
	scales map[int64]*ts.Scalar
	mu     sync.Mutex
}

// scale returns the query/key scale 1/sqrt(sqrt(ch)) as a cached scalar.
func (a *attention) scale(ch int64) *ts.Scalar {
	a.mu.Lock()
	defer a.mu.Unlock()
	if sc, ok := a.scales[ch]; ok {
		return sc
	}
	if a.scales == nil {
		a.scales = map[int64]*ts.Scalar{}
	}
	sc := ts.FloatScalar(1 / math.Sqrt(math.Sqrt(float64(ch))))
	a.scales[ch] = sc
	return sc
}

func newAttention(b builder, ch int64, heads int) *attention {
	return &attention{
		norm:  newGroupNorm(b.sub("norm"), ch),
		qkv:   newConv1d(b.sub("qkv"), ch, 3*ch, false),
		proj:  newConv1d(b.sub("proj_out"), ch, ch, true),
		heads: int64(heads),
	}
}

func (a *attention) forward(x, _ *ts.Tensor, _ bool) *ts.Tensor {
	s := x.MustSize()
	bs, c, l := s[0], s[1], s[2]*s[3]
	xf := x.MustReshape([]int64{bs, c, l}, false)
	n := a.norm.forward(xf)
	qkv := a.qkv.forward(n)
	n.MustDrop()
	ch := c / a.heads
	qkv = qkv.MustReshape([]int64{bs * a.heads, 3 * ch, l}, true)
	scale := a.scale(ch)
	q := qkv.MustNarrow(1, 0, ch, false).MustMulScalar(scale, true)
	k := qkv.MustNarrow(1, ch, ch, false).MustMulScalar(scale, true)
	v := qkv.MustNarrow(1, 2*ch, ch, false)
	qkv.MustDrop()
	qt := q.MustTranspose(1, 2, true)
	w := qt.MustBmm(k, true) // [B, t, s]
	k.MustDrop()
	w = w.MustSoftmax(-1, w.DType(), true)
	wt := w.MustTranspose(1, 2, true)
	h := v.MustBmm(wt, true) // [B, ch, t]
	wt.MustDrop()
	h = h.MustReshape([]int64{bs, c, l}, true)
	p := a.proj.forward(h)
	h.MustDrop()
	out := xf.MustAdd(p, true)
	p.MustDrop()
	return out.MustReshape(s, true)
}
