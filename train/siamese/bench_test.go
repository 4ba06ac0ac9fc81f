package siamese

import (
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"

	net "github.com/mfif/mfif/nets/siamese"
)

// benchStep times one training step (forward, loss, backward, Adam) on a
// batch of synthetic 256×256 pairs, with 1 and 2 libtorch threads. The
// paper model runs at batch 2: at batch 8 its activations (the 17-layer,
// 64-channel GCB at full resolution on both sources) need about 14 GB,
// more than a shared machine should give one benchmark; its time scales
// linearly with the batch.
func benchStep(b *testing.B, cfgName string, batch int) {
	fc, err := LoadConfig(cfgName, map[string]any{"train.data": "synth", "train.size": 256, "train.batch": batch, "train.samples": 8})
	if err != nil {
		b.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, err := newRun(fc, Options{OutDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	hb, err := r.assemble([]int{0, 1, 2, 3, 4, 5, 6, 7}[:batch], train.NewRand(1), true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(paramCount(r.model)), "params")
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := r.step(hb, 1e-4); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
}

func paramCount(m *net.Model) int {
	n := 0
	for _, p := range m.VS.TrainableVariables() {
		n += int(p.Numel())
	}
	return n
}

func benchThreads(b *testing.B, f func(*testing.B)) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", n), func(b *testing.B) {
			if err := backend.SetThreads(n); err != nil {
				b.Fatal(err)
			}
			f(b)
		})
	}
}

func BenchmarkTrainStepPaperBatch2(b *testing.B) {
	benchThreads(b, func(b *testing.B) { benchStep(b, "siamese", 2) })
}

func BenchmarkTrainStepCPUBatch8(b *testing.B) {
	benchThreads(b, func(b *testing.B) { benchStep(b, "siamese-cpu", 8) })
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// estimates the cost of an operation better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEpochRSS trains a siamese-cpu-sized model (96×96 crops, batch
// 8) on a small synthetic set for 6 epochs per iteration, logging RSS at
// every epoch end, and reports the growth from the end of epoch 1 to the
// end of epoch 6: a leak of per-batch tensors shows up as tens of MB.
func BenchmarkEpochRSS(b *testing.B) {
	fc, err := LoadConfig("siamese-cpu", map[string]any{"train.samples": 96, "train.epochs": 6,
		"train.max_minutes": 0, "train.patience": 0})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		var log rssLog
		if _, err := Train(fc, Options{OutDir: b.TempDir(), Log: &log}); err != nil {
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
