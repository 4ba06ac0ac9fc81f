package netbench

import (
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
)

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		names []string
		quick bool
		want  int
		err   string
	}{
		{nil, false, 6, ""},
		{[]string{"all"}, true, 6, ""},
		{[]string{"fusiondiff"}, false, 3, ""},
		{[]string{"siamese/step/b8/256"}, false, 1, ""},
		{[]string{"siamese/step/b8/256"}, true, 1, ""},
		{[]string{"siamese/step/b9"}, true, 0, "unknown network case"},
		{[]string{"nope"}, false, 0, "known: fusiondiff/forward/256"},
	} {
		got, err := Select(tc.names, tc.quick)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Select(%v, %v): error %v, want %q", tc.names, tc.quick, err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != tc.want {
			t.Errorf("Select(%v, %v) = %d cases, %v; want %d", tc.names, tc.quick, len(got), err, tc.want)
		}
	}
	full := Cases(false)
	for i, c := range Cases(true) {
		if c.Name != full[i].Name || c.Side > 130 || c.Side*c.Side*c.Batch >= full[i].Side*full[i].Side*full[i].Batch && c.Side > 64 {
			t.Errorf("quick case %+v is not a smaller %+v", c, full[i])
		}
	}
}

// TestRunQuick runs a forward pass and a training step of each kind of
// network at the quick size: built, timed, counted.
func TestRunQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the paper FusionDiff network")
	}
	if _, err := backend.Init(backend.Options{Device: "cpu"}); err != nil {
		t.Fatal(err)
	}
	cs, err := Select([]string{"fusiondiff/forward/256", "siamese-cpu", "ddfm-prior"}, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		r, err := Run(c, 2)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if r.Name != c.Name || r.Device != "cpu" || r.Side != c.Side || r.Batch != c.Batch || len(r.Seconds) != 2 || !(r.Median > 0) || r.Params < 1000 || r.PeakRSSMiB <= 0 {
			t.Errorf("%s: result %+v", c.Name, r)
		}
	}
	if _, err := Run(cs[0], 0); err == nil {
		t.Error("reps 0 accepted")
	}
}
