package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckedInFilesAreGenerated fails when fft_odd.go or fft_odd_simd.go
// differ from what the generator writes (an edit by hand, or a generator
// change without `go generate ./metrics`).
func TestCheckedInFilesAreGenerated(t *testing.T) {
	for name, want := range map[string][]byte{"fft_odd.go": scalarFile(), "fft_odd_simd.go": simdFile()} {
		got, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("metrics/%s differs from the generator's output; run go generate ./metrics", name)
		}
	}
}
