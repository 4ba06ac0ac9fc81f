package metrics

import (
	"github.com/mfif/mfif/data"
	"math"
	"math/cmplx"
	"testing"
)

// Component benchmarks on one 520x520 plane, to direct optimisation.
func BenchmarkParts520(b *testing.B) {
	img := texture(520, 520, 1, 1)
	x := img.Planes[0]
	b.Run("csfPair", func(b *testing.B) {
		sd := cbCSF(520, 520)
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			csfFilter(nil, x, x, 520, 520, sd)
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("cbContrastMaps3", func(b *testing.B) {
		ar := &arena{}
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			cbContrastMaps(ar, [][]float64{x, x, x}, 520, 520)
			ar.release()
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("cbMasked", func(b *testing.B) {
		ar := &arena{}
		c0 := cpuTime()
		for i := 0; i < b.N; i++ {
			cbMasked(ar, x, 520, 520)
			ar.release()
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("corrValid11", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			corrValid(x, 520, 520, gaussWindow.k)
		}
	})
	b.Run("gradient", func(b *testing.B) {
		s, _ := newScene(Inputs{Sources: []*data.Image{img, img}, Fused: img})
		for i := 0; i < b.N; i++ {
			s.grad[0] = nil
			s.gradient(0)
		}
	})
}

// TestFFT compares the batched transform with a direct DFT for lengths
// covering every radix path (2, 3, 4, generic odd primes) and checks that
// the inverse undoes it.
func TestFFT(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 15, 20, 22, 26, 30, 49, 52, 55, 60, 67, 77, 104, 143, 520} {
		const w = 3
		x := make([]complex128, n*w)
		for i := range x {
			x[i] = complex(math.Sin(float64(i)*1.3), math.Cos(float64(i*i)*0.7))
		}
		for _, inv := range []bool{false, true} {
			got := append([]complex128(nil), x...)
			transformCols(got, make([]complex128, len(x)), w, n, inv)
			sign := -1.0
			if inv {
				sign = 1
			}
			for c := 0; c < w; c++ {
				for k := 0; k < n; k++ {
					var want complex128
					for j := 0; j < n; j++ {
						a := sign * 2 * math.Pi * float64((j*k)%n) / float64(n)
						want += x[j*w+c] * complex(math.Cos(a), math.Sin(a))
					}
					if cmplx.Abs(got[k*w+c]-want) > 1e-12*float64(n) {
						t.Fatalf("n=%d inverse=%v col %d bin %d: got %v want %v", n, inv, c, k, got[k*w+c], want)
					}
				}
			}
		}
	}
}

// TestCBSpectralMatchesDirect checks the Chen-Blum contrast maps of the
// spectral path (interior from the DFT, border bands direct) against the
// fully direct path (CSF by FFT, 31-tap Gaussians by separable sums) for
// odd and even sizes and an odd number of images, pixel by pixel.
func TestCBSpectralMatchesDirect(t *testing.T) {
	for _, sz := range [][2]int{{64, 64}, {97, 70}, {65, 130}} {
		w, h := sz[0], sz[1]
		imgs := [][]float64{texture(w, h, 1, 1).Planes[0], texture(w, h, 1, 2).Planes[0], texture(w, h, 1, 3).Planes[0]}
		z1s, z2s := cbContrastMaps(nil, imgs, w, h)
		sd := cbCSF(w, h)
		for i, x := range imgs {
			xf, _ := csfFilter(nil, x, nil, w, h, sd)
			d1, d2 := cbContrastT(nil, xf, w, h) // transposed
			worst := 0.0
			for y := 0; y < h; y++ {
				for xx := 0; xx < w; xx++ {
					for _, p := range [][2]float64{{z1s[i][y*w+xx], d1[xx*h+y]}, {z2s[i][y*w+xx], d2[xx*h+y]}} {
						worst = max(worst, math.Abs(p[0]-p[1])/math.Max(math.Abs(p[1]), 1e-3))
					}
				}
			}
			if worst > 1e-11 {
				t.Errorf("%dx%d image %d: spectral and direct maps differ by %.3g relative", w, h, i, worst)
			}
		}
	}
}
