package fusiondiff

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/layers"
)

// Net is the NoisePred U-Net. Its variables live in the VarStore it was
// built on, under the reference code's parameter names.
type Net struct {
	cfg       Config
	temb0     *layers.Linear
	temb2     *layers.Linear
	in        *layers.Conv2d
	down      []block
	mid       []block
	up        []block
	downSkips []int // indices into down after which a skip is saved
	upSkips   []int // indices into up after which a skip is added
	outNorm   *layers.GroupNorm
	outConv   *layers.Conv2d
}

// block is one entry of a down/middle/up sequence.
type block interface {
	// forward returns the block's output, registered in s; x stays alive.
	forward(s *backend.Scope, x, temb *ts.Tensor, train bool) *ts.Tensor
}

// New builds the U-Net on vs with PyTorch's default initialisation, on a
// locked OS thread (see backend.Run).
func New(vs *nn.VarStore, cfg Config) (m *Net, err error) {
	err = backend.Run(func() error {
		var err error
		m, err = build(vs, cfg)
		return err
	})
	return m, err
}

// build makes the U-Net; New runs it on a locked thread.
func build(vs *nn.VarStore, cfg Config) (*Net, error) {
	return construct(&builder{}, node{p: vs.Root()}, cfg)
}

// Params lists the names and shapes of the parameters of a network of
// configuration cfg, sorted by name, without allocating any tensor: Load
// checks a checkpoint against it before building anything.
func Params(cfg Config) ([]Param, error) {
	var rec []Param
	if _, err := construct(&builder{rec: &rec}, node{}, cfg); err != nil {
		return nil, err
	}
	sort.Slice(rec, func(i, j int) bool { return rec[i].Name < rec[j].Name })
	return rec, nil
}

// construct lays out the U-Net with b: real layers, or with b.rec only
// the parameter list.
func construct(b *builder, root node, cfg Config) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mc := int64(cfg.ModelChannels)
	ted := mc * int64(cfg.TimeEmbedDimMult)
	m := &Net{cfg: cfg}
	te := root.sub("time_embed")
	m.temb0 = b.linear(te.sub("0"), mc, ted)
	m.temb2 = b.linear(te.sub("2"), ted, ted)
	m.in = b.conv(root.sub("inBlock"), int64(cfg.InChannels), mc, 3, 1, 1)
	g := int64(cfg.Groups)
	res := func(p node, in, out int64) block {
		return b.resBlock(p, in, out, ted, g, cfg.Dropout)
	}

	// Encoder: NumResBlocks residual blocks per level, a stride-2 conv
	// after every level but the last. Each level's final output is a skip.
	downP := root.sub("downBlock")
	ch := mc
	for lvl, mult := range cfg.ChannelMult {
		out := mc * int64(mult)
		for range cfg.NumResBlocks {
			m.down = append(m.down, res(seq(downP, len(m.down)), ch, out))
			ch = out
		}
		if lvl < len(cfg.ChannelMult)-1 {
			m.down = append(m.down, b.downsample(seq(downP, len(m.down)), ch))
		}
		m.downSkips = append(m.downSkips, len(m.down)-1)
	}
	midP := root.sub("middleBlock")
	// The reference code's middle has num_res_blocks blocks.
	for i := 0; i < cfg.NumResBlocks; i++ {
		m.mid = append(m.mid, res(seq(midP, i), ch, ch))
	}

	// Decoder: level L-1..0; level l narrows to the width of level l-1 and
	// (except at the deepest level) upsamples. The outputs of levels L-1..1
	// receive the encoder skips of levels L-2..0; level 0 receives none.
	upP := root.sub("upBlock")
	for lvl := len(cfg.ChannelMult) - 1; lvl >= 0; lvl-- {
		out := mc * int64(cfg.ChannelMult[max(lvl-1, 0)])
		for range cfg.NumResBlocks {
			m.up = append(m.up, res(seq(upP, len(m.up)), ch, out))
			ch = out
		}
		if lvl < len(cfg.ChannelMult)-1 {
			m.up = append(m.up, b.upsample(seq(upP, len(m.up)), ch))
		}
		if lvl > 0 {
			m.upSkips = append(m.upSkips, len(m.up)-1)
		}
	}
	on := root.sub("outBlock")
	m.outNorm = b.norm(on.sub("0"), g, ch)
	m.outConv = b.conv(on.sub("2"), ch, int64(cfg.OutChannels), 3, 1, 1)
	if b.err != nil {
		return nil, fmt.Errorf("noisepred: %w", b.err)
	}
	return m, nil
}

// seq names element i of a Sequential of one-module Sequentials ("k.0").
func seq(p node, i int) node {
	return p.sub(strconv.Itoa(i)).sub("0")
}

// Config returns the configuration the model was built with.
func (m *Net) Config() Config { return m.cfg }

// CheckInput reports whether x (N, C, H, W) and t can be fed to the model.
func (m *Net) CheckInput(x *ts.Tensor, t []int64) error {
	size, err := x.Size()
	if err != nil {
		return fmt.Errorf("noisepred input: %w", err)
	}
	if len(size) != 4 || size[1] != int64(m.cfg.InChannels) {
		return fmt.Errorf("noisepred input: shape %v, want (N, %d, H, W)", size, m.cfg.InChannels)
	}
	if int(size[0]) != len(t) {
		return fmt.Errorf("noisepred input: batch %d but %d timesteps", size[0], len(t))
	}
	if size[2]%2 != 0 || size[3]%2 != 0 || size[2] < 2 || size[3] < 2 {
		return fmt.Errorf("noisepred input: %dx%d, sides must be even (pad to a multiple of %d)", size[3], size[2], m.cfg.Stride())
	}
	return nil
}

// Forward predicts the noise in x_t. x is [S1, S2, x_t] concatenated on
// channels (N, InChannels, H, W), float32; t holds one integer timestep per
// image. train enables dropout. Call CheckInput first on untrusted shapes.
// Every intermediate is freed before Forward returns (autograd keeps what
// backward needs); the caller owns the result.
func (m *Net) Forward(x *ts.Tensor, t []int64, train bool) *ts.Tensor {
	s := backend.NewScope()
	defer s.Close()
	emb := timestepEmbedding(s, t, int64(m.cfg.ModelChannels))
	h1 := s.Add(s.Add(m.temb0.Forward(emb)).MustSilu(false))
	temb := s.Add(m.temb2.Forward(h1))
	s.Release(emb, h1)

	h := s.Add(m.in.Forward(x))
	var skips []*ts.Tensor
	for i, b := range m.down {
		h = next(s, h, b.forward(s, h, temb, train))
		if contains(m.downSkips, i) {
			skips = append(skips, s.Add(h.MustShallowClone()))
		}
	}
	for _, b := range m.mid {
		h = next(s, h, b.forward(s, h, temb, train))
	}
	h = addSkip(s, h, skips[len(skips)-1])
	k := len(skips) - 2
	for i, b := range m.up {
		h = next(s, h, b.forward(s, h, temb, train))
		if contains(m.upSkips, i) {
			h = addSkip(s, h, skips[k])
			k--
		}
	}
	s.Release(skips...)
	a := next(s, h, s.Add(m.outNorm.Forward(h)))
	a = next(s, a, s.Add(a.MustSilu(false)))
	return m.outConv.Forward(a)
}

// next releases the dead tensor old and returns new (already in s).
func next(s *backend.Scope, old, new *ts.Tensor) *ts.Tensor {
	s.Release(old)
	return new
}

// addSkip crops h at the bottom/right to the skip's size (the reference
// code's h[:, :, :H, :W]), adds the skip and releases h.
func addSkip(s *backend.Scope, h, skip *ts.Tensor) *ts.Tensor {
	ss := skip.MustSize()
	hs := h.MustSize()
	if hs[2] != ss[2] || hs[3] != ss[3] {
		c := s.Add(s.Add(h.MustNarrow(2, 0, ss[2], false)).MustNarrow(3, 0, ss[3], false))
		h = next(s, h, c)
	}
	return next(s, h, s.Add(h.MustAdd(skip, false)))
}

func contains(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// timestepEmbedding is the sinusoidal embedding with cosines first:
// [cos(t f_i), sin(t f_i)], f_i = exp(-ln(10000) i / (dim/2)), computed in
// float32 with the same operation order as the reference code, on the
// device chosen by backend.Init.
func timestepEmbedding(s *backend.Scope, t []int64, dim int64) *ts.Tensor {
	half := dim / 2
	ar := s.Add(ts.MustArange(ts.IntScalar(half), gotch.Float, backend.Device()))
	f := s.Add(ar.MustMulScalar(s.Float(-math.Log(10000)), false))
	f = s.Add(f.MustDivScalar(s.Float(float64(half)), false))
	f = s.Add(s.Add(f.MustExp(false)).MustUnsqueeze(0, false))
	tv := make([]float32, len(t))
	for i, v := range t {
		tv[i] = float32(v) // exact for t < 2^24, as torch's .float()
	}
	tt := s.Add(backend.MustFromFloat32(tv, int64(len(t)), 1))
	args := s.Add(tt.MustMul(f, false))
	c := s.Add(args.MustCos(false))
	sn := s.Add(args.MustSin(false))
	return s.Add(ts.MustCat([]*ts.Tensor{c, sn}, 1))
}
