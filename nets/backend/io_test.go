package backend

import (
	"errors"
	"github.com/mfif/mfif/internal/testshared"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/data/npy"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

func testImage(w, h, c int, f func(c, x, y int) float64) *data.Image {
	im := data.NewImage(w, h, c)
	for p := 0; p < c; p++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				im.Set(p, x, y, f(p, x, y))
			}
		}
	}
	return im
}

func TestImageRoundTrip(t *testing.T) {
	a := testImage(5, 3, 3, func(c, x, y int) float64 { return float64((c*37 + x*11 + y*53) % 256) })
	b := testImage(5, 3, 3, func(c, x, y int) float64 { return float64(255 - (c*7+x+y)%256) })
	for _, r := range []Range{Unit, Signed, Raw} {
		err := Run(func() error {
			x, err := FromImages([]*data.Image{a, b}, r)
			if err != nil {
				return err
			}
			defer Drop(x)
			if s, _ := x.Size(); len(s) != 4 || s[0] != 2 || s[1] != 3 || s[2] != 3 || s[3] != 5 {
				t.Errorf("%v: shape %v", r, s)
			}
			if x.DType() != gotch.Float {
				t.Errorf("%v: dtype %v", r, x.DType())
			}
			vals, err := Float64s(x)
			if err != nil {
				return err
			}
			// sample (c=1, x=2, y=1) of image 0 sits at ((0*3+1)*3+1)*5+2.
			if got, want := vals[((0*3+1)*3+1)*5+2], r.Scale(a.At(1, 2, 1)); math.Abs(got-want) > 1e-6 {
				t.Errorf("%v: tensor value %g, want %g", r, got, want)
			}
			for i, src := range []*data.Image{a, b} {
				back, err := ToImage(x, i, r)
				if err != nil {
					return err
				}
				for p := range src.Planes {
					for k, v := range src.Planes[p] {
						if math.Abs(back.Planes[p][k]-v) > 1e-4 {
							t.Fatalf("%v image %d plane %d sample %d: %g, want %g", r, i, p, k, back.Planes[p][k], v)
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRangeClamps(t *testing.T) {
	tests := []struct {
		r    Range
		in   float64
		want float64
	}{
		{Unit, 1.5, 255}, {Unit, -0.2, 0}, {Unit, 0.5, 127.5},
		{Signed, -3, 0}, {Signed, 0, 127.5}, {Signed, 1, 255},
		{Raw, 300, 255}, {Raw, 12, 12},
	}
	for _, tc := range tests {
		if got := tc.r.Unscale(tc.in); got != tc.want {
			t.Errorf("%v.Unscale(%g) = %g, want %g", tc.r, tc.in, got, tc.want)
		}
	}
}

func TestConversionErrors(t *testing.T) {
	a := data.NewImage(4, 4, 1)
	b := data.NewImage(4, 3, 1)
	c := data.NewImage(4, 4, 3)
	tests := []struct {
		name string
		imgs []*data.Image
		r    Range
	}{
		{"empty", nil, Unit},
		{"size", []*data.Image{a, b}, Unit},
		{"channels", []*data.Image{a, c}, Unit},
		{"nil", []*data.Image{a, nil}, Unit},
		{"range", []*data.Image{a}, Range(9)},
	}
	for _, tc := range tests {
		if x, err := FromImages(tc.imgs, tc.r); err == nil {
			Drop(x)
			t.Errorf("%s: no error", tc.name)
		}
	}
	err := Run(func() error {
		x, err := FromImages([]*data.Image{a}, Unit)
		if err != nil {
			return err
		}
		if _, err := ToImage(x, 1, Unit); err == nil {
			t.Error("index past batch accepted")
		}
		nan, _ := x.MulScalar(ts.FloatScalar(math.NaN()), false)
		if _, err := ToImage(nan, 0, Unit); err == nil {
			t.Error("NaN tensor converted silently")
		}
		flat, _ := ts.Ones([]int64{3}, gotch.Float, gotch.CPU)
		if _, err := ToImage(flat, 0, Unit); err == nil {
			t.Error("1-d tensor accepted")
		}
		Drop(x, nan, flat)
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
