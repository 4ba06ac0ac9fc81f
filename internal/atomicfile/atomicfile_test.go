package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("n", 250) + ".png" // 254 bytes: at the usual NAME_MAX
	tests := []struct {
		name string
		path string
		data string
	}{
		{"plain", filepath.Join(dir, "a.txt"), "hello"},
		{"name near the 255-byte limit", filepath.Join(dir, long), "long"},
		{"empty", filepath.Join(dir, "empty"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := WriteFile(tc.path, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(tc.path)
			if err != nil || string(b) != tc.data {
				t.Fatalf("read back %q, %v; want %q", b, err, tc.data)
			}
			st, _ := os.Stat(tc.path)
			if st.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", st.Mode().Perm())
			}
		})
	}
	assertNoTemp(t, dir)
}

func TestMissingFolder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope", "x.txt")
	if err := WriteFile(p, []byte("x")); err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v, want an error naming %s", err, p)
	}
}

func TestFailedWriteKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "keep.txt")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v, want boom naming the file", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("content %q after failed write, want old", b)
	}
	assertNoTemp(t, dir)
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasPrefix(info.Name(), ".mfif-tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}
