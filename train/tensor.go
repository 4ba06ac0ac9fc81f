package train

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// ToArray copies a float32, float64 or int64 tensor to the host.
func ToArray(t *ts.Tensor) (Array, error) {
	shape, err := t.Size()
	if err != nil {
		return Array{}, err
	}
	n := t.Numel()
	a := Array{Shape: shape}
	switch t.DType() {
	case gotch.Float:
		v := make([]float32, n)
		if n > 0 {
			if err := t.CopyData(v, n); err != nil {
				return Array{}, err
			}
		}
		a.DType, a.Data = Float32, make([]byte, 4*n)
		for i, x := range v {
			binary.LittleEndian.PutUint32(a.Data[4*i:], math.Float32bits(x))
		}
	case gotch.Double:
		v := make([]float64, n)
		if n > 0 {
			if err := t.CopyData(v, n); err != nil {
				return Array{}, err
			}
		}
		a.DType, a.Data = Float64, make([]byte, 8*n)
		for i, x := range v {
			binary.LittleEndian.PutUint64(a.Data[8*i:], math.Float64bits(x))
		}
	case gotch.Int64:
		v := make([]int64, n)
		if n > 0 {
			if err := t.CopyData(v, n); err != nil {
				return Array{}, err
			}
		}
		a.DType, a.Data = Int64, make([]byte, 8*n)
		for i, x := range v {
			binary.LittleEndian.PutUint64(a.Data[8*i:], uint64(x))
		}
	default:
		return Array{}, fmt.Errorf("unsupported tensor dtype %v", t.DType())
	}
	return a, nil
}

func gotchDType(d DType) (gotch.DType, error) {
	switch d {
	case Float32:
		return gotch.Float, nil
	case Float64:
		return gotch.Double, nil
	case Int64:
		return gotch.Int64, nil
	}
	return gotch.Float, fmt.Errorf("unknown dtype %q", d)
}

// Tensor creates a new tensor holding a's values on device.
func (a Array) Tensor(device gotch.Device) (*ts.Tensor, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	dt, err := gotchDType(a.DType)
	if err != nil {
		return nil, err
	}
	// OfDataSize copies in native byte order; every supported host
	// (amd64, arm64) is little-endian like the stored bytes.
	t, err := ts.OfDataSize(a.Data, a.Shape, dt)
	if err != nil {
		return nil, err
	}
	if device == gotch.CPU {
		return t, nil
	}
	return t.To(device, true)
}

// CopyArray overwrites the values of t with a, which must have t's shape and
// dtype. It runs without gradient tracking so it can write parameters.
func CopyArray(t *ts.Tensor, a Array) error {
	if err := checkArray(t, a); err != nil {
		return err
	}
	src, err := a.Tensor(t.MustDevice())
	if err != nil {
		return err
	}
	noGrad(func() { t.Copy_(src) })
	return src.Drop()
}

// checkArray reports whether a can be copied into t.
func checkArray(t *ts.Tensor, a Array) error {
	shape, err := t.Size()
	if err != nil {
		return err
	}
	if !sameShape(shape, a.Shape) {
		return fmt.Errorf("stored shape %v, want %v", a.Shape, shape)
	}
	if dt, err := gotchDType(a.DType); err != nil || dt != t.DType() {
		return fmt.Errorf("stored dtype %s, want %v", a.DType, t.DType())
	}
	return nil
}

func sameShape(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// noGrad runs fn with gradient tracking off and restores the previous mode.
// gotch's own ts.NoGrad cannot be used: it always re-enables tracking, and
// its GradSetEnabled misreads the previous mode.
func noGrad(fn func()) { backend.NoGrad(fn) }

// Param is a named tensor of a model.
type Param struct {
	Name   string
	Tensor *ts.Tensor
	// vs keeps the VarStore, which owns the C tensor behind Tensor,
	// reachable: Tensor is a copy of its handle, and the original's
	// finalizer would free the tensor if the VarStore were collected.
	vs *nn.VarStore
}

// Variables returns all variables of vs (parameters and buffers) sorted by
// name.
func Variables(vs *nn.VarStore) []Param {
	m := vs.Variables()
	out := make([]Param, 0, len(m))
	for name, t := range m {
		// t is a per-iteration copy of the handle, sharing the VarStore's
		// C tensor; it carries no finalizer, so it never frees it.
		out = append(out, Param{Name: name, Tensor: &t, vs: vs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Trainable returns the variables of vs that require gradients, sorted by
// name: the parameters an optimizer updates.
func Trainable(vs *nn.VarStore) []Param {
	var out []Param
	for _, p := range Variables(vs) {
		if p.Tensor.MustRequiresGrad() {
			out = append(out, p)
		}
	}
	return out
}

// SaveModel copies every variable of vs into c under "model/<name>".
func SaveModel(c *Checkpoint, vs *nn.VarStore) error {
	return putParams(c, "model/", Variables(vs))
}

func putParams(c *Checkpoint, prefix string, ps []Param) error {
	for _, p := range ps {
		a, err := ToArray(p.Tensor)
		if err != nil {
			return fmt.Errorf("checkpoint %s%s: %w", prefix, p.Name, err)
		}
		c.Tensors[prefix+p.Name] = a
	}
	return nil
}

// LoadModel copies the "model/" tensors of c into vs. Every variable of vs
// must be present with the same shape and dtype; a tensor in c that vs does
// not have is an error too, so a checkpoint of another architecture is
// rejected instead of half-loaded.
func LoadModel(c *Checkpoint, vs *nn.VarStore) error {
	return loadParams(c.WithPrefix("model/"), Variables(vs), "model")
}

func loadParams(arrays map[string]Array, ps []Param, what string) error {
	var missing, extra []string
	have := map[string]bool{}
	for _, p := range ps {
		have[p.Name] = true
		if _, ok := arrays[p.Name]; !ok {
			missing = append(missing, p.Name)
		}
	}
	for name := range arrays {
		if !have[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		return fmt.Errorf("%s variables do not match: missing %s; unexpected %s", what, list(missing), list(extra))
	}
	for _, p := range ps {
		if err := checkArray(p.Tensor, arrays[p.Name]); err != nil {
			return fmt.Errorf("%s variable %q: %w", what, p.Name, err)
		}
	}
	for _, p := range ps {
		if err := CopyArray(p.Tensor, arrays[p.Name]); err != nil {
			return fmt.Errorf("%s variable %q: %w", what, p.Name, err)
		}
	}
	return nil
}

func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	if len(s) > 8 {
		return strings.Join(s[:8], ", ") + fmt.Sprintf(" and %d more", len(s)-8)
	}
	return strings.Join(s, ", ")
}
