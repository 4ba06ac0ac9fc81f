package synthweights

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The hash spreads over its whole range and the values are exact multiples
// of the step around the offset.
func TestValues(t *testing.T) {
	v := Values(3, 4096, 1, -3)
	seen := map[float32]bool{}
	lo, hi := float32(2), float32(0)
	for _, x := range v {
		seen[x] = true
		lo, hi = min(lo, x), max(hi, x)
		if m := (float64(x) - 1) * 512 * 8; m != float64(int(m)) {
			t.Fatalf("value %g is not offset + 2^-3·m/512", x)
		}
	}
	if len(seen) < 900 || lo > 0.88 || hi < 1.12 {
		t.Errorf("%d distinct values in [%g, %g]: the hash does not spread", len(seen), lo, hi)
	}
	if Code(0, 0) == Code(1, 0) && Code(0, 1) == Code(1, 1) {
		t.Error("tensor index does not change the codes")
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, text, err string
	}{
		{"ok", "a.weight\t2,3\t0\t-2\nb.bias\t4\t1\t-3\n", ""},
		{"fields", "a.weight\t2,3\t0\n", "fields"},
		{"dim", "a.weight\t2,x\t0\t-2\n", "dimension"},
		{"exp", "a.weight\t2\t0\t99\n", "exponent"},
		{"empty", "\n", "no parameters"},
	}
	for _, tc := range cases {
		path := filepath.Join(dir, tc.name+".tsv")
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		ps, err := Read(path)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(ps) != 2 || len(ps[0].Values) != 6 || len(ps[1].Values) != 4 || ps[1].Shape[0] != 4 {
			t.Fatalf("%s: parsed %+v", tc.name, ps)
		}
		if got, want := ps[1].Values[2], Values(1, 4, 1, -3)[2]; got != want {
			t.Errorf("tensor 1 value 2 = %g, want %g", got, want)
		}
	}
}
