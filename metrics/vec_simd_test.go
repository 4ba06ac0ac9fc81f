//go:build goexperiment.simd && amd64

package metrics

import (
	"math"
	"simd/archsimd"
	"testing"
)

// TestExpAVX2 compares the vector exponential with math.Exp over the whole
// clamped range and at the points where the reduction changes k.
func TestExpAVX2(t *testing.T) {
	if !archsimd.X86.AVX2() {
		t.Skip("no AVX2")
	}
	var xs []float64
	for x := -700.0; x <= 700; x += 0.3721 {
		xs = append(xs, x)
	}
	xs = append(xs, 0, math.Ln2/2, -math.Ln2/2, 1e-300, -1e-300, 5, -5, 15)
	for len(xs)%4 != 0 {
		xs = append(xs, 1)
	}
	var out [4]float64
	c := newExpConsts()
	for i := 0; i < len(xs); i += 4 {
		expAVX2(archsimd.LoadFloat64x4Slice(xs[i:]), c).Store(&out)
		for j, got := range out {
			want := math.Exp(xs[i+j])
			if math.Abs(got-want) > 4e-16*want {
				t.Fatalf("exp(%v) = %v, want %v (rel %.2g)", xs[i+j], got, want, math.Abs(got-want)/want)
			}
		}
	}
}
