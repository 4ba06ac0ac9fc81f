package fusiondiff

import (
	"fmt"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
	"github.com/mfif/mfif/train/traintest"
)

// benchTrainStep times one optimizer step (forward, backward, AdamW) of the
// given network on random data at the given batch size and side, with
// mfif's defaults (backend.Init: all cores, mfif's allocator), and reports
// the process's peak resident memory. ../shared/bench/go_vs_pytorch.sh
// compares paper/256/batch4 with PyTorch.
func benchTrainStep(b *testing.B, cfg *Config, batchSize int) {
	if _, err := backend.Init(backend.Options{Device: "cpu"}); err != nil {
		b.Fatal(err)
	}
	trips := synthTriplets(batchSize, cfg.Data.Size)
	cfg.Train.BatchSize = batchSize
	k, err := NewTask(cfg, trips, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	opt, err := train.NewOptimizer(cfg.Train.Optimizer, backend.Trainable(k.VarStore()))
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]int, batchSize)
	for i := range idx {
		idx[i] = i
	}
	traintest.BenchSteps(b, k, opt, func(i int) train.Batch {
		return train.Batch{Samples: idx, Rand: train.NewRand(1, uint64(i))}
	})
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
