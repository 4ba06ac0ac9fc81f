package backend

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

func TestSaveStateDictRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.pt")
	err := Run(func() error {
		ManualSeed(11)
		src := nn.NewVarStore(gotch.CPU)
		w := src.Root().Sub("conv").MustRandn("weight", []int64{4, 3, 3, 3}, 0, 1)
		src.Root().Sub("conv").MustZeros("bias", []int64{4})
		cnt, _ := ts.Ones([]int64{1}, gotch.Int64, gotch.CPU)
		cnt0, _ := cnt.Squeeze(true)
		src.Root().Sub("bn").MustAdd("num_batches_tracked", cnt0, false)
		if err := SaveVarStore(path, src); err != nil {
			return err
		}
		n, err := CheckTorchLoadable(path)
		if err != nil {
			return err
		}
		if n != 3 {
			t.Errorf("libtorch reader found %d tensors, want 3", n)
		}
		sd, err := LoadStateDict(path)
		if err != nil {
			return err
		}
		dst := nn.NewVarStore(gotch.CPU)
		w2 := dst.Root().Sub("conv").MustZeros("weight", []int64{4, 3, 3, 3})
		dst.Root().Sub("conv").MustOnes("bias", []int64{4})
		z, _ := ts.Zeros([]int64{1}, gotch.Int64, gotch.CPU)
		z0, _ := z.Squeeze(true)
		n2 := dst.Root().Sub("bn").MustAdd("num_batches_tracked", z0, false)
		if err := ApplyStateDict(dst, sd, true); err != nil {
			return err
		}
		a, _ := Float64s(w)
		b, _ := Float64s(w2)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("weight %d: %g after round trip, want %g", i, b[i], a[i])
			}
		}
		if v, _ := Float64s(n2); v[0] != 1 {
			t.Errorf("num_batches_tracked = %v after round trip", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	bad := filepath.Join(t.TempDir(), "bad.pt")
	os.WriteFile(bad, []byte("not a zip"), 0o644)
	if _, err := CheckTorchLoadable(bad); err == nil {
		t.Error("garbage accepted as torch file")
	}
	if _, err := LoadStateDict(bad); err == nil {
		t.Error("LoadStateDict accepted garbage")
	}
	if err := SaveStateDict(filepath.Join(t.TempDir(), "x.pt"), map[string]*ts.Tensor{"a": nil}); err == nil {
		t.Error("nil tensor saved")
	}
}
