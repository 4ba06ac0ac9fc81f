package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/siamese"
)

// tinySiameseCheckpoint writes a small siamese checkpoint and returns its
// path and the number of tensors its export holds.
func tinySiameseCheckpoint(t *testing.T, dir string) (string, int) {
	t.Helper()
	cfg := siamese.Config{Name: "siamese", Width: 2, Levels: 1, ResBlocks: 1, DFEBBlocks: 1,
		GCBDepth: 2, GCBWidth: 2, CGAHidden: 2, CBAMReduction: 2, Modules: siamese.AllModules}
	m, err := siamese.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	path := filepath.Join(dir, "best.ckpt")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range backend.Variables(m.VS) {
		n++
		if strings.HasSuffix(p.Name, ".running_var") {
			n++ // num_batches_tracked
		}
	}
	return path, n
}

func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	ckpt, tensors := tinySiameseCheckpoint(t, dir)
	other := filepath.Join(dir, "other.ckpt")
	if err := checkpoint.New("rgb-net").Save(other); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "existing.pt")
	if err := os.WriteFile(existing, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		// want is a substring of the error, or of stdout when ok.
		want string
		ok   bool
		// keep is a file whose content must be unchanged afterwards.
		keep string
	}{
		{"writes", []string{ckpt, "--out", filepath.Join(dir, "new.pt")}, filepath.Join(dir, "new.pt") + "\t" + strconv.Itoa(tensors) + " tensors (siamese weights)", true, ""},
		{"missing --out", []string{ckpt}, "missing required flag(s) --out", false, ""},
		{"missing checkpoint", []string{filepath.Join(dir, "nope.ckpt"), "--out", filepath.Join(dir, "x.pt")}, "nope.ckpt: no such file", false, ""},
		{"existing --out", []string{ckpt, "--out", existing}, "existing.pt: file exists (pass --force to replace it)", false, existing},
		{"--out is a folder", []string{ckpt, "--out", dir, "--force"}, "is a folder", false, ""},
		{"wrong kind", []string{other, "--out", filepath.Join(dir, "y.pt")}, `"rgb-net" (exportable: ddfm-prior, fusiondiff, siamese)`, false, ""},
		{"onto the checkpoint", []string{ckpt, "--out", ckpt, "--force"}, "is the checkpoint itself", false, ckpt},
		{"--force replaces", []string{ckpt, "--out", existing, "--force", "--quiet"}, existing + "\t" + strconv.Itoa(tensors) + " tensors", true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before []byte
			if tc.keep != "" {
				before, _ = os.ReadFile(tc.keep)
			}
			stdout, _, err := run(t, append([]string{"export"}, tc.args...)...)
			if tc.ok {
				if err != nil || !strings.Contains(stdout, tc.want) {
					t.Fatalf("stdout %q, error %v; want %q", stdout, err, tc.want)
				}
				out := tc.args[2]
				if n, err := backend.CheckTorchLoadable(out); err != nil || n != tensors {
					t.Errorf("%s: libtorch reads %d tensors (%v), want %d", out, n, err, tensors)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.keep != "" {
				if after, _ := os.ReadFile(tc.keep); string(after) != string(before) {
					t.Errorf("%s was changed by a refused export", tc.keep)
				}
			}
		})
	}
	for _, name := range []string{"x.pt", "y.pt"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("a failed export left %s", name)
		}
	}
}
