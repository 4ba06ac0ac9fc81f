package siamese

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
)

// Kind is the model kind recorded in siamese checkpoints (train.Checkpoint).
const Kind = "siamese"

// ConfigState names the checkpoint state holding the architecture, so a
// checkpoint alone rebuilds the network.
const ConfigState = "model_config"

// Model couples a network with the variable store holding its weights.
type Model struct {
	Net *Net
	VS  *nn.VarStore
}

// NewModel builds a fresh CPU model with weights drawn from seed.
func NewModel(cfg Config, seed int64) (*Model, error) {
	vs := nn.NewVarStore(gotch.CPU)
	net, err := New(vs.Root(), cfg, seed)
	if err != nil {
		return nil, err
	}
	return &Model{Net: net, VS: vs}, nil
}

// Blob is a float32 array copied out of a tensor.
type Blob struct {
	Shape []int64
	Data  []float32
}

// Blobs copies every variable of the store (weights and BatchNorm
// running statistics) into Go memory, keyed by variable name.
func (m *Model) Blobs() map[string]Blob {
	out := map[string]Blob{}
	for _, p := range train.Variables(m.VS) {
		out[p.Name] = TensorBlob(p.Tensor)
	}
	return out
}

// TensorBlob copies a float32 tensor into Go memory.
func TensorBlob(t *ts.Tensor) Blob {
	shape := t.MustSize()
	vals := make([]float32, t.Numel())
	c := t.MustContiguous(false)
	c.MustCopyData(vals, uint(len(vals)))
	c.MustDrop()
	return Blob{Shape: shape, Data: vals}
}

// Put stores the architecture (state ConfigState) and every variable
// ("model/<name>") in c, whose Kind should be Kind.
func (m *Model) Put(c *train.Checkpoint) error {
	if err := c.PutState(ConfigState, m.Net.Config()); err != nil {
		return err
	}
	return train.SaveModel(c, m.VS)
}

// Save writes a model-only checkpoint to path, atomically.
func (m *Model) Save(path string) error {
	c := train.NewCheckpoint(Kind)
	if err := m.Put(c); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return c.Save(path)
}

// FromCheckpoint rebuilds the network from the stored architecture and
// loads its weights.
func FromCheckpoint(c *train.Checkpoint) (*Model, error) {
	var cfg Config
	if err := c.State(ConfigState, &cfg); err != nil {
		return nil, err
	}
	m, err := NewModel(cfg, 0)
	if err != nil {
		return nil, err
	}
	if err := train.LoadModel(c, m.VS); err != nil {
		return nil, err
	}
	return m, nil
}

// Load reads a siamese checkpoint (a train.Checkpoint of kind Kind),
// rebuilds the network and loads its weights; it also returns the whole
// checkpoint so a trainer can restore its state. Missing, truncated,
// foreign or inconsistent files are errors naming path.
func Load(path string) (*Model, *train.Checkpoint, error) {
	c, err := train.LoadCheckpoint(path, Kind)
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

// WithNoGrad runs fn with autograd off on a locked OS thread (libtorch's
// grad mode is per OS thread) and restores the previous mode; it is
// backend.NoGrad.
func WithNoGrad(fn func()) { backend.NoGrad(fn) }
