package data

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzMaxPixels bounds decoded images while fuzzing: 1 megapixel keeps one
// input at a few tens of megabytes whatever its header claims.
const fuzzMaxPixels = 1 << 20

// FuzzReadImage decodes arbitrary bytes as ReadImage does (the seeds in
// testdata/fuzz/FuzzReadImage are valid and damaged PNG, JPEG, BMP and TIFF
// files). Decoding must never panic or exceed the pixel limit, and an image
// it returns must be well formed.
func FuzzReadImage(f *testing.F) {
	old := MaxPixels
	MaxPixels = fuzzMaxPixels
	f.Cleanup(func() { MaxPixels = old })
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeImage(b)
		if err != nil {
			if m != nil {
				t.Fatal("image returned with an error")
			}
			return
		}
		if m.W <= 0 || m.H <= 0 || m.W*m.H > fuzzMaxPixels {
			t.Fatalf("decoded %dx%d", m.W, m.H)
		}
		if m.C() != 1 && m.C() != 3 {
			t.Fatalf("%d planes", m.C())
		}
		if m.Depth != 8 && m.Depth != 16 {
			t.Fatalf("depth %d", m.Depth)
		}
		for c, p := range m.Planes {
			if len(p) != m.W*m.H {
				t.Fatalf("plane %d has %d samples for %dx%d", c, len(p), m.W, m.H)
			}
			for _, v := range p {
				if math.IsNaN(v) || v < 0 || v > 255 {
					t.Fatalf("plane %d sample %v", c, v)
				}
			}
		}
	})
}

// fuzzTree turns fuzzed text into at most 40 relative file paths (one per
// line, at most one folder level, each part at most 100 bytes and a valid
// file name), dropping lines that are not.
func fuzzTree(list string) []string {
	var out []string
	for _, line := range strings.Split(list, "\n") {
		if len(out) == 40 {
			break
		}
		parts := strings.Split(line, "/")
		if len(parts) > 2 {
			continue
		}
		ok := true
		for _, p := range parts {
			ok = ok && p != "" && p != "." && p != ".." && len(p) <= 100 && !strings.ContainsRune(p, 0)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

// FuzzDiscoverPairs runs pair discovery on folders whose file names come
// from the fuzzer (one path per line, e.g. "source_1/a.png"; the seeds in
// testdata/fuzz/FuzzDiscoverPairs hold the supported layouts and broken
// ones). Discovery must never panic; pairs it returns must have two or more
// distinct sources inside the folder, one name each, in natural order.
func FuzzDiscoverPairs(f *testing.F) {
	f.Fuzz(func(t *testing.T, list string) {
		files := fuzzTree(list)
		if len(files) == 0 {
			return
		}
		dir := t.TempDir()
		for _, rel := range files {
			p := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return // a file already holds the folder's name
			}
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				return // a folder already holds the file's name
			}
		}
		pairs, err := DiscoverPairs(dir)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for i, p := range pairs {
			if p.Name == "" || seen[p.Name] {
				t.Fatalf("pair %d: empty or repeated name %q", i, p.Name)
			}
			seen[p.Name] = true
			if i > 0 && naturalLess(p.Name, pairs[i-1].Name) {
				t.Fatalf("pairs out of order: %q after %q", p.Name, pairs[i-1].Name)
			}
			if len(p.Sources) < 2 {
				t.Fatalf("pair %q has %d sources", p.Name, len(p.Sources))
			}
			srcs := map[string]bool{}
			for _, s := range append(append([]string(nil), p.Sources...), p.Reference) {
				if s == "" {
					continue
				}
				if srcs[s] {
					t.Fatalf("pair %q uses %s twice", p.Name, s)
				}
				srcs[s] = true
				if rel, err := filepath.Rel(dir, s); err != nil || strings.HasPrefix(rel, "..") {
					t.Fatalf("pair %q: %s is outside the folder", p.Name, s)
				}
				if _, err := os.Stat(s); err != nil {
					t.Fatalf("pair %q: %v", p.Name, err)
				}
			}
		}
	})
}
