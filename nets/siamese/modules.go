package siamese

import (
	"math/rand"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// gcb is the GenClean Block: a DnCNN [64] of depth d on one gray channel —
// conv+ReLU, (d−2)×(conv+BN+ReLU), conv — predicting the noise, so the
// clean image is x − net(x) (residual learning, as in the DnCNN paper).
type gcb struct {
	first *conv
	mid   []*cbr
	last  *conv
}

func newGCB(p *nn.Path, rng *rand.Rand, depth, width int) *gcb {
	g := &gcb{first: newConv(p.Sub("first"), rng, 1, width, 3, convOpt{bias: true})}
	for i := 0; i < depth-2; i++ {
		g.mid = append(g.mid, newCBR(p.Sub("mid").Sub(itoa(i)), rng, width, width, 3))
	}
	g.last = newConv(p.Sub("last"), rng, width, 1, 3, convOpt{})
	return g
}

func (g *gcb) fwd(s *backend.Scope, x *ts.Tensor, train bool) *ts.Tensor {
	c := g.first.fwd(x)
	y := s.Add(c.MustRelu(false))
	c.MustDrop()
	for _, m := range g.mid {
		prev := y
		y = m.fwd(s, y, train)
		s.Release(prev)
	}
	noise := s.Add(g.last.fwd(y))
	s.Release(y)
	return x.MustSub(noise, false)
}

// cga is content-guided attention (DEA-Net [65], the paper's eqs. 5-7):
// coarse map W_coa = W_c + W_s (channel MLP on GAP, 7×7 conv on channel
// avg/max), then a per-channel refinement by a grouped 7×7 conv over the
// channel-shuffled pairs (x_c, W_coa,c) and a sigmoid.
type cga struct {
	ca1, ca2, sa, pa *conv
	c                int64
}

func newCGA(p *nn.Path, rng *rand.Rand, c, hidden int) *cga {
	return &cga{
		ca1: newConv(p.Sub("ca1"), rng, c, hidden, 1, convOpt{bias: true}),
		ca2: newConv(p.Sub("ca2"), rng, hidden, c, 1, convOpt{bias: true}),
		sa:  newConv(p.Sub("sa"), rng, 2, 1, 7, convOpt{bias: true}),
		pa:  newConv(p.Sub("pa"), rng, 2*c, c, 7, convOpt{bias: true, groups: int64(c)}),
		c:   int64(c),
	}
}

func (m *cga) fwd(s *backend.Scope, x *ts.Tensor) *ts.Tensor {
	g := s.Add(x.MustAdaptiveAvgPool2d([]int64{1, 1}, false))
	wc := s.Add(m.ca1.fwd(g))
	wc = s.Add(wc.MustRelu(false))
	wc = s.Add(m.ca2.fwd(wc))
	ws := s.Add(m.sa.fwd(channelStats(s, x)))
	coarse := s.Add(wc.MustAdd(ws, false)) // broadcast to (N,C,H,W)
	sz := x.MustSize()
	// stack on a new axis 2 then merge it into the channels: x0,w0,x1,w1,…
	z := s.Add(ts.MustStack([]*ts.Tensor{x, coarse}, 2))
	z = s.Add(z.MustReshape([]int64{sz[0], 2 * m.c, sz[2], sz[3]}, false))
	w := s.Add(m.pa.fwd(z))
	return s.Add(w.MustSigmoid(false))
}

// dfeb is the Deep Feature Extraction Block, modelled on DEA-Net's DEAB:
// a two-conv feature-extraction block with a residual, the concatenation
// [features, input] reduced back to C by a 1×1 conv, a CGA map multiplying
// the features, and an outer residual to the block input.
type dfeb struct {
	c1, c2, fuse *conv
	att          *cga
}

func newDFEB(p *nn.Path, rng *rand.Rand, c, hidden int) *dfeb {
	return &dfeb{
		c1:   newConv(p.Sub("conv1"), rng, c, c, 3, convOpt{bias: true}),
		c2:   newConv(p.Sub("conv2"), rng, c, c, 3, convOpt{bias: true}),
		fuse: newConv(p.Sub("fuse"), rng, 2*c, c, 1, convOpt{bias: true}),
		att:  newCGA(p.Sub("cga"), rng, c, hidden),
	}
}

func (m *dfeb) fwd(s *backend.Scope, x *ts.Tensor) *ts.Tensor {
	r := s.Add(m.c1.fwd(x))
	r = s.Add(r.MustRelu(false))
	r = s.Add(r.MustAdd(x, false))
	r = s.Add(m.c2.fwd(r))
	r = s.Add(m.fuse.fwd(s.Add(ts.MustCat([]*ts.Tensor{r, x}, 1))))
	w := m.att.fwd(s, r)
	r = s.Add(r.MustMul(w, false))
	return s.Add(r.MustAdd(x, false))
}

// dca is the Dilated Convolutional Attention module (the paper's §3.2):
// three 3×3 convs with dilation 1, 2, 4 + ReLU, concatenated and reduced by
// a 1×1 conv; CBAM channel attention (eqs. 1-2, shared MLP on avg- and
// max-pooled features) then spatial attention (eqs. 3-4, 7×7 conv on the
// channel avg/max); with residual, the input is concatenated to the result
// and a 1×1 conv + ReLU brings it back to C channels.
type dca struct {
	d        [3]*conv
	merge    *conv
	mlp1     *conv
	mlp2     *conv
	spatial  *conv
	res      *conv
	residual bool
}

func newDCA(p *nn.Path, rng *rand.Rand, c, reduction int, residual bool) *dca {
	hidden := c / reduction
	if hidden < 1 {
		hidden = 1
	}
	m := &dca{residual: residual}
	for i, dil := range []int64{1, 2, 4} {
		m.d[i] = newConv(p.Sub("dil"+itoa(int(dil))), rng, c, c, 3, convOpt{dil: dil, bias: true})
	}
	m.merge = newConv(p.Sub("merge"), rng, 3*c, c, 1, convOpt{bias: true})
	m.mlp1 = newConv(p.Sub("mlp1"), rng, c, hidden, 1, convOpt{bias: true})
	m.mlp2 = newConv(p.Sub("mlp2"), rng, hidden, c, 1, convOpt{bias: true})
	m.spatial = newConv(p.Sub("spatial"), rng, 2, 1, 7, convOpt{})
	if residual {
		m.res = newConv(p.Sub("res"), rng, 2*c, c, 1, convOpt{bias: true})
	}
	return m
}

func (m *dca) mlp(s *backend.Scope, x *ts.Tensor) *ts.Tensor {
	h := s.Add(m.mlp1.fwd(x))
	h = s.Add(h.MustRelu(false))
	return s.Add(m.mlp2.fwd(h))
}

func (m *dca) fwd(s *backend.Scope, x *ts.Tensor) *ts.Tensor {
	var br []*ts.Tensor
	for _, c := range m.d {
		y := s.Add(c.fwd(x))
		br = append(br, s.Add(y.MustRelu(false)))
		s.Release(y)
	}
	cat := s.Add(ts.MustCat(br, 1))
	for _, b := range br {
		s.Release(b)
	}
	f := s.Add(m.merge.fwd(cat))
	s.Release(cat)
	avg := s.Add(f.MustAdaptiveAvgPool2d([]int64{1, 1}, false))
	mx := s.Add(f.MustAmax([]int64{2, 3}, true, false))
	mc := s.Add(m.mlp(s, avg).MustAdd(m.mlp(s, mx), false))
	mc = s.Add(mc.MustSigmoid(false))
	f1 := s.Add(f.MustMul(mc, false))
	s.Release(f) // the full-resolution maps go as soon as they are read
	stats := channelStats(s, f1)
	ms := s.Add(m.spatial.fwd(stats))
	s.Release(stats)
	ms = s.Add(ms.MustSigmoid(false))
	f2 := s.Add(f1.MustMul(ms, false))
	s.Release(f1)
	if m.residual {
		cat := s.Add(ts.MustCat([]*ts.Tensor{f2, x}, 1))
		s.Release(f2)
		f2 = s.Add(m.res.fwd(cat))
		s.Release(cat)
	}
	out := s.Add(f2.MustRelu(false))
	s.Release(f2)
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
