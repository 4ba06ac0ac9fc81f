// Package checkpoint is mfif's one checkpoint file format, shared by the
// trainers (train/...) that write checkpoints and the model packages
// (nets/...) that load them. It is pure Go: tensors are stored as Arrays
// (shape, element type, raw little-endian bytes); nets/backend converts
// them to and from libtorch tensors.
//
// A file is the 8 magic bytes "MFIFCKPT", the uint32 format version, the
// uint64 length of a JSON header, the header (kind, epoch, iteration,
// creation time, resolved YAML config, named JSON states, and a table of
// tensors with dtype, shape, offset and length), the tensor bytes in header
// order, and a CRC-32C (Castagnoli) of everything before it. Files are
// written atomically. docs/checkpoints.md documents the layout and the
// names used by the trainers.
package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sort"
	"time"

	"github.com/mfif/mfif/internal/atomicfile"
)

// FormatVersion is the checkpoint format version this package writes and
// the only one it reads.
const FormatVersion = 1

const (
	magic      = "MFIFCKPT"
	prefixSize = 8 + 4 + 8
	// maxHeader bounds the JSON header so a corrupted length cannot make
	// the loader allocate absurd amounts of memory.
	maxHeader = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrKind is wrapped by Load when the file holds another model
// kind than requested.
var ErrKind = errors.New("checkpoint is of another model kind")

// Checkpoint is the content of one checkpoint file. Tensors are keyed by
// namespaced names: "model/<var>" for weights and buffers, "optim/<slot>/<var>"
// for optimizer moments and "ema/<var>" for the EMA shadow; States holds named
// JSON documents ("optimizer", "rng", "history", ...).
type Checkpoint struct {
	// Kind names the model type ("siamese", "fusiondiff"); loading checks it.
	Kind string
	// Epoch is the number of completed epochs.
	Epoch int
	// Iteration is the number of completed optimizer steps.
	Iteration int64
	// Created is the wall-clock time the checkpoint was made (UTC, RFC 3339).
	Created string
	// Config is the resolved YAML configuration of the run.
	Config string
	// States maps a name to a JSON document.
	States map[string]json.RawMessage
	// Tensors maps a name to its data.
	Tensors map[string]Array
}

// header is the JSON header of the file.
type header struct {
	Format    int                        `json:"format"`
	Kind      string                     `json:"kind"`
	Epoch     int                        `json:"epoch"`
	Iteration int64                      `json:"iteration"`
	Created   string                     `json:"created"`
	Config    string                     `json:"config,omitempty"`
	States    map[string]json.RawMessage `json:"states,omitempty"`
	Tensors   []tensorEntry              `json:"tensors"`
	DataBytes int64                      `json:"data_bytes"`
}

type tensorEntry struct {
	Name   string  `json:"name"`
	DType  DType   `json:"dtype"`
	Shape  []int64 `json:"shape"`
	Offset int64   `json:"offset"`
	Length int64   `json:"length"`
}

// New returns an empty checkpoint of the given kind.
func New(kind string) *Checkpoint {
	return &Checkpoint{Kind: kind, States: map[string]json.RawMessage{}, Tensors: map[string]Array{}}
}

// PutState stores v, encoded as JSON, under name.
func (c *Checkpoint) PutState(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("checkpoint state %q: %w", name, err)
	}
	if c.States == nil {
		c.States = map[string]json.RawMessage{}
	}
	c.States[name] = b
	return nil
}

// State decodes the state stored under name into v. A missing state is an
// error naming it.
func (c *Checkpoint) State(name string, v any) error {
	b, ok := c.States[name]
	if !ok {
		return fmt.Errorf("checkpoint has no %q state", name)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("checkpoint state %q: %w", name, err)
	}
	return nil
}

// WithPrefix returns the tensors whose names start with prefix, keyed by the
// rest of the name.
func (c *Checkpoint) WithPrefix(prefix string) map[string]Array {
	out := map[string]Array{}
	for k, v := range c.Tensors {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			out[k[len(prefix):]] = v
		}
	}
	return out
}

// Save writes the checkpoint atomically to path. Created is filled in if
// empty.
func (c *Checkpoint) Save(path string) error {
	if c.Created == "" {
		c.Created = time.Now().UTC().Format(time.RFC3339)
	}
	if err := atomicfile.Write(path, c.encode); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// encode writes the file image of c to w.
func (c *Checkpoint) encode(w io.Writer) error {
	h := header{Format: FormatVersion, Kind: c.Kind, Epoch: c.Epoch, Iteration: c.Iteration,
		Created: c.Created, Config: c.Config, States: c.States}
	names := make([]string, 0, len(c.Tensors))
	for k := range c.Tensors {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		a := c.Tensors[n]
		if err := a.Validate(); err != nil {
			return fmt.Errorf("tensor %q: %w", n, err)
		}
		h.Tensors = append(h.Tensors, tensorEntry{Name: n, DType: a.DType, Shape: a.Shape,
			Offset: h.DataBytes, Length: int64(len(a.Data))})
		h.DataBytes += int64(len(a.Data))
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	crc := crc32.New(castagnoli)
	mw := io.MultiWriter(w, crc)
	var pre [prefixSize]byte
	copy(pre[:], magic)
	binary.LittleEndian.PutUint32(pre[8:], FormatVersion)
	binary.LittleEndian.PutUint64(pre[12:], uint64(len(hb)))
	if _, err := mw.Write(pre[:]); err != nil {
		return err
	}
	if _, err := mw.Write(hb); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := mw.Write(c.Tensors[n].Data); err != nil {
			return err
		}
	}
	return binary.Write(w, binary.LittleEndian, crc.Sum32())
}

// Load reads and verifies the checkpoint at path. If kind is not empty the
// checkpoint must be of that kind (the error then wraps ErrKind). Every
// failure names the file and the problem.
func Load(path, kind string) (*Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	c, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	if kind != "" && c.Kind != kind {
		return nil, fmt.Errorf("load checkpoint %s: %w: file holds %q, want %q", path, ErrKind, c.Kind, kind)
	}
	return c, nil
}

// Decode parses and verifies a whole checkpoint file image. Errors do not
// name a file; Load adds it.
func Decode(b []byte) (*Checkpoint, error) {
	if len(b) < len(magic) || !bytes.Equal(b[:len(magic)], []byte(magic)) {
		if len(b) < len(magic) && bytes.HasPrefix([]byte(magic), b) {
			return nil, fmt.Errorf("truncated: only %d bytes", len(b))
		}
		return nil, errors.New("not an mfif checkpoint (bad magic bytes)")
	}
	if len(b) < prefixSize+4 {
		return nil, fmt.Errorf("truncated: only %d bytes", len(b))
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != FormatVersion {
		return nil, fmt.Errorf("unsupported format version %d (this build reads %d)", v, FormatVersion)
	}
	hlen := binary.LittleEndian.Uint64(b[12:])
	if hlen > maxHeader || int64(hlen) > int64(len(b)-prefixSize-4) {
		return nil, fmt.Errorf("truncated or corrupt: header length %d exceeds file size %d", hlen, len(b))
	}
	var h header
	dec := json.NewDecoder(bytes.NewReader(b[prefixSize : prefixSize+int(hlen)]))
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("corrupt header: %w", err)
	}
	dataStart := int64(prefixSize) + int64(hlen)
	if want := dataStart + h.DataBytes + 4; h.DataBytes < 0 || int64(len(b)) != want {
		if int64(len(b)) < want {
			return nil, fmt.Errorf("truncated: %d bytes, header promises %d", len(b), want)
		}
		return nil, fmt.Errorf("corrupt: %d bytes, header promises %d", len(b), want)
	}
	body := len(b) - 4
	if got, want := crc32.Checksum(b[:body], castagnoli), binary.LittleEndian.Uint32(b[body:]); got != want {
		return nil, fmt.Errorf("corrupt: checksum mismatch (stored %08x, computed %08x)", want, got)
	}
	c := &Checkpoint{Kind: h.Kind, Epoch: h.Epoch, Iteration: h.Iteration, Created: h.Created,
		Config: h.Config, States: h.States, Tensors: map[string]Array{}}
	if c.States == nil {
		c.States = map[string]json.RawMessage{}
	}
	for _, e := range h.Tensors {
		if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > h.DataBytes {
			return nil, fmt.Errorf("corrupt: tensor %q lies outside the data section", e.Name)
		}
		if _, dup := c.Tensors[e.Name]; dup {
			return nil, fmt.Errorf("corrupt: tensor %q stored twice", e.Name)
		}
		a := Array{DType: e.DType, Shape: e.Shape, Data: b[dataStart+e.Offset : dataStart+e.Offset+e.Length : dataStart+e.Offset+e.Length]}
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("corrupt: tensor %q: %w", e.Name, err)
		}
		c.Tensors[e.Name] = a
	}
	return c, nil
}
