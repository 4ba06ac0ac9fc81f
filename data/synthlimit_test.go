package data

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSynthObeysMaxPixels: a synthetic set (synth --size, an experiment's
// synthetic: {w, h}) larger than MaxPixels is refused before any pixel is
// made, and nothing is written.
func TestSynthObeysMaxPixels(t *testing.T) {
	prev := MaxPixels
	defer func() { MaxPixels = prev }()
	MaxPixels = 10_000
	dir := filepath.Join(t.TempDir(), "set")
	_, err := WriteSyntheticSet(dir, 1, SynthConfig{W: 200, H: 100}, 1)
	if err == nil || !strings.Contains(err.Error(), "over the limit of 10000") {
		t.Fatalf("200x100 with MaxPixels 10000: %v, want the pixel-limit error", err)
	}
	if _, err := Synthesize(SynthConfig{W: 100, H: 100}, 1); err != nil {
		t.Errorf("100x100 at the limit: %v", err)
	}
}
