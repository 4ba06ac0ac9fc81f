package fusiondiff

import (
	"fmt"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/internal/memstat"
	"github.com/mfif/mfif/nets/backend"
)

// BenchmarkForward times one eval-mode forward pass (batch 1, no gradient)
// of the paper's network at 256x256 (training size) and 520x520 (Lytro),
// with mfif's defaults (backend.Init: all cores, mfif's allocator), and
// reports the process's peak resident memory.
// ../shared/bench/go_vs_pytorch.sh compares it with PyTorch.
func BenchmarkForward(b *testing.B) {
	if _, err := backend.Init(backend.Options{Device: "cpu"}); err != nil {
		b.Fatal(err)
	}
	for _, side := range []int64{256, 520} {
		b.Run(fmt.Sprintf("paper/%d", side), func(b *testing.B) {
			err := backend.Run(func() error {
				t, err := Build(PaperSpec())
				if err != nil {
					return err
				}
				defer t.Close()
				x := ts.MustRandn([]int64{1, 9, side, side}, gotch.Float, backend.Device())
				defer backend.Drop(x)
				call := func() error {
					return backend.NoGrad(func() error {
						backend.Drop(t.Net.Forward(x, []int64{1000}, false))
						return nil
					})
				}
				// One untimed call, as the PyTorch side and mfif bench
				// --nets take: the first pass of a fresh network fills
				// the allocator's cache that later passes reuse.
				if err := call(); err != nil {
					return err
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := call(); err != nil {
						return err
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(memstat.Peak())/(1<<20), "peak-RSS-MiB")
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
