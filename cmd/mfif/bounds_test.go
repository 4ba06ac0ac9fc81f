package main

import (
	"path/filepath"
	"strings"
	"testing"

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
