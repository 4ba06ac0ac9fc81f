package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// File names that are not UTF-8 (byte 0xff, a Latin-1 é) are shown as \xNN
// in the message on stderr, which stays valid UTF-8.
func TestNonUTF8NamesReadable(t *testing.T) {
	src := tinySet(t, 1)
	dir := filepath.Join(t.TempDir(), "caf\xe9")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(src, "source_1", "synth_00000.png"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "p\xff_A.png"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "p\xff_B.png"), []byte("not an image"), 0o644)
	p := startMfif(t, "--quiet", "--workers", "1", "fuse", "--method", "average", "--pairs", dir, "--out", t.TempDir())
	if code := p.exitCode(t); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, p.stderr)
	}
	msg := p.stderr.String()
	if !utf8.ValidString(msg) || !strings.Contains(msg, `caf\xe9/p\xff_B.png`) || !strings.Contains(msg, "unsupported image format") {
		t.Errorf("stderr %q: want valid UTF-8 naming caf\\xe9/p\\xff_B.png", msg)
	}
}
