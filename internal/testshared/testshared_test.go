package testshared

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirFromEnvironment(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "design", "golden"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MFIF_SHARED", root)
	if got, want := Dir(t, "design", "golden"), filepath.Join(root, "design", "golden"); got != want {
		t.Fatalf("Dir = %s, want %s", got, want)
	}
}

func TestDirSkipsWhenAbsent(t *testing.T) {
	t.Setenv("MFIF_SHARED", filepath.Join(t.TempDir(), "nowhere"))
	skipped := true
	t.Run("inner", func(t *testing.T) {
		Dir(t)
		skipped = false
	})
	if !skipped {
		t.Fatal("Dir returned for a missing folder instead of skipping")
	}
}

func TestFindReportsAbsence(t *testing.T) {
	root := t.TempDir()
	t.Setenv("MFIF_SHARED", root)
	if p, err := Find(); err != nil || p != root {
		t.Fatalf("Find() = %q, %v; want %q, nil", p, err, root)
	}
	if _, err := Find("nowhere"); err == nil {
		t.Fatal("Find returned no error for a missing folder")
	}
}
