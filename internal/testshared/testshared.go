// Package testshared locates the read-only reference material (papers,
// golden vectors, the metric oracle, datasets) that sits beside the
// repository as ../shared, for tests that compare against it. Those tests
// skip when the material is absent, so `go test ./...` passes on a fresh
// clone without it.
package testshared

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns $MFIF_SHARED, or else ../shared beside the repository root
// (the nearest folder above the working directory holding go.mod), joined
// with the optional sub-path. It skips the test when that path does not
// exist.
func Dir(t testing.TB, sub ...string) string {
	t.Helper()
	p, err := Find(sub...)
	if err != nil {
		t.Skipf("shared reference material not available: %v", err)
	}
	return p
}

// Find is Dir without the skip: it returns the path, or an error saying why
// the material is not there. Tests that run a committed subset under
// testdata/ use it to add the full set when it is present.
func Find(sub ...string) (string, error) {
	root := os.Getenv("MFIF_SHARED")
	if root == "" {
		repo, ok := repoRoot()
		if !ok {
			return "", errors.New("repository root not found")
		}
		root = filepath.Join(repo, "..", "shared")
	}
	p := filepath.Join(append([]string{root}, sub...)...)
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

func repoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
