package data

import (
	"errors"
	"github.com/mfif/mfif/internal/testshared"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTree creates files (relative path -> image size "WxH", "" for a
// small default image, or "text" for a non-image) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, spec := range files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		switch spec {
		case "text":
			if err := os.WriteFile(path, []byte("not an image"), 0o644); err != nil {
				t.Fatal(err)
			}
		case "dir":
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
		default:
			w, h := 6, 4
			if spec == "7x4" {
				w = 7
			}
			m := NewImage(w, h, 3)
			for c := range m.Planes {
				for i := range m.Planes[c] {
					m.Planes[c][i] = float64(i + 10*c)
				}
			}
			// PNG content whatever the extension: readers sniff content.
			if err := WriteImage(path+".png", m, 8); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path+".png", path); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// rel strips dir from every path of ps for comparison.
func rel(dir string, ps []Pair) []Pair {
	out := make([]Pair, len(ps))
	for i, p := range ps {
		out[i] = Pair{Name: p.Name}
		for _, s := range p.Sources {
			r, _ := filepath.Rel(dir, s)
			out[i].Sources = append(out[i].Sources, filepath.ToSlash(r))
		}
		if p.Reference != "" {
			r, _ := filepath.Rel(dir, p.Reference)
			out[i].Reference = filepath.ToSlash(r)
		}
	}
	return out
}

func TestDiscoverPairs(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []Pair
	}{
		{"underscore", map[string]string{"b_A.png": "", "b_B.png": "", "a_A.png": "", "a_B.png": "", "a_CNN.png": "", "readme.txt": "text"},
			[]Pair{{Name: "a", Sources: []string{"a_A.png", "a_B.png"}}, {Name: "b", Sources: []string{"b_A.png", "b_B.png"}}}},
		{"dash and natural order", map[string]string{"lytro-10-A.png": "", "lytro-10-B.png": "", "lytro-2-A.png": "", "lytro-2-B.png": ""},
			[]Pair{{Name: "lytro-2", Sources: []string{"lytro-2-A.png", "lytro-2-B.png"}}, {Name: "lytro-10", Sources: []string{"lytro-10-A.png", "lytro-10-B.png"}}}},
		{"three sources", map[string]string{"s_A.png": "", "s_B.png": "", "s_C.png": ""},
			[]Pair{{Name: "s", Sources: []string{"s_A.png", "s_B.png", "s_C.png"}}}},
		{"folders with reference", map[string]string{"source_1/x1.png": "", "source_2/x1.png": "", "full_clear/x1.png": "", "source_1/x0.png": "", "source_2/x0.png": "", "full_clear/x0.png": ""},
			[]Pair{{Name: "x0", Sources: []string{"source_1/x0.png", "source_2/x0.png"}, Reference: "full_clear/x0.png"},
				{Name: "x1", Sources: []string{"source_1/x1.png", "source_2/x1.png"}, Reference: "full_clear/x1.png"}}},
		{"folders with suffixes, no reference", map[string]string{"source_1/m_01_A.png": "", "source_2/m_01_B.png": ""},
			[]Pair{{Name: "m_01", Sources: []string{"source_1/m_01_A.png", "source_2/m_01_B.png"}}}},
		{"three folders", map[string]string{"source_1/k.png": "", "source_2/k.png": "", "source_3/k.png": "", "mask/k.png": ""},
			[]Pair{{Name: "k", Sources: []string{"source_1/k.png", "source_2/k.png", "source_3/k.png"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			got, err := DiscoverPairs(dir)
			if err != nil {
				t.Fatal(err)
			}
			if g := rel(dir, got); !reflect.DeepEqual(g, tc.want) {
				t.Errorf("got  %v\nwant %v", g, tc.want)
			}
		})
	}
}

func TestDiscoverPairsErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  error
		names string // file or folder the message must mention
	}{
		{"A without B", map[string]string{"x_A.png": "", "y_A.png": "", "y_B.png": ""}, ErrUnmatched, "x_A.png"},
		{"B without A", map[string]string{"x_B.png": ""}, ErrUnmatched, "x_B.png"},
		{"C without B", map[string]string{"x_A.png": "", "x_C.png": ""}, ErrUnmatched, "x_A.png"},
		{"empty folder", map[string]string{"sub": "dir"}, ErrNoPairs, ""},
		{"only non-sources", map[string]string{"notes.txt": "text", "a_CNN.png": ""}, ErrNoPairs, ""},
		{"source_1 extra", map[string]string{"source_1/a.png": "", "source_1/b.png": "", "source_2/a.png": ""}, ErrUnmatched, "b.png"},
		{"source_2 extra", map[string]string{"source_1/a.png": "", "source_2/a.png": "", "source_2/z.png": ""}, ErrUnmatched, "z.png"},
		{"no source_2", map[string]string{"source_1/a.png": ""}, ErrUnmatched, "source_2"},
		{"missing reference", map[string]string{"source_1/a.png": "", "source_2/a.png": "", "source_1/b.png": "", "source_2/b.png": "", "full_clear/a.png": ""}, ErrUnmatched, "b.png"},
		{"extra reference", map[string]string{"source_1/a.png": "", "source_2/a.png": "", "full_clear/a.png": "", "full_clear/q.png": ""}, ErrUnmatched, "q.png"},
		{"duplicate slot", map[string]string{"d_A.png": "", "d_A.jpg": "", "d_B.png": ""}, nil, "d_A.png"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			_, err := DiscoverPairs(dir)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %q is not %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.names) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q should mention %q and %s", err, tc.names, dir)
			}
		})
	}
	if _, err := DiscoverPairs(filepath.Join(t.TempDir(), "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing folder: %v", err)
	}
}

func TestLoadPair(t *testing.T) {
	dir := writeTree(t, map[string]string{"ok_A.png": "", "ok_B.png": "", "bad_A.png": "", "bad_B.png": "7x4",
		"txt_A.png": "", "txt_B.png": "text"})
	short := filepath.Join(dir, "short_A.png")
	full, _ := os.ReadFile(filepath.Join(dir, "ok_B.png"))
	os.WriteFile(filepath.Join(dir, "short_B.png"), full[:len(full)-20], 0o644)
	os.WriteFile(short, full, 0o644)
	pairs, err := DiscoverPairs(dir)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Pair{}
	for _, p := range pairs {
		byName[p.Name] = p
	}
	src, ref, err := LoadPair(byName["ok"])
	if err != nil || len(src) != 2 || ref != nil || src[0].W != 6 {
		t.Fatalf("ok pair: %v %v %v", src, ref, err)
	}
	tests := []struct{ pair, file, msg string }{
		{"bad", "bad_B.png", "size mismatch"},
		{"txt", "txt_B.png", "unsupported"},
		{"short", "short_B.png", "truncated"},
	}
	for _, tc := range tests {
		_, _, err := LoadPair(byName[tc.pair])
		if err == nil || !strings.Contains(err.Error(), tc.file) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("pair %s: error %v should name %s and say %q", tc.pair, err, tc.file, tc.msg)
		}
	}
	// A reference of the wrong size is named too.
	d2 := writeTree(t, map[string]string{"source_1/a.png": "", "source_2/a.png": "", "full_clear/a.png": "7x4"})
	ps, err := DiscoverPairs(d2)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadPair(ps[0]); err == nil || !strings.Contains(err.Error(), "full_clear") {
		t.Errorf("reference size mismatch: %v", err)
	}
}

func TestFindFused(t *testing.T) {
	dir := writeTree(t, map[string]string{"p1_CNN.png": "", "p1_A.png": "", "GFF/p1.png": "", "MSVD/p2_MSVD.png": "",
		"DUP/p3.png": "", "p3_DUP.png": ""})
	tests := []struct {
		pair, method, want string
		ok                 bool
	}{
		{"p1", "CNN", "p1_CNN.png", true},
		{"p1", "cnn", "p1_CNN.png", true},
		{"p1", "GFF", "GFF/p1.png", true},
		{"p2", "MSVD", "MSVD/p2_MSVD.png", true},
		{"p2", "CNN", "", false},
		{"p3", "DUP", "", false}, // ambiguous
		{"p1", "", "", false},
	}
	for _, tc := range tests {
		got, err := FindFused(dir, tc.pair, tc.method)
		if (err == nil) != tc.ok {
			t.Errorf("%s/%s: err %v", tc.pair, tc.method, err)
			continue
		}
		if tc.ok && got != filepath.Join(dir, filepath.FromSlash(tc.want)) {
			t.Errorf("%s/%s: got %s want %s", tc.pair, tc.method, got, tc.want)
		}
		if !tc.ok && !strings.Contains(err.Error(), dir) {
			t.Errorf("error %q should name %s", err, dir)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	in := []string{"a10", "a2", "a02", "b1", "a", "a1b", "a1"}
	want := []string{"a", "a1", "a1b", "a02", "a2", "a10", "b1"}
	got := append([]string(nil), in...)
	for i := 1; i < len(got); i++ { // insertion sort with naturalLess
		for j := i; j > 0 && naturalLess(got[j], got[j-1]); j-- {
			got[j], got[j-1] = got[j-1], got[j]
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v want %v", got, want)
	}
}

// TestDiscoverSharedDatasets checks the real folder layouts when ../shared
// is present.
func TestDiscoverSharedDatasets(t *testing.T) {
	root := testshared.Dir(t)
	tests := []struct {
		dir  string
		n    int
		ref  bool
		name string
	}{
		{"data/mffw", 13, false, "mffw_01"},
		{"data/nyud100", 100, true, "nyud_001"},
	}
	for _, tc := range tests {
		ps, err := DiscoverPairs(filepath.Join(root, tc.dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != tc.n || ps[0].Name != tc.name || (ps[0].Reference != "") != tc.ref {
			t.Errorf("%s: %d pairs, first %+v", tc.dir, len(ps), ps[0])
		}
		if _, _, err := LoadPair(ps[0]); err != nil {
			t.Error(err)
		}
	}
}

func TestDiscoverPairsInfraredVisible(t *testing.T) {
	dir := writeTree(t, map[string]string{"ir/b.png": "", "ir/a.png": "", "vi/a.png": "", "vi/b.png": ""})
	pairs, err := DiscoverPairs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || pairs[0].Name != "a" {
		t.Fatalf("pairs = %+v", pairs)
	}
	if got := pairs[0].Sources[0]; filepath.Base(filepath.Dir(got)) != "ir" {
		t.Fatalf("first source %s, want the ir/ file", got)
	}
}
