package backend_test

import (
	"fmt"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// A training or inference step: all tensor work inside WithScope (a
// locked OS thread), intermediates dropped when it returns.
func ExampleWithScope() {
	img := data.NewImage(4, 2, 1)
	img.Set(0, 1, 1, 255)
	err := backend.WithScope(func(s *backend.Scope) error {
		x, err := backend.FromImages([]*data.Image{img}, backend.Signed)
		if err != nil {
			return err
		}
		s.Add(x)
		y := s.Add(x.MustMulScalar(ts.FloatScalar(-1), false))
		out, err := backend.ToImage(y, 0, backend.Signed)
		if err != nil {
			return err
		}
		fmt.Println(out.At(0, 0, 0), out.At(0, 1, 1), s.Len())
		return nil
	})
	fmt.Println(err)
	// Output:
	// 255 0 2
	// <nil>
}

// Gradient-free evaluation keeps the grad mode of the locked thread off
// and restores it afterwards.
func ExampleNoGrad() {
	w := ts.MustOnes([]int64{2}, gotch.Float, gotch.CPU).MustSetRequiresGrad(true, true)
	backend.NoGrad(func() {
		y := w.MustMulScalar(ts.FloatScalar(2), false)
		rg, _ := y.RequiresGrad()
		fmt.Println("inside:", backend.GradEnabled(), rg)
	})
	// Output: inside: false false
}
