package siamese

import (
	"fmt"
	"math/rand"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// encoder is one branch: a CBR stem, then per level (max-pool ×2 except at
// level 0) a CBR that sets the level's width and ResBlocks residual
// blocks; DFEB blocks sit at the bottleneck.
type encoder struct {
	stem  []*cbr
	res   [][]*resBlock
	dfebs []*dfeb
}

func newEncoder(p *nn.Path, rng *rand.Rand, cfg Config) *encoder {
	e := &encoder{}
	in := 1
	for l := 0; l <= cfg.Levels; l++ {
		lp := p.Sub("level" + itoa(l))
		w := cfg.LevelWidth(l)
		e.stem = append(e.stem, newCBR(lp.Sub("cbr"), rng, in, w, 3))
		var blocks []*resBlock
		for i := 0; i < cfg.ResBlocks; i++ {
			blocks = append(blocks, newResBlock(lp.Sub("res"+itoa(i)), rng, w, cfg.Has(ModResidual)))
		}
		e.res = append(e.res, blocks)
		in = w
	}
	if cfg.Has(ModDFEB) {
		w := cfg.LevelWidth(cfg.Levels)
		for i := 0; i < cfg.DFEBBlocks; i++ {
			e.dfebs = append(e.dfebs, newDFEB(p.Sub("dfeb"+itoa(i)), rng, w, cfg.CGAHidden))
		}
	}
	return e
}

// fwd returns the feature map of every level, finest first.
func (e *encoder) fwd(s *backend.Scope, x *ts.Tensor, train bool) []*ts.Tensor {
	var feats []*ts.Tensor
	y := x
	for l := range e.stem {
		if l > 0 {
			pooled := s.Add(y.MustMaxPool2d([]int64{2, 2}, []int64{2, 2}, []int64{0, 0}, []int64{1, 1}, false, false))
			y = e.stem[l].fwd(s, pooled, train)
			s.Release(pooled)
		} else {
			y = e.stem[l].fwd(s, y, train)
		}
		for _, b := range e.res[l] {
			prev := y
			y = b.fwd(s, y, train)
			s.Release(prev) // not a skip: only each level's last map is kept
		}
		if l == len(e.stem)-1 {
			for _, d := range e.dfebs {
				y = d.fwd(s, y)
			}
		}
		feats = append(feats, y)
	}
	return feats
}

// decStage upsamples the coarser decoder output, concatenates the merged
// skip features of its level, applies a CBR and (optionally) DCA.
type decStage struct {
	cbr *cbr
	dca *dca
}

// Net is the Siamese multi-scale-attention decision-map network. It maps
// two gray sources (N,1,H,W) in [0,1] to the logit of the probability that
// source A is in focus at each pixel. H and W must be multiples of Stride.
type Net struct {
	cfg        Config
	gcb        *gcb
	encA, encB *encoder
	merge      []*cbr
	dec        []*decStage
	head       *conv
}

// Output holds the tensors of one forward pass. The caller owns them and
// must drop them (Drop).
type Output struct {
	// Logits is (N,1,H,W); sigmoid gives the decision map d (1 ⇒ A).
	Logits *ts.Tensor
	// CleanA, CleanB are the GCB outputs (the inputs when GCB is off,
	// shallow copies so Drop is always safe).
	CleanA, CleanB *ts.Tensor
}

// AddTo registers the output tensors in s, which frees them at Close.
func (o Output) AddTo(s *backend.Scope) {
	s.Add(o.Logits)
	s.Add(o.CleanA)
	s.Add(o.CleanB)
}

// Drop frees the output tensors.
func (o Output) Drop() {
	for _, t := range []*ts.Tensor{o.Logits, o.CleanA, o.CleanB} {
		if t != nil {
			t.MustDrop()
		}
	}
}

// New builds the network's parameters under root, drawing initial values
// from a Go RNG seeded with seed (so two calls with one seed are equal), on
// a locked OS thread (see backend.Run).
func New(root *nn.Path, cfg Config, seed int64) (n *Net, err error) {
	return build(root, cfg, rand.New(rand.NewSource(seed)))
}

// build runs newNet on a locked OS thread.
func build(root *nn.Path, cfg Config, rng *rand.Rand) (n *Net, err error) {
	err = backend.Run(func() error {
		var err error
		n, err = newNet(root, cfg, rng)
		return err
	})
	return n, err
}

// newNet builds the network, its parameters drawn from rng, or zero when
// rng is nil (see param).
func newNet(root *nn.Path, cfg Config, rng *rand.Rand) (*Net, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Net{cfg: cfg}
	if cfg.Has(ModGCB) {
		n.gcb = newGCB(root.Sub("gcb"), rng, cfg.GCBDepth, cfg.GCBWidth)
	}
	n.encA = newEncoder(root.Sub("enc_a"), rng, cfg)
	n.encB = n.encA
	if !cfg.Has(ModSiamese) {
		n.encB = newEncoder(root.Sub("enc_b"), rng, cfg)
	}
	for l := 0; l <= cfg.Levels; l++ {
		w := cfg.LevelWidth(l)
		n.merge = append(n.merge, newCBR(root.Sub("merge"+itoa(l)), rng, 2*w, w, 1))
	}
	for l := cfg.Levels - 1; l >= 0; l-- {
		p := root.Sub("dec" + itoa(l))
		w := cfg.LevelWidth(l)
		st := &decStage{cbr: newCBR(p.Sub("cbr"), rng, cfg.LevelWidth(l+1)+w, w, 3)}
		if cfg.Has(ModDCA) {
			st.dca = newDCA(p.Sub("dca"), rng, w, cfg.CBAMReduction, cfg.Has(ModResidual))
		}
		n.dec = append(n.dec, st)
	}
	n.head = newConv(root.Sub("head"), rng, cfg.Width, 1, 3, convOpt{bias: true})
	return n, nil
}

// Config returns the configuration the network was built with.
func (n *Net) Config() Config { return n.cfg }

// Stride is the multiple H and W must have.
func (n *Net) Stride() int { return n.cfg.Stride() }

// CheckInput reports why a and b cannot be fed to Forward, or nil.
func (n *Net) CheckInput(a, b *ts.Tensor) error {
	sa, sb := a.MustSize(), b.MustSize()
	if len(sa) != 4 || sa[1] != 1 {
		return fmt.Errorf("siamese: source A has shape %v, want (N,1,H,W)", sa)
	}
	if fmt.Sprint(sa) != fmt.Sprint(sb) {
		return fmt.Errorf("siamese: sources differ in shape: %v vs %v", sa, sb)
	}
	st := int64(n.Stride())
	if sa[2]%st != 0 || sa[3]%st != 0 || sa[2] == 0 || sa[3] == 0 {
		return fmt.Errorf("siamese: size %dx%d is not a positive multiple of the stride %d", sa[3], sa[2], st)
	}
	return nil
}

// Forward runs the network. train selects batch statistics in BatchNorm
// (and updates its running averages). Call CheckInput first when shapes
// come from outside: libtorch errors on bad shapes end the process.
func (n *Net) Forward(a, b *ts.Tensor, train bool) Output {
	s := backend.NewScope()
	defer s.Close()
	var out Output
	if n.gcb != nil {
		out.CleanA = n.gcb.fwd(s, a, train)
		out.CleanB = n.gcb.fwd(s, b, train)
	} else {
		out.CleanA, out.CleanB = a.MustShallowClone(), b.MustShallowClone()
	}
	fa := n.encA.fwd(s, out.CleanA, train)
	fb := n.encB.fwd(s, out.CleanB, train)
	// Every intermediate is released as soon as nothing later reads it
	// (autograd keeps what backward needs), so inference holds only the
	// merged skips and the current stage: keeping each stage's maps to the
	// end of the pass would need several times the memory at full
	// resolution (TestDecisionMapMemory).
	merged := make([]*ts.Tensor, len(fa))
	for l := range fa {
		cat := s.Add(ts.MustCat([]*ts.Tensor{fa[l], fb[l]}, 1))
		if fb[l] != fa[l] {
			s.Release(fb[l])
		}
		s.Release(fa[l])
		merged[l] = n.merge[l].fwd(s, cat, train)
		s.Release(cat)
	}
	d := merged[len(merged)-1]
	for i, st := range n.dec {
		l := len(merged) - 2 - i
		sz := merged[l].MustSize()
		up := s.Add(d.MustUpsampleBilinear2d([]int64{sz[2], sz[3]}, false, nil, nil, false))
		s.Release(d)
		cat := s.Add(ts.MustCat([]*ts.Tensor{up, merged[l]}, 1))
		s.Release(up, merged[l])
		d = st.cbr.fwd(s, cat, train)
		s.Release(cat)
		if st.dca != nil {
			prev := d
			d = st.dca.fwd(s, d)
			s.Release(prev)
		}
	}
	out.Logits = n.head.fwd(d)
	return out
}
