package backend

import (
	"math"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// TestCompatShim exercises scripts/gotch-compat.h, which is active only
// when building against libtorch 1.13: the ops it re-implements must give
// the 2.1 results and the ops it stubs must fail with a clear error.
func TestCompatShim(t *testing.T) {
	if !strings.HasPrefix(Version(), "1.13") {
		t.Skipf("libtorch %s: shim inactive", Version())
	}
	err := Run(func() error {
		x, _ := ts.OfSlice([]float64{1, 2, 3, 4, 5, 6})
		x3, _ := x.View([]int64{1, 6, 1}, true)
		defer Drop(x3)

		sq, err := x3.SqueezeDims([]int64{0, 2}, false)
		if err != nil {
			return err
		}
		if s, _ := sq.Size(); len(s) != 1 || s[0] != 6 {
			t.Errorf("SqueezeDims([0 2]) shape %v, want [6]", s)
		}
		keep, err := x3.SqueezeDims([]int64{1}, false) // size 6: not squeezed
		if err != nil {
			return err
		}
		if s, _ := keep.Size(); len(s) != 3 {
			t.Errorf("SqueezeDims([1]) shape %v, want unchanged", s)
		}
		for _, c := range []struct {
			corr float64
			want float64
		}{{0, math.Sqrt(17.5 / 6)}, {1, math.Sqrt(17.5 / 5)}} {
			sd, err := x3.StdCorrection([]int64{1}, ts.FloatScalar(c.corr), false, false)
			if err != nil {
				return err
			}
			v, _ := Float64s(sd)
			if math.Abs(v[0]-c.want) > 1e-9 {
				t.Errorf("StdCorrection(%g) = %g, want %g", c.corr, v[0], c.want)
			}
			Drop(sd)
		}
		if _, err := x3.StdCorrection([]int64{1}, ts.FloatScalar(0.5), false, false); err == nil {
			t.Error("fractional correction accepted on 1.13")
		}
		out, _ := ts.Zeros([]int64{1}, gotch.Double, gotch.CPU)
		m, err := x3.MaxUnaryOut(out, false)
		if err != nil {
			return err
		}
		if v, _ := Float64s(m); v[0] != 6 {
			t.Errorf("MaxUnaryOut = %v, want 6", v)
		}
		q, _ := ts.Ones([]int64{1, 2, 4}, gotch.Float, gotch.CPU)
		_, err = ts.ScaledDotProductAttention(q, q, q, q, 0, false, []float64{1})
		if err == nil || !strings.Contains(err.Error(), "not available with libtorch 1.13") {
			t.Errorf("stubbed op error = %v", err)
		}
		if _, err := q.ToDense(gotch.Float, false, false); err == nil {
			t.Error("ToDense (member-call stub) did not fail")
		}
		Drop(sq, keep, m, q, out)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
