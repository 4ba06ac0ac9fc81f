package checkpoint

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// MatchShapes compares the tensor shapes a network expects (want, by
// parameter name) with those a file holds (have), so a loader can reject a
// file that does not fit before it builds the network. [] and [1] count as
// equal (PyTorch state_dicts store 0-d tensors either way). The error lists
// up to five differences of each kind (shape, missing, unexpected).
func MatchShapes(want, have map[string][]int64) error {
	var bad, missing, extra []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		got, ok := have[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		if !sameShape(got, want[name]) {
			bad = append(bad, fmt.Sprintf("%s: stored %v, model %v", name, got, want[name]))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[name]; !ok {
			extra = append(extra, name)
		}
	}
	if len(bad)+len(missing)+len(extra) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%d tensors stored, the model has %d", len(have), len(want))
	for _, part := range []struct {
		what  string
		names []string
	}{{"shape mismatch", bad}, {"missing", missing}, {"unexpected", extra}} {
		if len(part.names) > 0 {
			msg += "; " + part.what + ": " + short(part.names)
		}
	}
	return fmt.Errorf("%s", msg)
}

// Shapes returns the shape of every tensor under prefix, keyed by the rest
// of its name.
func (c *Checkpoint) Shapes(prefix string) map[string][]int64 {
	out := map[string][]int64{}
	for k, a := range c.WithPrefix(prefix) {
		out[k] = a.Shape
	}
	return out
}

func sameShape(a, b []int64) bool {
	n := func(s []int64) int64 {
		k := int64(1)
		for _, d := range s {
			k *= d
		}
		return k
	}
	if len(a) != len(b) {
		return n(a) == 1 && n(b) == 1 && len(a) <= 1 && len(b) <= 1
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func short(s []string) string {
	if len(s) > 5 {
		return strings.Join(s[:5], ", ") + fmt.Sprintf(" and %d more", len(s)-5)
	}
	return strings.Join(s, ", ")
}
