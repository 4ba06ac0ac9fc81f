package backend

/*
#include <stdint.h>
#include <stdlib.h>
#include "optimstep.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/sugarme/gotch/ts"
)

// AdamConfig holds the hyper-parameters of one AdamUpdate call.
type AdamConfig struct {
	LR, Beta1, Beta2, Eps float64
	// WeightDecay is applied as Adam's L2 term (added to the gradient) or,
	// with Decoupled, as AdamW's decay of the weights.
	WeightDecay float64
	Decoupled   bool
}

// ctensors returns the C handles of ts as a C array (free with C.free).
func ctensors(tensors []*ts.Tensor) **unsafe.Pointer {
	if len(tensors) == 0 {
		return nil
	}
	arr := (*[1 << 28]unsafe.Pointer)(C.malloc(C.size_t(len(tensors)) * C.size_t(unsafe.Sizeof(unsafe.Pointer(nil)))))
	for i, t := range tensors {
		arr[i] = t.Ctensor()
	}
	return (**unsafe.Pointer)(unsafe.Pointer(arr))
}

func cerr(what string, msg *C.char) error {
	if msg == nil {
		return nil
	}
	return fmt.Errorf("backend: %s: %w", what, errors.New(C.GoString(msg)))
}

// HasGrad reports for each parameter whether it has a defined gradient,
// in one call into libtorch.
func HasGrad(params []*ts.Tensor) ([]bool, error) {
	out := make([]bool, len(params))
	if len(params) == 0 {
		return out, nil
	}
	arr := ctensors(params)
	defer C.free(unsafe.Pointer(arr))
	has := make([]uint8, len(params))
	if err := cerr("has grad", C.mfif_has_grad((*unsafe.Pointer)(unsafe.Pointer(arr)), C.int(len(params)), (*C.uint8_t)(&has[0]))); err != nil {
		return nil, err
	}
	for i, h := range has {
		out[i] = h != 0
	}
	return out, nil
}

// ZeroGrads zeroes the defined gradients of params in place, in one call
// into libtorch (the same values as copying zeros into each).
func ZeroGrads(params []*ts.Tensor) error {
	if len(params) == 0 {
		return nil
	}
	arr := ctensors(params)
	defer C.free(unsafe.Pointer(arr))
	return cerr("zero grads", C.mfif_zero_grads((*unsafe.Pointer)(unsafe.Pointer(arr)), C.int(len(params))))
}

// AdamUpdate applies one Adam (or AdamW) update to every parameter with a
// gradient, in one call into libtorch: m = b1 m + (1-b1) g,
// v = b2 v + ((1-b2) g) g, w += (-lr/bc1 m) / (sqrt(v)/sqrt(bc2) + eps),
// with the bias corrections bc1[i] = 1-b1^t and bc2[i] = 1-b2^t of each
// parameter's step count t. m and v are the moment tensors, updated in
// place; parameters without a gradient are left alone. Each tensor
// operation is the one PyTorch's single-tensor Adam makes, so the result
// is the same as issuing them one by one.
func AdamUpdate(params, m, v []*ts.Tensor, bc1, bc2 []float64, c AdamConfig) error {
	n := len(params)
	if len(m) != n || len(v) != n || len(bc1) != n || len(bc2) != n {
		return fmt.Errorf("backend: adam update: %d params but %d, %d moments and %d, %d bias corrections", n, len(m), len(v), len(bc1), len(bc2))
	}
	if n == 0 {
		return nil
	}
	pa, ma, va := ctensors(params), ctensors(m), ctensors(v)
	defer C.free(unsafe.Pointer(pa))
	defer C.free(unsafe.Pointer(ma))
	defer C.free(unsafe.Pointer(va))
	mode := 0
	if c.WeightDecay != 0 {
		mode = 1
		if c.Decoupled {
			mode = 2
		}
	}
	msg := C.mfif_adam((*unsafe.Pointer)(unsafe.Pointer(pa)), (*unsafe.Pointer)(unsafe.Pointer(ma)), (*unsafe.Pointer)(unsafe.Pointer(va)),
		C.int(n), (*C.double)(&bc1[0]), (*C.double)(&bc2[0]), C.double(c.LR), C.double(c.Beta1), C.double(c.Beta2),
		C.double(c.Eps), C.double(c.WeightDecay), C.int(mode))
	return cerr("adam update", msg)
}
