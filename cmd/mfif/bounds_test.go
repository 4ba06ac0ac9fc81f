package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/siamese"
)

// TestOversizedSiameseConfigRefused: a checksum-valid checkpoint whose
// model_config asks for width 512 and 6 levels is refused by fuse and
// export before the network is built.
func TestOversizedSiameseConfigRefused(t *testing.T) {
	dir := t.TempDir()
	small, _ := tinySiameseCheckpoint(t, dir)
	c, err := checkpoint.Load(small, siamese.Kind)
	if err != nil {
		t.Fatal(err)
	}
	cfg := siamese.PaperConfig()
	cfg.Width, cfg.Levels = 512, 6
	if err := c.PutState(siamese.ConfigState, cfg); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.ckpt")
	if err := c.Save(big); err != nil {
		t.Fatal(err)
	}
	pairs := tinySet(t, 1)
	for _, args := range [][]string{
		{"fuse", "--method", "siamese", "--model", big, "--pairs", pairs, "--out", filepath.Join(dir, "fused")},
		{"export", big, "--out", filepath.Join(dir, "model.pt")},
	} {
		_, _, err := run(t, append([]string{"--quiet"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "widest level") || !strings.Contains(err.Error(), "model.width = 512") {
			t.Errorf("%s: %v, want the architecture-limit error", args[0], err)
		}
	}
}

// TestLongPairNameCheckedFirst: a pair whose map file name would pass 255
// bytes is refused before any pair is fused, naming it.
func TestLongPairNameCheckedFirst(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "long")
	sc, err := data.Synthesize(data.SynthConfig{W: 40, H: 32}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	long := "b" + strings.Repeat("p", 244) // + "_sf-map_map.png" = 260 bytes
	for _, name := range []string{"a", long} {
		for k, l := range []string{"A", "B"} {
			if err := data.WriteImage(filepath.Join(dir, name+"_"+l+".png"), sc.Sources[k], 8); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := filepath.Join(t.TempDir(), "fused")
	_, _, err = run(t, "--quiet", "fuse", "--method", "sf-map", "--pairs", dir, "--out", out)
	if err == nil || !strings.Contains(err.Error(), "260 bytes") || !strings.Contains(err.Error(), long[:20]) {
		t.Fatalf("fuse with a too long pair name: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("--out was written before the names were checked")
	}
}
