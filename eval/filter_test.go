package eval

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randPlane(rng *rand.Rand, n int, scale float64) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = scale * rng.Float64()
	}
	return p
}

// bruteWindowMean averages src over [x-lo,x+hi]x[y-lo,y+hi] clipped to the
// image, pixel by pixel.
func bruteWindowMean(src []float64, w, h, x, y, lo, hi int) float64 {
	s, n := 0.0, 0
	for yy := max(y-lo, 0); yy <= min(y+hi, h-1); yy++ {
		for xx := max(x-lo, 0); xx <= min(x+hi, w-1); xx++ {
			s += src[yy*w+xx]
			n++
		}
	}
	return s / float64(n)
}

// bruteGuided follows He et al.'s definition literally: a_k, b_k per clamped
// window, then q_i = mean over the windows containing i.
func bruteGuided(I, p []float64, w, h, r int, eps float64) []float64 {
	a, b := make([]float64, w*h), make([]float64, w*h)
	for y := range h {
		for x := range w {
			var sI, sP, sII, sIP float64
			n := 0
			for yy := max(y-r, 0); yy <= min(y+r, h-1); yy++ {
				for xx := max(x-r, 0); xx <= min(x+r, w-1); xx++ {
					i := yy*w + xx
					sI += I[i]
					sP += p[i]
					sII += I[i] * I[i]
					sIP += I[i] * p[i]
					n++
				}
			}
			fn := float64(n)
			mI, mP := sI/fn, sP/fn
			v := sII/fn - mI*mI
			cov := sIP/fn - mI*mP
			k := y*w + x
			if v+eps > 1e-15 {
				a[k] = cov / (v + eps)
			}
			b[k] = mP - a[k]*mI
		}
	}
	q := make([]float64, w*h)
	for y := range h {
		for x := range w {
			k := y*w + x
			q[k] = bruteWindowMean(a, w, h, x, y, r, r)*I[k] + bruteWindowMean(b, w, h, x, y, r, r)
		}
	}
	return q
}

func TestGuidedFilterMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name      string
		w, h, r   int
		eps       float64
		flatGuide bool
	}{
		{"r1", 7, 5, 1, 0.01, false},
		{"r2", 9, 6, 2, 1e-6, false},
		{"big-radius", 5, 4, 10, 0.1, false},
		{"r0", 4, 4, 0, 0.01, false},
		{"flat-eps0", 6, 5, 1, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			I := randPlane(rng, tc.w*tc.h, 1)
			if tc.flatGuide {
				for i := range I {
					I[i] = 0.3
				}
			}
			p := randPlane(rng, tc.w*tc.h, 1)
			got := GuidedFilter(I, p, tc.w, tc.h, tc.r, tc.eps)
			want := bruteGuided(I, p, tc.w, tc.h, tc.r, tc.eps)
			for i := range got {
				if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > 1e-9 {
					t.Fatalf("pixel %d: got %v want %v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestGuidedFilterPreservesConstant(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	I := randPlane(rng, 30, 255)
	p := make([]float64, 30)
	for i := range p {
		p[i] = 0.7
	}
	for i, v := range GuidedFilter(I, p, 6, 5, 2, 0.1) {
		if math.Abs(v-0.7) > 1e-9 {
			t.Fatalf("pixel %d: %v, want 0.7", i, v)
		}
	}
}

func TestReflectIndex(t *testing.T) {
	for _, tc := range []struct{ i, n, want int }{
		{-1, 5, 1}, {-2, 5, 2}, {5, 5, 3}, {6, 5, 2}, {0, 1, 0}, {-2, 2, 0}, {3, 2, 1}, {2, 5, 2},
	} {
		if got := reflectIndex(tc.i, tc.n); got != tc.want {
			t.Errorf("reflectIndex(%d,%d) = %d, want %d", tc.i, tc.n, got, tc.want)
		}
	}
}
