package checkpoint

import (
	"path/filepath"
	"testing"
)

// BenchmarkCheckpointSaveLoad measures writing and verifying a checkpoint
// of 16 MiB of float32 data (about 4M parameters).
func BenchmarkCheckpointSaveLoad(b *testing.B) {
	c := New("bench")
	for i := range 4 {
		c.Tensors["model/w"+string(rune('a'+i))] = Float32Array(make([]float32, 1<<20))
	}
	path := filepath.Join(b.TempDir(), "b.ckpt")
	b.SetBytes(16 << 20)
	for b.Loop() {
		if err := c.Save(path); err != nil {
			b.Fatal(err)
		}
		if _, err := Load(path, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
