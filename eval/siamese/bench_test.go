package siamese

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/nets/backend"

	net "github.com/mfif/mfif/nets/siamese"
)

// benchFuse times a full fusion (network + post-processing + blend) of
// one 520×520 colour pair, the Lytro size of the paper's Table 5, with
// randomly initialised weights of the named config's architecture, with 1
// and 2 libtorch threads.
func benchFuse(b *testing.B, cfgName string) {
	raw, err := configs.Read(cfgName)
	if err != nil {
		b.Fatal(err)
	}
	var fc struct {
		Model net.Config `yaml:"model"`
	}
	if err := yaml.Unmarshal(raw, &fc); err != nil {
		b.Fatal(err)
	}
	m, err := net.NewModel(fc.Model, 1)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "m.ckpt")
	if err := m.Save(path); err != nil {
		b.Fatal(err)
	}
	meth, err := New(eval.Options{"model": path})
	if err != nil {
		b.Fatal(err)
	}
	srcs := []*data.Image{randImage(1, 520, 520, 3), randImage(2, 520, 520, 3)}
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := meth.Fuse(srcs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
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

func BenchmarkFuse520Paper(b *testing.B) {
	benchThreads(b, func(b *testing.B) { benchFuse(b, "siamese") })
}
func BenchmarkFuse520CPU(b *testing.B) {
	benchThreads(b, func(b *testing.B) { benchFuse(b, "siamese-cpu") })
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// estimates the cost of an operation better than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
