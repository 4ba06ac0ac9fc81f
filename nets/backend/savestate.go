package backend

/*
#include <stdlib.h>
#include "savestate.h"
*/
import "C"

import (
	"fmt"
	"os"
	"sort"
	"unsafe"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/internal/atomicfile"
)

// StateDictOf returns the VarStore's variables keyed by name (parameters
// and buffers). The tensors are shared with the VarStore, not copies, and
// the VarStore frees them when it is collected: keep vs reachable (e.g.
// runtime.KeepAlive(vs)) for as long as sd is used.
func StateDictOf(vs *nn.VarStore) map[string]*ts.Tensor {
	vars := vs.Variables()
	sd := make(map[string]*ts.Tensor, len(vars))
	for name, v := range vars {
		v := v
		sd[name] = &v
	}
	return sd
}

// EncodeStateDict serialises sd in torch.save's zip format using
// libtorch's own writer (torch::pickle_save). Tensors are detached and
// copied to the CPU. PyTorch reads the result with torch.load as a plain
// dict, which model.load_state_dict accepts.
func EncodeStateDict(sd map[string]*ts.Tensor) ([]byte, error) {
	names := make([]string, 0, len(sd))
	for k := range sd {
		names = append(names, k)
	}
	sort.Strings(names)
	n := len(names)
	cnames := C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(uintptr(0))))
	ctensors := C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(uintptr(0))))
	defer C.free(cnames)
	defer C.free(ctensors)
	nameSlice := unsafe.Slice((**C.char)(cnames), n+1)
	tensorSlice := unsafe.Slice((*unsafe.Pointer)(ctensors), n+1)
	for i, name := range names {
		t := sd[name]
		if t == nil || t.Ctensor() == nil {
			for j := 0; j < i; j++ {
				C.free(unsafe.Pointer(nameSlice[j]))
			}
			return nil, fmt.Errorf("state_dict entry %q is nil or dropped", name)
		}
		nameSlice[i] = C.CString(name)
		tensorSlice[i] = t.Ctensor()
	}
	defer func() {
		for i := 0; i < n; i++ {
			C.free(unsafe.Pointer(nameSlice[i]))
		}
	}()
	var out *C.char
	var outLen C.size_t
	if msg := C.mfif_pickle_state_dict((**C.char)(cnames), (*unsafe.Pointer)(ctensors), C.int(n), &out, &outLen); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return nil, fmt.Errorf("encode state_dict: %s", C.GoString(msg))
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoBytes(unsafe.Pointer(out), C.int(outLen)), nil
}

// SaveStateDict writes sd to path atomically (temp file + rename) in the
// torch.save format; see EncodeStateDict.
func SaveStateDict(path string, sd map[string]*ts.Tensor) error {
	b, err := EncodeStateDict(sd)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, b); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// SaveVarStore writes every variable of vs with SaveStateDict.
func SaveVarStore(path string, vs *nn.VarStore) error {
	return SaveStateDict(path, StateDictOf(vs))
}

// CheckTorchLoadable reads path with libtorch's torch.load reader
// (torch::pickle_load) and returns the number of tensors in its top-level
// dict. It accepts files from SaveStateDict; files from Python's
// torch.save hold an OrderedDict that this reader may reject, so use
// LoadStateDict for those.
func CheckTorchLoadable(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("load %s: %w", path, err)
	}
	if len(b) == 0 {
		return 0, fmt.Errorf("load %s: empty file", path)
	}
	var count C.int
	if msg := C.mfif_unpickle_count((*C.char)(unsafe.Pointer(&b[0])), C.size_t(len(b)), &count); msg != nil {
		defer C.free(unsafe.Pointer(msg))
		return 0, fmt.Errorf("load %s: %s", path, C.GoString(msg))
	}
	return int(count), nil
}
