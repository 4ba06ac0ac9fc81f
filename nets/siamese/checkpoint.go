package siamese

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sort"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
)

// Meta is the JSON header of a siamese checkpoint.
type Meta struct {
	// Format is always "mfif-siamese".
	Format string `json:"format"`
	// Config is the architecture, so a checkpoint alone rebuilds the net.
	Config Config `json:"config"`
	// Train is the trainer's resumable state (opaque to this package).
	Train json.RawMessage `json:"train,omitempty"`
}

const metaFormat = "mfif-siamese"

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

// Blobs copies every variable of the store (weights and BatchNorm
// running statistics) into Go memory, keyed by variable name.
func (m *Model) Blobs() map[string]Blob {
	out := map[string]Blob{}
	for name, t := range m.VS.Variables() {
		out[name] = TensorBlob(&t)
	}
	// Variables returns copies of the tensor handles; the originals (and
	// their finalizers, which free the C memory) must outlive the copies.
	runtime.KeepAlive(m)
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

// SetBlobs overwrites the store's variables with blobs of the same names
// and shapes; extra blobs (e.g. optimizer state) are ignored. A missing
// name or a shape mismatch is an error naming the variable.
func (m *Model) SetBlobs(blobs map[string]Blob) error {
	vars := m.VS.Variables()
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		b, ok := blobs[name]
		t := vars[name]
		if !ok {
			return fmt.Errorf("weights lack variable %q", name)
		}
		if fmt.Sprint(b.Shape) != fmt.Sprint(t.MustSize()) {
			return fmt.Errorf("variable %q has shape %v in the file, %v in the model", name, b.Shape, t.MustSize())
		}
	}
	WithNoGrad(func() {
		for _, name := range names {
			b, t := blobs[name], vars[name]
			src := ts.MustOfSlice(b.Data).MustView(b.Shape, true)
			t.Copy_(src)
			src.MustDrop()
		}
	})
	runtime.KeepAlive(m) // see Blobs
	return nil
}

// Save writes the model (config + all variables) and, optionally, the
// trainer's state and extra tensors to path, atomically.
func (m *Model) Save(path string, train json.RawMessage, extra map[string]Blob) error {
	meta, err := json.Marshal(Meta{Format: metaFormat, Config: m.Net.Config(), Train: train})
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	blobs := m.Blobs()
	for k, v := range extra {
		if _, dup := blobs[k]; dup {
			return fmt.Errorf("save %s: extra tensor %q collides with a model variable", path, k)
		}
		blobs[k] = v
	}
	return WriteTensorFile(path, meta, blobs)
}

// Load reads a checkpoint written by Save, rebuilds the network from its
// stored config and loads the weights. It returns the metadata and all
// blobs (so a trainer can restore optimizer state). Missing, truncated,
// foreign or inconsistent files are errors naming path.
func Load(path string) (*Model, Meta, map[string]Blob, error) {
	raw, blobs, err := ReadTensorFile(path)
	if err != nil {
		return nil, Meta{}, nil, err
	}
	var meta Meta
	if err := json.Unmarshal(raw, &meta); err != nil || meta.Format != metaFormat {
		return nil, Meta{}, nil, fmt.Errorf("checkpoint %s: not a siamese checkpoint (format %q, %v)", path, meta.Format, err)
	}
	m, err := NewModel(meta.Config, 0)
	if err != nil {
		return nil, Meta{}, nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := m.SetBlobs(blobs); err != nil {
		return nil, Meta{}, nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return m, meta, blobs, nil
}

// WithNoGrad runs fn with autograd off on a locked OS thread (libtorch's
// grad mode is per OS thread) and restores the previous mode; it is
// backend.NoGrad.
func WithNoGrad(fn func()) { backend.NoGrad(fn) }
