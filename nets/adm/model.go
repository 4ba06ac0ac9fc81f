package adm

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
)

// block is a TimestepEmbedSequential: layers applied in turn.
type block []layer

func (b block) forward(x, emb *ts.Tensor, train bool) *ts.Tensor {
	h := x
	for i, l := range b {
		nh := l.forward(h, emb, train)
		if i > 0 {
			h.MustDrop()
		}
		h = nh
	}
	return h
}

// Net is guided-diffusion's UNetModel for unconditional generation.
type Net struct {
	cfg         Config
	timeEmbed   [2]*linear
	input       []block
	middle      block
	output      []block
	outNorm     *groupNorm
	outConv     *conv
	inputWidths []int
}

// New adds the parameters of a UNetModel with configuration c to vs under
// the PyTorch names (e.g. "input_blocks.1.0.in_layers.2.weight"),
// initialised as PyTorch does (zero_module layers start at zero), on a
// locked OS thread (see backend.Run).
func New(vs *nn.VarStore, c Config) (m *Net, err error) {
	err = backend.Run(func() error {
		var err error
		m, err = newModel(vs, c)
		return err
	})
	return m, err
}

// newModel adds the parameters; New runs it on a locked thread.
func newModel(vs *nn.VarStore, c Config) (m *Net, err error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("adm: create parameters: %v", r)
		}
	}()
	var rec []Param
	return build(builder{p: vs.Root(), rec: &rec}, c), nil
}

// Params lists the parameter names and shapes of configuration c in
// state_dict order without allocating any tensor.
func Params(c Config) ([]Param, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var rec []Param
	build(builder{rec: &rec}, c)
	return rec, nil
}

// NumParams is the number of scalar parameters of configuration c.
func NumParams(c Config) (int64, error) {
	ps, err := Params(c)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, p := range ps {
		k := int64(1)
		for _, d := range p.Shape {
			k *= d
		}
		n += k
	}
	return n, nil
}

func build(b builder, c Config) *Net {
	mc := int64(c.NumChannels)
	ted := 4 * mc
	m := &Net{cfg: c}
	m.timeEmbed[0] = newLinear(b.sub("time_embed").sub("0"), mc, ted)
	m.timeEmbed[1] = newLinear(b.sub("time_embed").sub("2"), ted, ted)

	ib := b.sub("input_blocks")
	ch := int64(c.ChannelMult[0]) * mc
	m.input = append(m.input, block{convLayer{newConv(ib.sub("0").sub("0"), int64(c.InChannels), ch, 3, 1, false)}})
	widths := []int64{ch}
	ds := 1
	for level, mult := range c.ChannelMult {
		for range c.NumResBlocks {
			p := ib.sub(strconv.Itoa(len(m.input)))
			out := int64(mult) * mc
			bl := block{newResBlock(p.sub("0"), c, ch, out, false, false)}
			ch = out
			if c.attends(ds) {
				bl = append(bl, newAttention(p.sub("1"), ch, mustHeads(c, ch)))
			}
			m.input = append(m.input, bl)
			widths = append(widths, ch)
		}
		if level != len(c.ChannelMult)-1 {
			p := ib.sub(strconv.Itoa(len(m.input))).sub("0")
			m.input = append(m.input, block{downLayer(p, c, ch)})
			widths = append(widths, ch)
			ds *= 2
		}
	}

	mb := b.sub("middle_block")
	m.middle = block{
		newResBlock(mb.sub("0"), c, ch, ch, false, false),
		newAttention(mb.sub("1"), ch, mustHeads(c, ch)),
		newResBlock(mb.sub("2"), c, ch, ch, false, false),
	}

	ob := b.sub("output_blocks")
	for level := len(c.ChannelMult) - 1; level >= 0; level-- {
		for i := 0; i <= c.NumResBlocks; i++ {
			skip := widths[len(widths)-1]
			widths = widths[:len(widths)-1]
			p := ob.sub(strconv.Itoa(len(m.output)))
			out := int64(c.ChannelMult[level]) * mc
			bl := block{newResBlock(p.sub("0"), c, ch+skip, out, false, false)}
			ch = out
			if c.attends(ds) {
				bl = append(bl, newAttention(p.sub("1"), ch, mustHeads(c, ch)))
			}
			if level > 0 && i == c.NumResBlocks {
				bl = append(bl, upLayer(p.sub(strconv.Itoa(len(bl))), c, ch))
				ds /= 2
			}
			m.output = append(m.output, bl)
		}
	}
	m.outNorm = newGroupNorm(b.sub("out").sub("0"), ch)
	m.outConv = newConv(b.sub("out").sub("2"), ch, int64(c.OutChannels()), 3, 1, true)
	return m
}

func mustHeads(c Config, ch int64) int {
	h, err := c.heads(int(ch))
	if err != nil {
		panic(err) // Validate rules this out
	}
	return h
}

func downLayer(b builder, c Config, ch int64) layer {
	if c.ResblockUpdown {
		return newResBlock(b, c, ch, ch, false, true)
	}
	return &resample{c: newConv(b.sub("op"), ch, ch, 3, 2, false)}
}

func upLayer(b builder, c Config, ch int64) layer {
	if c.ResblockUpdown {
		return newResBlock(b, c, ch, ch, true, false)
	}
	return &resample{c: newConv(b.sub("conv"), ch, ch, 3, 1, false), up: true}
}

// Config returns the model's configuration.
func (m *Net) Config() Config { return m.cfg }

// CheckInput reports why x ([N, InChannels, H, W], sides multiples of
// Stride) and t (one timestep per sample) cannot go through Forward.
func (m *Net) CheckInput(x *ts.Tensor, t []int64) error {
	s, err := x.Size()
	if err != nil {
		return fmt.Errorf("adm: input: %w", err)
	}
	st := int64(m.cfg.Stride())
	switch {
	case len(s) != 4 || s[1] != int64(m.cfg.InChannels):
		return fmt.Errorf("adm: input shape %v, want [N, %d, H, W]", s, m.cfg.InChannels)
	case s[2]%st != 0 || s[3]%st != 0 || s[2] == 0 || s[3] == 0:
		return fmt.Errorf("adm: input %dx%d, sides must be positive multiples of %d", s[3], s[2], st)
	case int64(len(t)) != s[0]:
		return fmt.Errorf("adm: %d timesteps for a batch of %d", len(t), s[0])
	}
	return nil
}

// Forward returns the network output [N, OutChannels, H, W] (with
// LearnSigma the first InChannels are the noise estimate). It panics on
// libtorch errors; callers run it under backend.Run or use Predict.
func (m *Net) Forward(x *ts.Tensor, t []int64, train bool) *ts.Tensor {
	te := timestepEmbedding(t, int64(m.cfg.NumChannels))
	e := m.timeEmbed[0].forward(te)
	te.MustDrop()
	e = e.MustSilu(true)
	emb := m.timeEmbed[1].forward(e)
	e.MustDrop()
	defer emb.MustDrop()

	hs := make([]*ts.Tensor, 0, len(m.input))
	h := x
	for _, b := range m.input {
		h = b.forward(h, emb, train)
		hs = append(hs, h)
	}
	h = m.middle.forward(h, emb, train)
	for _, b := range m.output {
		skip := hs[len(hs)-1]
		hs = hs[:len(hs)-1]
		cat := ts.MustCat([]*ts.Tensor{h, skip}, 1)
		h.MustDrop()
		skip.MustDrop()
		h = b.forward(cat, emb, train)
		cat.MustDrop()
	}
	n := m.outNorm.forward(h).MustSilu(true)
	h.MustDrop()
	out := m.outConv.forward(n)
	n.MustDrop()
	return out
}

// Predict runs Forward without gradients and returns the output, turning
// libtorch panics into errors. The caller drops the result.
func (m *Net) Predict(x *ts.Tensor, t []int64) (out *ts.Tensor, err error) {
	if err := m.CheckInput(x, t); err != nil {
		return nil, err
	}
	err = backend.NoGrad(func() error {
		out = m.Forward(x, t, false)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("adm: forward: %w", err)
	}
	if out == nil {
		return nil, errors.New("adm: forward returned nothing")
	}
	return out, nil
}

// timestepEmbedding is guided-diffusion's sinusoidal embedding [cos, sin]
// with max period 10000, evaluated in float32 tensor ops as PyTorch does,
// on the device chosen by backend.Init. The caller drops the result.
func timestepEmbedding(t []int64, dim int64) *ts.Tensor {
	s := backend.NewScope()
	defer s.Close()
	dev := backend.Device()
	half := dim / 2
	f := s.Add(ts.MustArange(ts.IntScalar(half), gotch.Float, dev))
	f = s.Add(f.MustMulScalar(s.Float(-math.Log(10000)), false))
	f = s.Add(f.MustDivScalar(s.Float(float64(half)), false))
	f = s.Add(s.Add(f.MustExp(false)).MustUnsqueeze(0, false))
	tv := make([]float32, len(t))
	for i, v := range t {
		tv[i] = float32(v)
	}
	tt := s.Add(backend.MustFromFloat32(tv, int64(len(t)), 1))
	args := s.Add(tt.MustMul(f, false))
	c := s.Add(args.MustCos(false))
	sn := s.Add(args.MustSin(false))
	out := ts.MustCat([]*ts.Tensor{c, sn}, 1)
	if dim%2 == 1 {
		s.Add(out)
		z := s.Add(ts.MustZeros([]int64{int64(len(t)), 1}, gotch.Float, dev))
		out = ts.MustCat([]*ts.Tensor{out, z}, 1)
	}
	return out
}
