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

// peaky is a method whose peak memory depends on its model: PeakMB MB per
// call whatever the size.
type peaky struct {
	eval.Method
	mb float64
}

func (p peaky) PeakMB(float64) float64 { return p.mb }

// A method that estimates its own peak memory (eval.PeakMemory, the model
// methods) is checked with that estimate instead of Info.PeakMBPerMP.
func TestCheckMemoryUsesTheModelsEstimate(t *testing.T) {
	data.ProgressOutput = io.Discard
	pairs, err := data.WriteSyntheticSet(filepath.Join(t.TempDir(), "pairs"), 1, data.SynthConfig{W: 500, H: 400}, 1)
	if err != nil {
		t.Fatal(err)
	}
	prev := memAvailable
	defer func() { memAvailable = prev }()
	memAvailable = func() (int64, bool) { return 1e9, true } // 1 GB: plenty for average at 0.2 MP
	if err := CheckMemory(pairs, "average", nil, 2); err != nil {
		t.Fatalf("average without an estimate of its own: %v", err)
	}
	err = CheckMemory(pairs, "average", peaky{mb: 600}, 2) // 2 workers x 600 MB
	if err == nil || !strings.Contains(err.Error(), "with its model") || !strings.Contains(err.Error(), "1.2 GB") {
		t.Errorf("1.2 GB wanted with 1 GB available: %v", err)
	}
	if err := CheckMemory(pairs, "average", peaky{mb: 400}, 2); err != nil {
		t.Errorf("0.8 GB wanted with 1 GB available: %v", err)
	}
}
