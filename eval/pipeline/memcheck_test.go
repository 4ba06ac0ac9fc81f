package pipeline

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

// TestFuseChecksMemory: with less memory available than a method's
// measured peak per megapixel asks for, FuseFolder refuses before any
// work and names the method, the pair and both amounts; with enough it
// fuses.
func TestFuseChecksMemory(t *testing.T) {
	data.ProgressOutput = io.Discard
	dir := filepath.Join(t.TempDir(), "pairs")
	pairs, err := data.WriteSyntheticSet(dir, 1, data.SynthConfig{W: 500, H: 400}, 1) // 0.2 MP
	if err != nil {
		t.Fatal(err)
	}
	info, _ := eval.Lookup("gff")
	if info.PeakMBPerMP <= 0 {
		t.Fatal("gff has no measured peak memory")
	}
	prev := memAvailable
	defer func() { memAvailable = prev }()
	// gff needs 0.2 MP x PeakMBPerMP: offer half of it.
	memAvailable = func() (int64, bool) { return int64(0.1 * info.PeakMBPerMP * 1e6), true }
	out := filepath.Join(t.TempDir(), "fused")
	_, err = FuseFolder(pairs, "gff", nil, out, Options{Workers: 1})
	if err == nil || !strings.Contains(err.Error(), "available") || !strings.Contains(err.Error(), pairs[0].Name) {
		t.Fatalf("gff with too little memory: %v, want the memory error", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the output folder was created before the memory check")
	}
	memAvailable = func() (int64, bool) { return int64(info.PeakMBPerMP * 1e6), true }
	if _, err := FuseFolder(pairs, "gff", nil, out, Options{Workers: 1}); err != nil {
		t.Errorf("gff with enough memory: %v", err)
	}
}
