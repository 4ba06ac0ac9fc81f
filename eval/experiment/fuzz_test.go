package experiment

import (
	"strings"
	"testing"
)

// FuzzParse parses arbitrary experiment files (the seeds in
// testdata/fuzz/FuzzParse are the shipped layouts and broken ones). Parsing
// must never panic, and an accepted spec must expand into numbered cells
// (at most MaxCells) and encode back to YAML.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b, nil)
		if err != nil {
			return
		}
		cells, err := s.Cells()
		if err != nil {
			t.Fatalf("validated spec does not expand: %v", err)
		}
		if len(cells) == 0 || len(cells) > MaxCells {
			t.Fatalf("%d cells", len(cells))
		}
		for i, c := range cells {
			if c.Index != i || c.Name == "" {
				t.Fatalf("cell %d: %+v", i, c)
			}
		}
		if _, err := s.Yaml(); err != nil {
			t.Fatalf("accepted spec does not encode: %v", err)
		}
	})
}

// TestSweepCellLimit: a sweep expanding to more than MaxCells cells is an
// error at parse time instead of minutes of expansion.
func TestSweepCellLimit(t *testing.T) {
	axis := "{values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}"
	spec := func(n int) []byte {
		b := "name: big\ndatasets:\n  d: {path: /x}\nmethods:\n  - {name: average}\nsweep:\n  grid:\n"
		for i := 0; i < n; i++ {
			b += "    a" + string(rune('a'+i)) + ": " + axis + "\n"
		}
		return []byte(b)
	}
	if _, err := Parse(spec(5), nil); err != nil {
		t.Errorf("100000 cells: %v", err)
	}
	for _, n := range []int{6, 20} {
		if _, err := Parse(spec(n), nil); err == nil || !strings.Contains(err.Error(), "more than 100000") {
			t.Errorf("%d axes of 10: %v", n, err)
		}
	}
}
