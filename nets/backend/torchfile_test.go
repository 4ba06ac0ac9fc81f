package backend

import (
	"path/filepath"
	"testing"

	"github.com/mfif/mfif/internal/synthweights"
)

// TestCommittedStateDictLoads reads a small state_dict that PyTorch 1.13
// saved (testdata/README.md) and checks every float tensor, value by
// value, against the synthetic values it was written with, and the 0-d
// int64 BatchNorm counter.
func TestCommittedStateDictLoads(t *testing.T) {
	want, err := synthweights.Read(filepath.Join("testdata", "small_state_dict.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	err = Run(func() error {
		sd, err := LoadStateDict(filepath.Join("testdata", "small_state_dict.pt"))
		if err != nil {
			return err
		}
		defer func() {
			for _, x := range sd {
				Drop(x)
			}
		}()
		if len(sd) != len(want)+1 {
			t.Errorf("%d entries, want %d", len(sd), len(want)+1)
		}
		for _, p := range want {
			x, ok := sd[p.Name]
			if !ok {
				t.Errorf("%s missing", p.Name)
				continue
			}
			got, err := Float32s(x)
			if err != nil {
				return err
			}
			if len(got) != len(p.Values) {
				t.Errorf("%s: %d values, want %d", p.Name, len(got), len(p.Values))
				continue
			}
			for i := range got {
				if got[i] != p.Values[i] {
					t.Errorf("%s[%d] = %g, want %g", p.Name, i, got[i], p.Values[i])
					break
				}
			}
		}
		n, ok := sd["1.num_batches_tracked"]
		if !ok {
			t.Fatal("1.num_batches_tracked missing")
		}
		if v, err := Value(n); err != nil || v != 7 {
			t.Errorf("num_batches_tracked = %v (%v), want 7", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
