package backend

import (
	"fmt"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/data/npy"
)

// ArrayTensor copies a .npy array into a CPU tensor of the given kind (e.g.
// gotch.Float, gotch.Double, gotch.Int64).
func ArrayTensor(a *npy.Array, kind gotch.DType) (*ts.Tensor, error) {
	var flat *ts.Tensor
	var err error
	if a.Int64 != nil {
		flat, err = ts.OfSlice(a.Int64)
	} else {
		flat, err = ts.OfSlice(a.Data)
	}
	if err != nil {
		return nil, fmt.Errorf("npy %v tensor: %w", a.Shape, err)
	}
	shaped, err := flat.View(append([]int64{}, a.Shape...), true)
	if err != nil {
		return nil, fmt.Errorf("npy %v tensor: %w", a.Shape, err)
	}
	out, err := shaped.Totype(kind, true)
	if err != nil {
		return nil, fmt.Errorf("npy %v tensor as %v: %w", a.Shape, kind, err)
	}
	return out, nil
}
