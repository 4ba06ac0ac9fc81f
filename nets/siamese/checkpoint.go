package siamese

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/sugarme/gotch/nn"
	"gonum.org/v1/gonum/stat"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/data/padding"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/contract"
)

// Kind is the model kind recorded in siamese checkpoints.
const Kind = "siamese"

// ConfigState names the checkpoint state holding the architecture, so a
// checkpoint alone rebuilds the network.
const ConfigState = "model_config"

// Model couples a network with the variable store holding its weights.
// Its inference methods are safe for concurrent use (calls are serialized).
type Model struct {
	Net *Net
	VS  *nn.VarStore
	mu  sync.Mutex
}

// NewModel builds a fresh model on the device chosen by backend.Init, with
// weights drawn from seed.
func NewModel(cfg Config, seed int64) (*Model, error) {
	vs := backend.NewVarStore()
	net, err := New(vs.Root(), cfg, seed)
	if err != nil {
		return nil, err
	}
	return &Model{Net: net, VS: vs}, nil
}

// Close frees the model's tensors; the model must not be used afterwards.
func (m *Model) Close() {
	if m != nil {
		contract.Free(&m.VS)
	}
}

// Put stores the architecture (state ConfigState) and every variable
// ("model/<name>") in c, whose Kind should be Kind.
func (m *Model) Put(c *checkpoint.Checkpoint) error {
	if err := c.PutState(ConfigState, m.Net.Config()); err != nil {
		return err
	}
	return backend.SaveVars(c, m.VS)
}

// Save writes a model-only checkpoint to path, atomically.
func (m *Model) Save(path string) error {
	c := checkpoint.New(Kind)
	if err := m.Put(c); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return c.Save(path)
}

// Role returns contract.DecisionMap: the network maps two sources to a
// soft decision map.
func (m *Model) Role() contract.Role { return contract.DecisionMap }

// Model keeps the model contract.
var _ contract.Model = (*Model)(nil)

// arch describes siamese networks to the shared loader.
var arch = contract.Arch[Config, *Model]{
	Name: Kind, Kind: Kind, SpecOf: configOf, Validate: Config.Validate, Match: matchProbes,
	Build: func(c Config) (*Model, *nn.VarStore, error) {
		// The weights are loaded next: zeros, not a random draw.
		vs := backend.NewVarStore()
		n, err := build(vs.Root(), c, nil)
		if err != nil {
			vs.Destroy()
			return nil, nil, err
		}
		return &Model{Net: n, VS: vs}, vs, nil
	},
}

// configOf returns the architecture stored in c (state ConfigState).
func configOf(c *checkpoint.Checkpoint) (Config, error) {
	var cfg Config
	if err := c.State(ConfigState, &cfg); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("stored architecture: %w", err)
	}
	return cfg, nil
}

// probes lists, for configuration c, the stored tensors that fix the
// network's size: the first convolution of every encoder level and of
// every residual, DFEB and GCB block, and the head. Every width and every
// repeat count of c shows in one of them, so a file whose stored weights
// hold them all cannot ask for a network much larger than it stores.
func probes(c Config) map[string][]int64 {
	p := map[string][]int64{"head.weight": {1, int64(c.Width), 3, 3}}
	in := int64(1)
	for l := 0; l <= c.Levels; l++ {
		w := int64(c.LevelWidth(l))
		p[fmt.Sprintf("enc_a.level%d.cbr.conv.weight", l)] = []int64{w, in, 3, 3}
		for i := 0; i < c.ResBlocks; i++ {
			p[fmt.Sprintf("enc_a.level%d.res%d.conv1.weight", l, i)] = []int64{w, w, 3, 3}
		}
		in = w
	}
	if c.Has(ModDFEB) {
		for i := 0; i < c.DFEBBlocks; i++ {
			p[fmt.Sprintf("enc_a.dfeb%d.conv1.weight", i)] = []int64{in, in, 3, 3}
		}
	}
	if c.Has(ModGCB) {
		g := int64(c.GCBWidth)
		p["gcb.first.weight"] = []int64{g, 1, 3, 3}
		for i := 0; i < c.GCBDepth-2; i++ {
			p[fmt.Sprintf("gcb.mid.%d.conv.weight", i)] = []int64{g, g, 3, 3}
		}
	}
	return p
}

// matchProbes checks the stored tensors against probes(c) before the
// network is built; backend.LoadWeights checks every tensor afterwards.
func matchProbes(c Config, stored map[string][]int64) error {
	want := probes(c)
	have := make(map[string][]int64, len(want))
	for name := range want {
		if s, ok := stored[name]; ok {
			have[name] = s
		}
	}
	if next := fmt.Sprintf("enc_a.level%d.cbr.conv.weight", c.Levels+1); stored[next] != nil {
		have[next] = stored[next]
	}
	return contract.MatchParams(want, have, "the siamese network of its stored architecture ("+c.Summary()+")")
}

// FromCheckpoint rebuilds the network from the stored architecture and
// loads its weights — the EMA copy when the run kept one — checked for
// shape and finiteness before any copy. The architecture's size is checked
// against the stored tensors before the network is built.
func FromCheckpoint(c *checkpoint.Checkpoint) (*Model, error) { return arch.FromCheckpoint(c) }

// Load reads a siamese checkpoint (a nets/checkpoint file of kind Kind),
// rebuilds the network and loads its weights; it also returns the whole
// checkpoint so a trainer can restore its state. Missing, truncated,
// foreign or inconsistent files are errors naming path.
func Load(path string) (*Model, *checkpoint.Checkpoint, error) { return arch.LoadCheckpoint(path) }

// DecisionMap returns the network's soft decision map for sources a and b
// (any size, gray or colour): one plane in [0,1] at a's size, the
// probability that a is the in-focus source. Each source enters as its
// luminance on [0,1] (data.Image.GrayUnit), padded by mirror reflection to
// a multiple of the network stride; the map is cropped back.
func (m *Model) DecisionMap(a, b *data.Image) (*data.Image, error) {
	return m.DecisionMapWith(a, b, MapOptions{})
}

// ViewCounts are the accepted values of MapOptions.Views.
var ViewCounts = []int{1, 2, 8, 16}

// MapOptions say how DecisionMapWith computes a map. The zero value is
// DecisionMap's plain map.
type MapOptions struct {
	// Views averages the map over views of the pair, a test-time
	// augmentation with the transforms the trainer augments with: 1 (or 0)
	// is the plain map; 2 adds the swapped pair (b, a), whose map counts as
	// 1 − D(b, a); 8 averages the 8 flips and transposes
	// (data.DihedralIndex); 16 does both. Each view's map is brought back
	// to a's geometry before the probabilities are averaged, so the result
	// is a soft map like DecisionMap's, at Views times its cost.
	Views int
	// EqualExposure scales the brighter source's luminance down so that
	// both have the same mean before the network sees them. Real pairs are
	// often shot at different exposures while a training pair shares one;
	// blur does not change the mean, so this removes a gain difference
	// without touching the focus cue.
	EqualExposure bool
}

// DecisionMapWith is DecisionMap computed as o says.
func (m *Model) DecisionMapWith(a, b *data.Image, o MapOptions) (*data.Image, error) {
	views := o.Views
	if views == 0 {
		views = 1
	}
	if !slices.Contains(ViewCounts, views) {
		return nil, fmt.Errorf("siamese: %d views, want one of %v", views, ViewCounts)
	}
	if err := data.SameSize(a, b); err != nil {
		return nil, fmt.Errorf("siamese: %w", err)
	}
	ga, gb, err := unitPlanes(a, b, o.EqualExposure)
	if err != nil {
		return nil, err
	}
	tfs, swaps := 1, 1
	if views >= 8 {
		tfs = 8
	}
	if views == 2 || views == 16 {
		swaps = 2
	}
	w, h := a.W, a.H
	acc := make([]float64, w*h)
	va, vb := ga, gb // view 0 is the pair as it is
	var ta, tb []float32
	for tf := 0; tf < tfs; tf++ {
		vw, vh := data.DihedralSize(tf, w, h)
		if tf > 0 {
			if ta == nil {
				ta, tb = make([]float32, w*h), make([]float32, w*h)
			}
			for y := 0; y < vh; y++ {
				for x := 0; x < vw; x++ {
					i := data.DihedralIndex(tf, x, y, w, h)
					ta[y*vw+x], tb[y*vw+x] = ga[i], gb[i]
				}
			}
			va, vb = ta, tb
		}
		for sw := 0; sw < swaps; sw++ {
			first, second := va, vb
			if sw == 1 {
				first, second = vb, va
			}
			p, err := m.forward(first, second, vw, vh)
			if err != nil {
				return nil, err
			}
			for y := 0; y < vh; y++ {
				for x := 0; x < vw; x++ {
					v := float64(p[y*vw+x])
					if sw == 1 {
						v = 1 - v
					}
					acc[data.DihedralIndex(tf, x, y, w, h)] += v
				}
			}
		}
	}
	img := data.NewImage(w, h, 1)
	n := float64(tfs * swaps)
	for i, v := range acc {
		img.Planes[0][i] = v / n
	}
	return img, nil
}

// exposureGains returns the factors that scale the brighter of two
// luminance planes down to the darker one's mean (scaling down never
// leaves the value range); 1, 1 when either mean is 0.
func exposureGains(a, b []float64) (ka, kb float64) {
	ma, mb := stat.Mean(a, nil), stat.Mean(b, nil)
	switch {
	case ma <= 0 || mb <= 0:
		return 1, 1
	case ma > mb:
		return mb / ma, 1
	default:
		return 1, ma / mb
	}
}

// unitPlanes returns the luminance of a and b on [0,1] (as
// data.Image.GrayUnit), scaled to equal means when equalExposure is set.
func unitPlanes(a, b *data.Image, equalExposure bool) (pa, pb []float32, err error) {
	ya, err := a.Gray()
	if err != nil {
		return nil, nil, fmt.Errorf("siamese: source A: %w", err)
	}
	yb, err := b.Gray()
	if err != nil {
		return nil, nil, fmt.Errorf("siamese: source B: %w", err)
	}
	ka, kb := 1.0, 1.0
	if equalExposure {
		ka, kb = exposureGains(ya.Planes[0], yb.Planes[0])
	}
	unit := func(p []float64, k float64) []float32 {
		out := make([]float32, len(p))
		for i, v := range p {
			out[i] = float32(v * k / 255)
		}
		return out
	}
	return unit(ya.Planes[0], ka), unit(yb.Planes[0], kb), nil
}

// forward runs the network once on two w x h luminance planes and returns
// the sigmoid of its logits at w x h.
func (m *Model) forward(ga, gb []float32, w, h int) ([]float32, error) {
	st := m.Net.Stride()
	pa, pw, ph := padding.Reflect(ga, w, h, st)
	pb, _, _ := padding.Reflect(gb, w, h, st)
	var vals []float32
	m.mu.Lock()
	defer m.mu.Unlock()
	err := backend.NoGrad(func() error {
		s := backend.NewScope()
		defer s.Close()
		shape := []int64{1, 1, int64(ph), int64(pw)}
		ta := s.Add(backend.MustFromFloat32(pa, shape...))
		tb := s.Add(backend.MustFromFloat32(pb, shape...))
		if err := m.Net.CheckInput(ta, tb); err != nil {
			return err
		}
		out := m.Net.Forward(ta, tb, false)
		s.Add(out.Logits)
		s.Add(out.CleanA)
		s.Add(out.CleanB)
		p := s.Add(out.Logits.MustSigmoid(false))
		var err error
		vals, err = backend.Float32s(p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("siamese: %w", err)
	}
	crop := padding.Crop(vals, pw, ph, w, h)
	for _, v := range crop {
		if math.IsNaN(float64(v)) {
			return nil, errors.New("siamese: the network produced NaN (damaged weights?)")
		}
	}
	return crop, nil
}
