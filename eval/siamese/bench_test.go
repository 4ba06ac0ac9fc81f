package siamese

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/nets/backend"

	trainsiam "github.com/mfif/mfif/train/siamese"

	net "github.com/mfif/mfif/nets/siamese"
)

// benchFuse times a full fusion (network + post-processing + blend) of
// one 520×520 colour pair, the Lytro size of the paper's Table 5, with
// randomly initialised weights of the named config's architecture, with 1
// and 2 libtorch threads.
func benchFuse(b *testing.B, cfgName string) {
	fc, err := trainsiam.LoadConfig(cfgName, map[string]any{"train.data": "synth"})
	if err != nil {
		b.Fatal(err)
	}
	m, err := net.NewModel(fc.Model, 1)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "m.ckpt")
	if err := m.Save(path, nil, nil); err != nil {
		b.Fatal(err)
	}
	meth, err := New(eval.Options{"model": path})
	if err != nil {
		b.Fatal(err)
	}
	srcs := []*data.Image{randImage(1, 520, 520, 3), randImage(2, 520, 520, 3)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := meth.Fuse(srcs); err != nil {
			b.Fatal(err)
		}
	}
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
