package traintest

import (
	"testing"

	"github.com/mfif/mfif/internal/memstat"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
)

// BenchSteps times b.N training steps of task as the Trainer runs them
// (loss of batch(i) in a fresh scope, backward, optimizer step, zeroed
// gradients, scope closed), then reports the parameter count and the
// process's peak resident memory in MiB. The Go side of the
// Go-against-PyTorch step benchmarks (docs/performance.md).
func BenchSteps(b *testing.B, task train.Task, opt train.Optimizer, batch func(i int) train.Batch) {
	b.Helper()
	err := backend.Run(func() error {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s := backend.NewScope()
			loss, _, err := task.Loss(s, batch(i))
			if err != nil {
				return err
			}
			if err := loss.Backward(); err != nil {
				return err
			}
			if err := opt.Step(); err != nil {
				return err
			}
			if err := opt.ZeroGrad(); err != nil {
				return err
			}
			s.Close()
		}
		b.StopTimer()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(backend.NumParams(task.VarStore())), "params")
	b.ReportMetric(float64(memstat.Peak())/(1<<20), "peak-RSS-MiB")
}
