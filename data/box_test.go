package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteWindowMean averages src over [x-lo,x+hi]x[y-lo,y+hi] under border,
// sample by sample.
func bruteWindowMean(src []float64, w, h, x, y, lo, hi int, border Border) float64 {
	s, n := 0.0, 0
	for yy := y - lo; yy <= y+hi; yy++ {
		for xx := x - lo; xx <= x+hi; xx++ {
			inside := xx >= 0 && xx < w && yy >= 0 && yy < h
			if border == BorderInside && !inside {
				continue
			}
			s += src[clampIndex(yy, h, border)*w+clampIndex(xx, w, border)]
			n++
		}
	}
	return s / float64(n)
}

func TestBoxFilterMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		w, h, lo, hi int
		border       Border
	}{
		{1, 1, 0, 0, BorderInside}, {5, 4, 1, 1, BorderInside}, {7, 3, 2, 2, BorderInside}, {6, 6, 10, 10, BorderInside},
		{9, 1, 3, 3, BorderInside}, {1, 9, 2, 2, BorderInside}, {8, 8, 4, 3, BorderInside}, {11, 5, 0, 2, BorderInside},
		{5, 4, 1, 1, BorderReplicate}, {7, 6, 2, 2, BorderReplicate}, {7, 6, 2, 2, BorderSymmetric}, {3, 3, 0, 0, BorderReplicate},
	} {
		m := NewImage(tc.w, tc.h, 1)
		for i := range m.Planes[0] {
			m.Planes[0][i] = 255 * rng.Float64()
		}
		var got []float64
		if tc.lo == tc.hi {
			got = BoxFilter(m, tc.lo, tc.border).Planes[0]
		} else {
			got = BoxFilterPlane(m.Planes[0], tc.w, tc.h, tc.lo, tc.hi)
		}
		for y := range tc.h {
			for x := range tc.w {
				want := bruteWindowMean(m.Planes[0], tc.w, tc.h, x, y, tc.lo, tc.hi, tc.border)
				if math.Abs(got[y*tc.w+x]-want) > 1e-9 {
					t.Fatalf("%+v at (%d,%d): got %v want %v", tc, x, y, got[y*tc.w+x], want)
				}
			}
		}
	}
}

func TestBoxFilterPlanePanicsOnBadSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for 3 samples on a 2x2 plane")
		}
	}()
	BoxFilterPlane(make([]float64, 3), 2, 2, 1, 1)
}
