package layers

import (
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// BenchmarkConv2dForwardBackward times one 3x3 conv step on a 1x32x64x64
// input, forward and backward, with intermediates dropped per step.
func BenchmarkConv2dForwardBackward(b *testing.B) {
	vs := nn.NewVarStore(gotch.CPU)
	conv, err := NewConv2d(vs.Root().Sub("c"), 32, 32, 3, ConvOpts{Padding: 1})
	if err != nil {
		b.Fatal(err)
	}
	x := ts.MustRandn([]int64{1, 32, 64, 64}, gotch.Float, gotch.CPU)
	defer x.MustDrop()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := backend.WithScope(func(s *backend.Scope) error {
			y := s.Add(conv.Forward(x))
			loss := s.Add(y.MustMean(gotch.Float, false))
			loss.MustBackward()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
