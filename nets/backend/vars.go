package backend

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/checkpoint"
)

// Param is a named tensor of a model (a parameter or a buffer).
type Param struct {
	Name   string
	Tensor *ts.Tensor
	// vs keeps the VarStore, which owns the C tensor behind Tensor,
	// reachable: Tensor is a copy of its handle, and the original's
	// finalizer would free the tensor if the VarStore were collected.
	vs *nn.VarStore
}

// HostUniform returns a float32 tensor of shape dims drawn from U(lo, hi)
// by libtorch's CPU generator and placed on device d, so a seed gives the
// same values on every device (CUDA's generator draws another stream). The
// caller drops the result.
func HostUniform(dims []int64, lo, hi float64, d gotch.Device) (*ts.Tensor, error) {
	t, err := ts.Zeros(dims, gotch.Float, gotch.CPU)
	if err != nil {
		return nil, err
	}
	if err := t.Uniform_(lo, hi); err != nil {
		t.MustDrop()
		return nil, err
	}
	if d == gotch.CPU {
		return t, nil
	}
	defer t.MustDrop()
	return t.To(d, false)
}

// NewVarStore returns an empty VarStore on the device chosen by Init.
func NewVarStore() *nn.VarStore { return nn.NewVarStore(Device()) }

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

// NumParams is the number of elements in the trainable variables of vs.
func NumParams(vs *nn.VarStore) int64 {
	defer runtime.KeepAlive(vs)
	var n int64
	for _, p := range Trainable(vs) {
		n += int64(p.Tensor.Numel())
	}
	return n
}

// ToArray copies a float32, float64 or int64 tensor (on any device) to the
// host.
func ToArray(t *ts.Tensor) (checkpoint.Array, error) {
	shape, err := t.Size()
	if err != nil {
		return checkpoint.Array{}, err
	}
	src := t
	if t.MustDevice().IsCuda() {
		if src, err = t.To(gotch.CPU, false); err != nil {
			return checkpoint.Array{}, err
		}
		defer Drop(src)
	}
	n := src.Numel()
	a := checkpoint.Array{Shape: shape}
	switch src.DType() {
	case gotch.Float:
		v := make([]float32, n)
		if n > 0 {
			if err := src.CopyData(v, n); err != nil {
				return checkpoint.Array{}, err
			}
		}
		a.DType, a.Data = checkpoint.Float32, make([]byte, 4*n)
		for i, x := range v {
			binary.LittleEndian.PutUint32(a.Data[4*i:], math.Float32bits(x))
		}
	case gotch.Double:
		v := make([]float64, n)
		if n > 0 {
			if err := src.CopyData(v, n); err != nil {
				return checkpoint.Array{}, err
			}
		}
		a.DType, a.Data = checkpoint.Float64, make([]byte, 8*n)
		for i, x := range v {
			binary.LittleEndian.PutUint64(a.Data[8*i:], math.Float64bits(x))
		}
	case gotch.Int64:
		v := make([]int64, n)
		if n > 0 {
			if err := src.CopyData(v, n); err != nil {
				return checkpoint.Array{}, err
			}
		}
		a.DType, a.Data = checkpoint.Int64, make([]byte, 8*n)
		for i, x := range v {
			binary.LittleEndian.PutUint64(a.Data[8*i:], uint64(x))
		}
	default:
		return checkpoint.Array{}, fmt.Errorf("unsupported tensor dtype %v", src.DType())
	}
	return a, nil
}

func gotchDType(d checkpoint.DType) (gotch.DType, error) {
	switch d {
	case checkpoint.Float32:
		return gotch.Float, nil
	case checkpoint.Float64:
		return gotch.Double, nil
	case checkpoint.Int64:
		return gotch.Int64, nil
	}
	return gotch.Float, fmt.Errorf("unknown dtype %q", d)
}

// TensorOf creates a new tensor holding a's values on device.
func TensorOf(a checkpoint.Array, device gotch.Device) (*ts.Tensor, error) {
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
	if !device.IsCuda() {
		return t, nil
	}
	return t.To(device, true)
}

// CopyArray overwrites the values of t with a, which must have t's shape
// and dtype. It runs without gradient tracking so it can write parameters.
func CopyArray(t *ts.Tensor, a checkpoint.Array) error {
	if err := CheckArray(t, a); err != nil {
		return err
	}
	src, err := TensorOf(a, t.MustDevice())
	if err != nil {
		return err
	}
	defer Drop(src)
	return NoGrad(func() error { t.Copy_(src); return nil })
}

// CheckArray reports whether a can be copied into t: same shape and dtype.
func CheckArray(t *ts.Tensor, a checkpoint.Array) error {
	shape, err := t.Size()
	if err != nil {
		return err
	}
	if !slices.Equal(shape, a.Shape) {
		return fmt.Errorf("stored shape %v, want %v", a.Shape, shape)
	}
	if dt, err := gotchDType(a.DType); err != nil || dt != t.DType() {
		return fmt.Errorf("stored dtype %s, want %v", a.DType, t.DType())
	}
	return nil
}

// checkFinite reports the first NaN or infinite value of a float array.
func checkFinite(a checkpoint.Array) error {
	if a.DType != checkpoint.Float32 && a.DType != checkpoint.Float64 {
		return nil
	}
	v, err := a.Float64s()
	if err != nil {
		return err
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("element %d is %v (damaged or diverged weights)", i, x)
		}
	}
	return nil
}

// PutParams copies the tensors of ps into c under prefix+name.
func PutParams(c *checkpoint.Checkpoint, prefix string, ps []Param) error {
	for _, p := range ps {
		a, err := ToArray(p.Tensor)
		if err != nil {
			return fmt.Errorf("checkpoint %s%s: %w", prefix, p.Name, err)
		}
		c.Tensors[prefix+p.Name] = a
	}
	return nil
}

// SaveVars copies every variable of vs into c under "model/<name>".
func SaveVars(c *checkpoint.Checkpoint, vs *nn.VarStore) error {
	defer runtime.KeepAlive(vs)
	return PutParams(c, "model/", Variables(vs))
}

// LoadVars copies the "model/" tensors of c into vs. Every variable of vs
// must be present with the same shape and dtype and hold finite values; a
// tensor in c that vs does not have is an error too, so a checkpoint of
// another architecture is rejected instead of half-loaded. Nothing is
// copied unless every check passes.
func LoadVars(c *checkpoint.Checkpoint, vs *nn.VarStore) error {
	defer runtime.KeepAlive(vs)
	return LoadParams(c.WithPrefix("model/"), Variables(vs), "model")
}

// LoadParams copies arrays (keyed by name) into ps after checking that the
// names match exactly and every shape, dtype and value fits; what names the
// set in errors ("model", "ema", ...).
func LoadParams(arrays map[string]checkpoint.Array, ps []Param, what string) error {
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
		a := arrays[p.Name]
		if err := CheckArray(p.Tensor, a); err != nil {
			return fmt.Errorf("%s variable %q: %w", what, p.Name, err)
		}
		if err := checkFinite(a); err != nil {
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

// LoadWeights copies the weights of c into vs for inference: the "model/"
// tensors, then, when c holds an exponential moving average ("ema/"
// tensors, written by the trainer's EMA), the averaged values over them,
// which are the weights diffusion models sample with.
func LoadWeights(c *checkpoint.Checkpoint, vs *nn.VarStore) error {
	if err := LoadVars(c, vs); err != nil {
		return err
	}
	ema := c.WithPrefix("ema/")
	if len(ema) == 0 {
		return nil
	}
	defer runtime.KeepAlive(vs)
	var ps []Param
	for _, p := range Variables(vs) {
		if _, ok := ema[p.Name]; ok {
			ps = append(ps, p)
		}
	}
	if len(ps) != len(ema) {
		return fmt.Errorf("ema holds %d tensors, %d of which name model variables", len(ema), len(ps))
	}
	return LoadParams(ema, ps, "ema")
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
