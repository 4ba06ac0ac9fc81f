package fusiondiff

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/mfif/mfif/train"
)

// benchTrainStep times one optimizer step (forward, backward, AdamW) of the
// given network on random data at the given batch size and side.
func benchTrainStep(b *testing.B, cfg *Config, batchSize int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	trips := synthTriplets(batchSize, cfg.Data.Size)
	cfg.Train.BatchSize = batchSize
	r, err := newRun(cfg, trips)
	if err != nil {
		b.Fatal(err)
	}
	defer r.vs.Destroy()
	idx := make([]int, batchSize)
	for i := range idx {
		idx[i] = i
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.tr.Opt.ZeroGrad(); err != nil {
			b.Fatal(err)
		}
		loss, err := r.loss(train.Batch{Samples: idx, Rand: train.NewRand(1, uint64(i))})
		if err != nil {
			b.Fatal(err)
		}
		loss.MustBackward()
		loss.MustDrop()
		if err := r.tr.Opt.Step(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrainStep(b *testing.B) {
	paper, err := LoadConfig("fusiondiff", nil)
	if err != nil {
		b.Fatal(err)
	}
	cpu, err := LoadConfig("fusiondiff-cpu", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		cfg   *Config
		batch int
	}{
		{"cpu-config/batch16", cpu, 16},
		{"cpu-config/batch32", cpu, 32},
		{"paper/256/batch4", paper, 4},
	} {
		cfg := *c.cfg
		b.Run(fmt.Sprintf("%s/side%d", c.name, cfg.Data.Size), func(b *testing.B) { benchTrainStep(b, &cfg, c.batch) })
	}
}
