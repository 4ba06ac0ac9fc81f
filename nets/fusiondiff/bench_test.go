package fusiondiff

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// BenchmarkForward times one eval-mode forward pass (batch 1) of the paper's
// network at 256x256 (training size) and 520x520 (Lytro).
func BenchmarkForward(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	vs := nn.NewVarStore(gotch.CPU)
	defer vs.Destroy()
	m, err := New(vs, PaperConfig())
	if err != nil {
		b.Fatal(err)
	}
	for _, side := range []int64{256, 520} {
		b.Run(fmt.Sprintf("paper/%d", side), func(b *testing.B) {
			x := ts.MustRandn([]int64{1, 9, side, side}, gotch.Float, gotch.CPU)
			defer x.MustDrop()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ts.NoGrad(func() { m.Forward(x, []int64{1000}, false).MustDrop() })
			}
		})
	}
}
