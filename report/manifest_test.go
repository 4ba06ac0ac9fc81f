package report

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func twoMethodResults(metrics ...string) *Results {
	var infos []MetricInfo
	for _, m := range metrics {
		infos = append(infos, MetricInfo{Name: m, Better: Higher})
	}
	r := NewResults(NewProvenance("set", nil), infos)
	for i, img := range []string{"p1", "p2", "p3"} {
		for j, method := range []string{"a", "b"} {
			s := map[string]float64{}
			for k, m := range metrics {
				s[m] = float64(i + j + k)
			}
			r.Add(method, img, s)
		}
	}
	return r
}

// TestWriteReportRemovesEarlierOutputs: a second report into the same
// folder leaves no file of the first one behind (box plots of metrics no
// longer computed, from a manifest or, for old folders, from the old
// results.json), and never touches the user's files.
func TestWriteReportRemovesEarlierOutputs(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		name := "manifest"
		if legacy {
			name = "folder written before manifests"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if legacy {
				if _, err := WriteAll(dir, "first", twoMethodResults("Q_G", "Q_SF")); err != nil {
					t.Fatal(err)
				}
			} else if _, err := WriteReport(dir, "first", twoMethodResults("Q_G", "Q_SF")); err != nil {
				t.Fatal(err)
			}
			user := []string{"notes.txt", "box_mine.png", "bars.png.bak"}
			for _, f := range user {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("mine"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Mkdir(filepath.Join(dir, "table.tex.d"), 0o755); err != nil {
				t.Fatal(err)
			}
			stale := filepath.Join(dir, "box_Q_SF.png")
			if _, err := os.Stat(stale); err != nil {
				t.Fatalf("first report: %v", err)
			}
			paths, err := WriteReport(dir, "second", twoMethodResults("Q_G"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s of the first report is still there: %v", stale, err)
			}
			for _, f := range append(user, "table.tex.d") {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("user file %s: %v", f, err)
				}
			}
			b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paths {
				if !strings.Contains(string(b), filepath.Base(p)+"\n") {
					t.Errorf("manifest lacks %s:\n%s", filepath.Base(p), b)
				}
			}
		})
	}
}

func TestManifestEntriesStayInside(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "report")
	outside := filepath.Join(root, "keep.txt")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	body := "../keep.txt\n" + outside + "\n.\n..\n"
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := RemoveReport(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("a manifest entry outside the folder was removed: %v", err)
	}
}

// TestTableShowsUnevenCounts: methods scored on different numbers of
// images get an "n" column; equal counts keep the plain layout.
func TestTableShowsUnevenCounts(t *testing.T) {
	r := twoMethodResults("Q_G")
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	if md := r.Table("", false).Markdown(); !strings.HasPrefix(md, "| Method | Q_G ↑ |") {
		t.Errorf("even counts:\n%s", md)
	}
	delete(r.PerImage["b"], "p3")
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	md := r.Table("", false).Markdown()
	for _, want := range []string{"| Method | n | Q_G ↑ |", "| a | 3 |", "| b | 2 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("uneven counts: want %q in\n%s", want, md)
		}
	}
	if counts, uneven := r.Counts(); !uneven || counts["a"] != 3 || counts["b"] != 2 {
		t.Errorf("Counts = %v, %v", counts, uneven)
	}
}
