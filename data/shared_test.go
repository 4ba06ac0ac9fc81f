package data

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir locates the read-only reference tree: $MFIF_SHARED, else
// ../shared beside the repository root. It skips the test when absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("MFIF_SHARED"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		t.Skipf("MFIF_SHARED=%s is not a folder", d)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Skip("no working directory")
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared")
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Skip("../shared not present")
	}
	return d
}
