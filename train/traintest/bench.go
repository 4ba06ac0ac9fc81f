package traintest

import (
	"testing"

	"github.com/mfif/mfif/internal/memstat"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
)

// Step runs one training step of task on b in its own scope (loss,
// backward, optimizer step, gradients zeroed) and returns the loss: the
// Trainer's step without its bookkeeping (seeding, divergence check, EMA,
// logs). Call it inside backend.Run.
func Step(task train.Task, opt train.Optimizer, b train.Batch) (float64, error) {
	s := backend.NewScope()
	defer s.Close()
	loss, _, err := task.Loss(s, b)
	if err != nil {
		return 0, err
	}
	s.Add(loss)
	v, err := backend.Value(loss)
	if err != nil {
		return 0, err
	}
	if err := loss.Backward(); err != nil {
		return 0, err
	}
	if err := opt.Step(); err != nil {
		return 0, err
	}
	return v, opt.ZeroGrad()
}

// BenchSteps times b.N calls of Step on batch(i), then reports the
// parameter count and the process's peak resident memory in MiB. The Go
// side of the Go-against-PyTorch step benchmarks (docs/performance.md).
func BenchSteps(b *testing.B, task train.Task, opt train.Optimizer, batch func(i int) train.Batch) {
	b.Helper()
	err := backend.Run(func() error {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := Step(task, opt, batch(i)); err != nil {
				return err
			}
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
