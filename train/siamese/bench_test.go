package siamese

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
	"github.com/mfif/mfif/train/traintest"
)

// benchStep times one training step (forward, loss, backward, Adam) on a
// batch of synthetic 256×256 pairs with mfif's defaults (backend.Init: all
// cores, mfif's allocator), and reports the process's peak resident memory.
func benchStep(b *testing.B, cfgName string, batch int) {
	if _, err := backend.Init(backend.Options{Device: "cpu"}); err != nil {
		b.Fatal(err)
	}
	fc, err := LoadConfig(cfgName, map[string]any{"data.kind": "synth", "data.size": 256,
		"train.batch_size": batch, "data.samples": 2 * batch})
	if err != nil {
		b.Fatal(err)
	}
	k, err := NewTask(fc)
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	opt, err := train.NewOptimizer(fc.Train.Optimizer, backend.Trainable(k.VarStore()))
	if err != nil {
		b.Fatal(err)
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = i
	}
	hb, err := k.assemble(k.train, idx, train.NewRand(1), true)
	if err != nil {
		b.Fatal(err)
	}
	traintest.BenchSteps(b, k, opt, func(int) train.Batch { return train.Batch{Data: hb} })
}

// BenchmarkTrainStep: the paper network at batch 8 (the paper's batch) and
// the siamese-cpu network, both at 256x256.
func BenchmarkTrainStep(b *testing.B) {
	b.Run("paper/batch8/256", func(b *testing.B) { benchStep(b, "siamese", 8) })
	b.Run("siamese-cpu/batch8/256", func(b *testing.B) { benchStep(b, "siamese-cpu", 8) })
}

// BenchmarkEpochRSS trains the siamese-cpu network on a small synthetic set
// for 6 epochs per iteration, logging RSS at every epoch end, and reports
// the growth from the end of epoch 1 to the end of epoch 6: a leak of
// per-batch tensors shows up as tens of MB.
func BenchmarkEpochRSS(b *testing.B) {
	fc, err := LoadConfig("siamese-cpu", map[string]any{"data.kind": "synth", "data.size": 96, "data.samples": 96, "train.epochs": 6,
		"train.max_minutes": 0, "train.patience": 0})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		var log rssLog
		if _, err := Train(context.Background(), fc, train.Request{Dir: b.TempDir(), Log: &log}); err != nil {
			b.Fatal(err)
		}
		for _, l := range log.lines {
			b.Log(l)
		}
		if n := len(log.rss); n >= 2 {
			b.ReportMetric(float64(log.rss[n-1]-log.rss[0]), "rss-growth-MB")
			b.ReportMetric(float64(log.rss[n-1]), "rss-final-MB")
		}
	}
}

// rssLog keeps the trainer's epoch lines and the "rss N MB" values in them.
type rssLog struct {
	lines []string
	rss   []int
}

func (l *rssLog) Write(p []byte) (int, error) {
	s := strings.TrimSpace(string(p))
	l.lines = append(l.lines, s)
	if _, rest, ok := strings.Cut(s, "rss "); ok {
		var mb int
		if _, err := fmt.Sscanf(rest, "%d MB", &mb); err == nil {
			l.rss = append(l.rss, mb)
		}
	}
	return len(p), nil
}
