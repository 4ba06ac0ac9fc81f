package backend

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/pickle"
	"github.com/sugarme/gotch/ts"
)

// LoadStateDict reads a file written by PyTorch's
// torch.save(model.state_dict()) (zip format, torch >= 1.6, or the legacy
// format), or by SaveStateDict, into CPU tensors keyed by parameter name.
// 0-d entries such as BatchNorm's num_batches_tracked come back with
// shape [1]; ApplyStateDict treats [] and [1] as equal.
func LoadStateDict(path string) (sd map[string]*ts.Tensor, err error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	defer func() {
		if r := recover(); r != nil {
			sd, err = nil, fmt.Errorf("load %s: decoding state_dict: %v", path, r)
		}
	}()
	obj, err := pickle.LoadWithUnpickler(path, newUnpickler)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	sd = make(map[string]*ts.Tensor)
	add := func(key, value interface{}) error {
		name, ok := key.(string)
		if !ok {
			return fmt.Errorf("state_dict key %v is not a string", key)
		}
		st, ok := value.(*pickle.StorageTensor)
		if !ok {
			return fmt.Errorf("state_dict entry %s is %T, not a tensor", name, value)
		}
		t, err := rebuildTensor(st)
		if err != nil {
			return fmt.Errorf("state_dict entry %s: %w", name, err)
		}
		if t != nil {
			sd[name] = t
		}
		return nil
	}
	switch d := obj.(type) {
	case *pickle.Dict:
		for _, e := range *d {
			if err := add(e.Key, e.Value); err != nil {
				return nil, fmt.Errorf("load %s: %w", path, err)
			}
		}
	case *pickle.OrderedDict:
		for k, e := range d.Map {
			if err := add(k, e.Value); err != nil {
				return nil, fmt.Errorf("load %s: %w", path, err)
			}
		}
	default:
		return nil, fmt.Errorf("load %s: top-level object is %T, not a state_dict", path, obj)
	}
	return sd, nil
}

// newUnpickler extends gotch's unpickler with the one global libtorch's
// own writer (torch::pickle_save, used by SaveStateDict) emits for typed
// dicts: torch.jit._pickle.restore_type_tag(value, type) returns value.
func newUnpickler(r io.Reader) pickle.Unpickler {
	u := pickle.NewUnpickler(r)
	u.FindClass = func(module, name string) (interface{}, error) {
		if module == "torch.jit._pickle" && name == "restore_type_tag" {
			return restoreTypeTag{}, nil
		}
		return nil, fmt.Errorf("class not found: %s.%s", module, name)
	}
	return u
}

type restoreTypeTag struct{}

// Call returns its first argument.
func (restoreTypeTag) Call(args ...interface{}) (interface{}, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("restore_type_tag: no arguments")
	}
	return args[0], nil
}

// rebuildTensor materialises a pickled tensor view of a storage; it
// returns nil for empty storages (PyTorch's *_tracked placeholders).
func rebuildTensor(st *pickle.StorageTensor) (*ts.Tensor, error) {
	data := st.Source.GetData()
	n := reflect.ValueOf(data).Len()
	if n == 0 {
		return nil, nil
	}
	size, stride := st.Size, st.Stride
	if len(size) == 0 {
		size, stride = []int64{1}, []int64{1}
	}
	dtype := st.Source.DType()
	flat, err := ts.OfSlice(data, ts.WithDType(dtype))
	if err != nil {
		return nil, err
	}
	defer Drop(flat)
	view, err := flat.AsStrided(size, stride, []int64{st.StorageOffset}, false)
	if err != nil {
		return nil, err
	}
	defer Drop(view)
	out, err := view.Contiguous(false)
	if err != nil {
		return nil, err
	}
	if out.DType() != dtype {
		return out.Totype(dtype, true)
	}
	return out, nil
}

// LoadStateDictInto reads a PyTorch state_dict file and copies it into vs
// (see ApplyStateDict; strict as there). Errors name the file.
func LoadStateDictInto(vs *nn.VarStore, path string, strict bool) error {
	sd, err := LoadStateDict(path)
	if err != nil {
		return err
	}
	defer func() {
		for _, t := range sd {
			Drop(t)
		}
	}()
	if err := ApplyStateDict(vs, sd, strict); err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	return nil
}

// StateDictError lists everything that kept ApplyStateDict from matching a
// state_dict to a VarStore.
type StateDictError struct {
	// Missing are VarStore names the state_dict lacks.
	Missing []string
	// Unexpected are state_dict names the VarStore lacks.
	Unexpected []string
	// Mismatched describes names present in both with different shapes.
	Mismatched []string
}

// Error lists the problems, PyTorch load_state_dict style.
func (e *StateDictError) Error() string {
	var parts []string
	if len(e.Mismatched) > 0 {
		parts = append(parts, "size mismatch: "+strings.Join(e.Mismatched, "; "))
	}
	if len(e.Missing) > 0 {
		parts = append(parts, "missing keys: "+strings.Join(e.Missing, ", "))
	}
	if len(e.Unexpected) > 0 {
		parts = append(parts, "unexpected keys: "+strings.Join(e.Unexpected, ", "))
	}
	return "state_dict does not match model: " + strings.Join(parts, "; ")
}

// ApplyStateDict copies sd into the variables of vs by name (gotch
// VarStore names are the dot-joined paths, e.g. "down.0.conv.weight", so
// build models with PyTorch's module names). Shapes must match, except
// that [] and [1] are treated as equal. With strict, every VarStore
// variable must be present in sd and sd may hold nothing else; without it,
// names on only one side are ignored. Nothing is copied unless the check
// passes; the error is a *StateDictError.
func ApplyStateDict(vs *nn.VarStore, sd map[string]*ts.Tensor, strict bool) error {
	// vars holds copies of the handles; the VarStore's own tensors carry
	// the finalizers, so vs must stay reachable until the copies are done.
	defer runtime.KeepAlive(vs)
	vars := vs.Variables()
	e := &StateDictError{}
	for name, v := range vars {
		src, ok := sd[name]
		if !ok {
			e.Missing = append(e.Missing, name)
			continue
		}
		vshape, err := v.Size()
		if err != nil {
			return fmt.Errorf("state_dict: variable %s: %w", name, err)
		}
		sshape, err := src.Size()
		if err != nil {
			return fmt.Errorf("state_dict: entry %s: %w", name, err)
		}
		if !sameStateShape(vshape, sshape) {
			e.Mismatched = append(e.Mismatched, fmt.Sprintf("%s: model %v, state_dict %v", name, vshape, sshape))
		}
	}
	for name := range sd {
		if _, ok := vars[name]; !ok {
			e.Unexpected = append(e.Unexpected, name)
		}
	}
	sort.Strings(e.Missing)
	sort.Strings(e.Unexpected)
	sort.Strings(e.Mismatched)
	if len(e.Mismatched) > 0 || strict && (len(e.Missing) > 0 || len(e.Unexpected) > 0) {
		return e
	}
	return NoGrad(func() error {
		for name, v := range vars {
			src, ok := sd[name]
			if !ok {
				continue
			}
			if err := copyInto(&v, src); err != nil {
				return fmt.Errorf("state_dict: copy %s: %w", name, err)
			}
		}
		return nil
	})
}

// copyInto copies src into dst in place, converting dtype and device and
// reshaping [] <-> [1].
func copyInto(dst, src *ts.Tensor) error {
	shape, err := dst.Size()
	if err != nil {
		return err
	}
	conv, err := src.Totype(dst.DType(), false)
	if err != nil {
		return err
	}
	defer Drop(conv)
	moved, err := conv.To(dst.MustDevice(), false)
	if err != nil {
		return err
	}
	defer Drop(moved)
	var shaped *ts.Tensor
	if len(shape) == 0 { // gotch cannot pass an empty size slice
		shaped, err = moved.Squeeze(false)
	} else {
		shaped, err = moved.Reshape(shape, false)
	}
	if err != nil {
		return err
	}
	defer Drop(shaped)
	dst.Copy_(shaped)
	return ts.TorchErr()
}

// sameStateShape is shape equality that treats [] and [1] as equal (0-d
// entries of a state_dict come back with shape [1]).
func sameStateShape(a, b []int64) bool {
	if len(a) != len(b) {
		return numel(a) == 1 && numel(b) == 1 && len(a) <= 1 && len(b) <= 1
	}
	return slices.Equal(a, b)
}

func numel(s []int64) int64 {
	n := int64(1)
	for _, v := range s {
		n *= v
	}
	return n
}
