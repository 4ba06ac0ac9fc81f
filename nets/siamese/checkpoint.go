package siamese

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sync"

	"github.com/sugarme/gotch/nn"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/data/padding"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
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
	if m != nil && m.VS != nil {
		m.VS.Destroy()
		m.VS = nil
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

// FromCheckpoint rebuilds the network from the stored architecture and
// loads its weights — the EMA copy when the run kept one — checked for
// shape and finiteness before any copy.
func FromCheckpoint(c *checkpoint.Checkpoint) (*Model, error) {
	var cfg Config
	if err := c.State(ConfigState, &cfg); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("stored architecture: %w", err)
	}
	m, err := NewModel(cfg, 0)
	if err != nil {
		return nil, err
	}
	if err := backend.LoadWeights(c, m.VS); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Load reads a siamese checkpoint (a nets/checkpoint file of kind Kind),
// rebuilds the network and loads its weights; it also returns the whole
// checkpoint so a trainer can restore its state. Missing, truncated,
// foreign or inconsistent files are errors naming path.
func Load(path string) (*Model, *checkpoint.Checkpoint, error) {
	c, err := checkpoint.Load(path, Kind)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("corrupt or not a siamese checkpoint: %w", err)
	}
	m, err := FromCheckpoint(c)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return m, c, nil
}

// DecisionMap returns the network's soft decision map for sources a and b
// (any size, gray or colour): one plane in [0,1] at a's size, the
// probability that a is the in-focus source. Each source enters as its
// luminance on [0,1] (data.Image.GrayUnit), padded by mirror reflection to
// a multiple of the network stride; the map is cropped back.
func (m *Model) DecisionMap(a, b *data.Image) (*data.Image, error) {
	if err := data.SameSize(a, b); err != nil {
		return nil, fmt.Errorf("siamese: %w", err)
	}
	ga, err := a.GrayUnit()
	if err != nil {
		return nil, fmt.Errorf("siamese: source A: %w", err)
	}
	gb, err := b.GrayUnit()
	if err != nil {
		return nil, fmt.Errorf("siamese: source B: %w", err)
	}
	st := m.Net.Stride()
	pa, pw, ph := padding.Reflect(ga, a.W, a.H, st)
	pb, _, _ := padding.Reflect(gb, a.W, a.H, st)
	var vals []float32
	m.mu.Lock()
	defer m.mu.Unlock()
	err = backend.NoGrad(func() error {
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
	crop := padding.Crop(vals, pw, ph, a.W, a.H)
	img := data.NewImage(a.W, a.H, 1)
	for i, v := range crop {
		if math.IsNaN(float64(v)) {
			return nil, errors.New("siamese: the network produced NaN (damaged weights?)")
		}
		img.Planes[0][i] = float64(v)
	}
	return img, nil
}
