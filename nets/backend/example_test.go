package backend_test

import (
	"fmt"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// A training or inference step: all tensor work inside WithScope (a
// locked OS thread), intermediates dropped when it returns.
func ExampleWithScope() {
	err := backend.WithScope(func(s *backend.Scope) error {
		x := s.Add(backend.MustFromFloat32([]float32{1, 2, 3, 4}, 2, 2))
		y := s.Add(x.MustMulScalar(s.Float(-1), false))
		s.Release(x) // dead before the step ends: free it now
		v, err := backend.Float32s(y)
		if err != nil {
			return err
		}
		fmt.Println(v, s.Len())
		return nil
	})
	fmt.Println(err)
	// Output:
	// [-1 -2 -3 -4] 1
	// <nil>
}

// Gradient-free evaluation keeps the grad mode of the locked thread off
// and restores it afterwards.
func ExampleNoGrad() {
	w := ts.MustOnes([]int64{2}, gotch.Float, gotch.CPU).MustSetRequiresGrad(true, true)
	defer backend.Drop(w)
	err := backend.NoGrad(func() error {
		y := w.MustMulScalar(ts.FloatScalar(2), false)
		defer backend.Drop(y)
		rg, _ := y.RequiresGrad()
		fmt.Println("inside:", backend.GradEnabled(), rg)
		return nil
	})
	fmt.Println(err)
	// Output:
	// inside: false false
	// <nil>
}
