package traintest

import (
	"syscall"
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

// BenchSteps times b.N calls of Step on batch(i) after one untimed warm-up
// step on batch(-1), then reports the parameter count and the process's
// peak resident memory in MiB. The Go side of the Go-against-PyTorch step
// benchmarks (docs/performance.md); the warm-up is the one the PyTorch
// side (../shared/bench/pt_fusiondiff.py, docs/pytorch/bench_nets.py) and
// mfif bench --nets take: the first step of a fresh optimizer creates its
// state and fills the allocator's cache, which later steps reuse.
func BenchSteps(b *testing.B, task train.Task, opt train.Optimizer, batch func(i int) train.Batch) {
	b.Helper()
	var a0 backend.AllocStats
	var h0, f0 int64
	err := backend.Run(func() error {
		if _, err := Step(task, opt, batch(-1)); err != nil {
			return err
		}
		a0, h0, f0 = backend.ReadAllocStats(), backend.TensorsCreated(), minorFaults()
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
	a1, n := backend.ReadAllocStats(), float64(b.N)
	b.ReportMetric(float64(backend.TensorsCreated()-h0)/n, "handles/op")
	b.ReportMetric(float64(minorFaults()-f0)/n, "page-faults/op")
	b.ReportMetric(float64(a1.Maps-a0.Maps)/n, "maps/op")
	b.ReportMetric(float64(a1.Hits-a0.Hits)/n, "cache-hits/op")
	b.ReportMetric(float64(a1.Resizes-a0.Resizes)/n, "resizes/op")
	b.ReportMetric(float64(backend.NumParams(task.VarStore())), "params")
	b.ReportMetric(float64(memstat.Peak())/(1<<20), "peak-RSS-MiB")
}

// minorFaults is the process's count of page faults served without I/O
// (each a page the kernel zeroed or mapped in; 2 MiB with huge pages).
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Minflt
}
