package backend

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/internal/testshared"

	"github.com/mfif/mfif/data/npy"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

func TestFromFloat32(t *testing.T) {
	err := Run(func() error {
		x, err := FromFloat32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
		if err != nil {
			return err
		}
		defer Drop(x)
		if got := x.MustSize(); len(got) != 2 || got[0] != 2 || got[1] != 3 {
			t.Errorf("shape %v, want [2 3]", got)
		}
		if x.MustDevice().IsCuda() != Device().IsCuda() {
			t.Errorf("device %v, want %v", x.MustDevice(), Device())
		}
		v, err := Float32s(x)
		if err != nil {
			return err
		}
		for i, want := range []float32{1, 2, 3, 4, 5, 6} {
			if v[i] != want {
				t.Errorf("value %d = %v, want %v", i, v[i], want)
			}
		}
		one := x.MustSum(gotch.Float, false)
		defer Drop(one)
		if s, err := Value(one); err != nil || s != 21 {
			t.Errorf("Value = %v, %v; want 21", s, err)
		}
		if _, err := Value(x); err == nil {
			t.Error("Value of a 6-element tensor accepted")
		}
		if _, err := FromFloat32([]float32{1, 2, 3}, 2, 2); err == nil {
			t.Error("3 values accepted for shape [2 2]")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestApplyStateDict(t *testing.T) {
	err := Run(func() error {
		vs := nn.NewVarStore(gotch.CPU)
		conv := vs.Root().Sub("conv")
		w := conv.MustZeros("weight", []int64{2, 3})
		b := conv.MustZeros("bias", []int64{2})
		mk := func(n int64, shape ...int64) *ts.Tensor {
			return ts.MustOnes(shape, gotch.Double, gotch.CPU).MustMulScalar(ts.FloatScalar(float64(n)), true)
		}
		good := map[string]*ts.Tensor{"conv.weight": mk(2, 2, 3), "conv.bias": mk(3, 2)}
		if err := ApplyStateDict(vs, good, true); err != nil {
			return err
		}
		if v, _ := Float64s(w); v[5] != 2 {
			t.Errorf("weight not copied: %v", v)
		}
		if rg, _ := w.RequiresGrad(); !rg {
			t.Error("copy lost requires_grad")
		}
		bad := map[string]*ts.Tensor{"conv.weight": mk(1, 3, 2), "extra": mk(1, 1)}
		err := ApplyStateDict(vs, bad, true)
		var sde *StateDictError
		if !errors.As(err, &sde) {
			t.Fatalf("want *StateDictError, got %v", err)
		}
		if len(sde.Missing) != 1 || sde.Missing[0] != "conv.bias" || len(sde.Unexpected) != 1 || sde.Unexpected[0] != "extra" || len(sde.Mismatched) != 1 {
			t.Errorf("error fields %+v", sde)
		}
		if !strings.Contains(err.Error(), "conv.weight") {
			t.Errorf("message does not name the mismatched key: %v", err)
		}
		if v, _ := Float64s(w); v[0] != 2 {
			t.Error("failed strict apply modified weights")
		}
		partial := map[string]*ts.Tensor{"conv.bias": mk(7, 2), "extra": mk(1, 1)}
		if err := ApplyStateDict(vs, partial, false); err != nil {
			t.Errorf("non-strict apply: %v", err)
		}
		if v, _ := Float64s(b); v[1] != 7 {
			t.Errorf("non-strict apply did not copy bias: %v", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGoldenFilesLoad(t *testing.T) {
	dir := filepath.Join(testshared.Dir(t), "design")
	for _, name := range []string{"fusiondiff-golden/noisepred_small_state_dict.pt", "ddfm-golden/unet_small_state_dict.pt"} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			t.Skipf("%s absent", path)
		}
		err := Run(func() error {
			sd, err := LoadStateDict(path)
			if err != nil {
				return err
			}
			if len(sd) < 4 {
				t.Errorf("%s: only %d entries", name, len(sd))
			}
			var params int64
			for k, v := range sd {
				s, err := v.Size()
				if err != nil {
					return err
				}
				params += numel(s)
				if vals, err := Float64s(v); err != nil {
					return err
				} else if len(vals) > 0 && math.IsNaN(vals[0]) {
					t.Errorf("%s: %s starts with NaN", name, k)
				}
			}
			t.Logf("%s: %d tensors, %d values", name, len(sd), params)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"fusiondiff-golden/input.npy", "ddfm-golden/output.npy"} {
		a, err := npy.Read(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if numel(a.Shape) != int64(len(a.Data)) || len(a.Data) == 0 {
			t.Errorf("%s: shape %v with %d values", name, a.Shape, len(a.Data))
		}
	}
	m, err := npy.ReadNpz(filepath.Join(dir, "ddfm-golden", "em_onestep_io.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		t.Error("em_onestep_io.npz has no arrays")
	}
	t.Logf("em_onestep_io.npz keys %v", npy.Keys(m))
}

func TestArrayTensor(t *testing.T) {
	a := &npy.Array{Shape: []int64{2, 2}, DType: "<f8", Data: []float64{1, -2, 3.5, 4}}
	err := Run(func() error {
		x, err := ArrayTensor(a, gotch.Float)
		if err != nil {
			return err
		}
		defer Drop(x)
		if got := x.MustSize(); len(got) != 2 || got[0] != 2 || got[1] != 2 {
			t.Errorf("shape %v, want [2 2]", got)
		}
		got, err := Float64s(x)
		if err != nil {
			return err
		}
		for i, v := range a.Data {
			if got[i] != v {
				t.Errorf("value %d = %g, want %g", i, got[i], v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
