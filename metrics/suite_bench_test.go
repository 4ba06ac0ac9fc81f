package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mfif/mfif/data"
)

// BenchmarkSuite520Colour times each MATLAB suite, whole and metric by
// metric, on one synthetic 520x520 RGB triple (the size of the speed table
// in docs/metrics.md). Run with -cpu 1; profile with -cpuprofile.
func BenchmarkSuite520Colour(b *testing.B) {
	sharp := texture(520, 520, 3, 1)
	a, bb := focusPair(sharp, 3)
	// yuliu's PSNR, SSIM and GMSD need a ground truth: a lightly blurred copy.
	in := Inputs{Sources: []*data.Image{a, bb}, Fused: sharp, Reference: boxBlur(sharp, 1)}
	for _, suite := range []string{"zhengliu", "yuliu", "vifb", "mefb"} {
		keys, err := SuiteKeys(suite)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(suite, func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := Evaluate(keys, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
		for _, k := range keys {
			b.Run(k, func(b *testing.B) {
				c0 := cpuTime()
				for i := 0; i < b.N; i++ {
					if _, err := Evaluate([]string{k}, in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// TestPhaseCongLowpassEvenSizes checks what phaseCongABF relies on: for
// even widths and heights the older and newer lowpass filters give the
// same phase congruency maps bit for bit, while odd sizes tell them apart;
// and Q_P evaluated with QP in one scene equals each evaluated alone.
func TestPhaseCongLowpassEvenSizes(t *testing.T) {
	for _, sz := range [][2]int{{24, 20}, {25, 21}} {
		w, h := sz[0], sz[1]
		ims := [][]float64{texture(w, h, 1, 1).Planes[0], texture(w, h, 1, 2).Planes[0]}
		a, b := phaseCong(ims, w, h, false), phaseCong(ims, w, h, true)
		same := true
		for i := range a {
			for k := range a[i].pc {
				same = same && a[i].pc[k] == b[i].pc[k] && a[i].bigM[k] == b[i].bigM[k] && a[i].smallM[k] == b[i].smallM[k]
			}
		}
		if even := w%2 == 0 && h%2 == 0; same != even {
			t.Errorf("%dx%d: maps of both lowpass filters equal: %v, want %v", w, h, same, even)
		}
		sharp := texture(w, h, 3, 3)
		fa, fb := focusPair(sharp, 1)
		in := Inputs{Sources: []*data.Image{fa, fb}, Fused: sharp}
		both, err := Evaluate([]string{"zhengliu.Q_P", "yuliu.QP"}, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"zhengliu.Q_P", "yuliu.QP"} {
			alone, err := Evaluate([]string{k}, in)
			if err != nil {
				t.Fatal(err)
			}
			if alone[k] != both[k] {
				t.Errorf("%dx%d: %s alone %.17g, with the other suite's %.17g", w, h, k, alone[k], both[k])
			}
		}
	}
}

// TestPCScaleSums compares the kernel in use (vector when built with
// GOEXPERIMENT=simd) with the portable one, value for value.
func TestPCScaleSums(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 3, 4, 5, 13, 520} {
		rs := make([][]complex128, 4)
		for s := range rs {
			rs[s] = make([]complex128, n)
			for k := range rs[s] {
				rs[s][k] = complex(rnd.NormFloat64()*math.Pow(10, float64(rnd.IntN(6)-3)), rnd.NormFloat64())
				if rnd.IntN(7) == 0 {
					rs[s][k] = 0
				}
			}
		}
		got, want := make([][]float64, 4), make([][]float64, 4)
		for i := range got {
			got[i], want[i] = make([]float64, n), make([]float64, n)
		}
		pcScaleSums(got[0], got[1], got[2], got[3], rs[0], rs[1], rs[2], rs[3])
		pcScaleSumsGo(want[0], want[1], want[2], want[3], rs[0], rs[1], rs[2], rs[3])
		for i := range got {
			for k := range got[i] {
				if got[i][k] != want[i][k] {
					t.Fatalf("n=%d output %d pixel %d: %v, want %v", n, i, k, got[i][k], want[i][k])
				}
			}
		}
	}
}

// BenchmarkFFT2_520 times one 520x520 complex 2-D transform as phaseCong
// runs it (two batched 1-D passes and one transpose, the spectrum left
// transposed) and as MATLAB's fft2 (a second transpose back), for the
// floor of Q_P's cost (docs/metrics.md, Speed).
func BenchmarkFFT2_520(b *testing.B) {
	const w, h = 520, 520
	x := make([]complex128, w*h)
	for i := range x {
		x[i] = complex(math.Sin(float64(i)*0.37), math.Cos(float64(i)*0.11))
	}
	c, t := make([]complex128, w*h), make([]complex128, w*h)
	b.Run("transposed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			copy(c, x)
			transformCols(c, t, w, h, false)
			transpose(t, c, w, h)
			transformCols(t, c, h, w, false)
		}
	})
	b.Run("fft2", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			copy(c, x)
			fft2(c, t, w, h, false)
		}
	})
}
