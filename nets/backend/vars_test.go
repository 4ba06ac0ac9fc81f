package backend

import (
	"math"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/checkpoint"
)

// toyStore is a VarStore with a 2x2 weight and a bias.
func toyStore(t *testing.T, w, b []float32) *nn.VarStore {
	t.Helper()
	vs := NewVarStore()
	for _, v := range []struct {
		name string
		data []float32
		dims []int64
	}{{"w", w, []int64{2, 2}}, {"b", b, []int64{2}}} {
		x := MustFromFloat32(v.data, v.dims...)
		if _, err := vs.Root().Add(v.name, x, true); err != nil {
			t.Fatal(err)
		}
		Drop(x)
	}
	return vs
}

// varValues reads variable name of vs.
func varValues(vs *nn.VarStore, name string) ([]float32, error) {
	v := vs.Variables()[name]
	return Float32s(&v)
}

func TestVarsRoundTripAndChecks(t *testing.T) {
	err := Run(func() error {
		src := toyStore(t, []float32{1, 2, 3, 4}, []float32{-1, 0.5})
		c := checkpoint.New("toy")
		if err := SaveVars(c, src); err != nil {
			return err
		}
		if n := NumParams(src); n != 6 {
			t.Errorf("NumParams = %d, want 6", n)
		}
		dst := toyStore(t, make([]float32, 4), make([]float32, 2))
		if err := LoadVars(c, dst); err != nil {
			return err
		}
		got, _ := varValues(dst, "w")
		if got[3] != 4 {
			t.Errorf("loaded w = %v", got)
		}

		tests := []struct {
			name  string
			edit  func(c *checkpoint.Checkpoint)
			wants string
		}{
			{"infinite weight", func(c *checkpoint.Checkpoint) {
				c.Tensors["model/w"] = checkpoint.Float32Array([]float32{1, float32(math.Inf(1)), 3, 4}, 2, 2)
			}, "+Inf"},
			{"NaN bias", func(c *checkpoint.Checkpoint) {
				c.Tensors["model/b"] = checkpoint.Float32Array([]float32{float32(math.NaN()), 0}, 2)
			}, "NaN"},
			{"wrong shape", func(c *checkpoint.Checkpoint) {
				c.Tensors["model/w"] = checkpoint.Float32Array([]float32{1, 2, 3, 4}, 4)
			}, "stored shape [4]"},
			{"missing", func(c *checkpoint.Checkpoint) { delete(c.Tensors, "model/b") }, "missing b"},
			{"unexpected", func(c *checkpoint.Checkpoint) {
				c.Tensors["model/extra"] = checkpoint.Float32Array([]float32{1}, 1)
			}, "unexpected extra"},
		}
		for _, tc := range tests {
			bad := checkpoint.New("toy")
			for k, v := range c.Tensors {
				bad.Tensors[k] = v
			}
			tc.edit(bad)
			fresh := toyStore(t, []float32{9, 9, 9, 9}, []float32{9, 9})
			err := LoadVars(bad, fresh)
			if err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.wants)
			}
			v, _ := varValues(fresh, "w")
			if v[0] != 9 {
				t.Errorf("%s: a rejected checkpoint was partly copied (w = %v)", tc.name, v)
			}
		}

		// LoadWeights prefers the EMA copy when there is one.
		c.Tensors["ema/w"] = checkpoint.Float32Array([]float32{7, 7, 7, 7}, 2, 2)
		c.Tensors["ema/b"] = checkpoint.Float32Array([]float32{7, 7}, 2)
		if err := LoadWeights(c, dst); err != nil {
			return err
		}
		got, _ = varValues(dst, "b")
		if got[0] != 7 {
			t.Errorf("LoadWeights ignored the EMA weights: b = %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestToArrayDTypes(t *testing.T) {
	err := Run(func() error {
		for _, dt := range []gotch.DType{gotch.Float, gotch.Double, gotch.Int64} {
			x := ts.MustOnes([]int64{3}, dt, Device())
			a, err := ToArray(x)
			if err != nil {
				return err
			}
			y, err := TensorOf(a, Device())
			if err != nil {
				return err
			}
			if y.DType() != dt || a.Numel() != 3 {
				t.Errorf("%v: round trip gave %v with %d elements", dt, y.DType(), a.Numel())
			}
			Drop(x, y)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
