package metrics

import (
	"math"
	"math/big"
	"sync"
)

// ssim_yang of MEFB's metricsQc.m and metricsQy.m uses C1 = C2 = 2e-16,
// far below the rounding error of the local moments, so in flat windows
// its SSIM is a ratio of rounding residues. The toolkit's values there
// depend on exactly how Octave's filter2 sums: conv2 ('valid', liboctave's
// dconv2i) adds one window tap at a time to each output column with BLAS
// daxpy, which OpenBLAS evaluates with fused multiply-adds. yangFilter
// reproduces that order and fspecial's window to the bit.

var (
	yangOnce sync.Once
	yangWin  [7][7]float64 // window(i, j), MATLAB indices minus one
)

// yangWindow2D builds fspecial('gaussian', 7, 1.5) as Octave's fspecial
// computes it (exp(-(x^2+y^2)/(2 sigma^2)) divided by its column-major
// sum), then divided again by sum(sum(window)) as ssim_yang does.
func yangWindow2D() *[7][7]float64 {
	yangOnce.Do(func() {
		s := 0.0
		for j := 0; j < 7; j++ {
			for i := 0; i < 7; i++ {
				x, y := float64(i-3), float64(j-3)
				yangWin[i][j] = expRounded(-(x*x + y*y) / (2 * (1.5 * 1.5)))
			}
		}
		for j := 0; j < 7; j++ {
			for i := 0; i < 7; i++ {
				s += yangWin[i][j]
			}
		}
		for j := 0; j < 7; j++ {
			for i := 0; i < 7; i++ {
				yangWin[i][j] /= s
			}
		}
		t := 0.0
		for j := 0; j < 7; j++ {
			c := 0.0
			for i := 0; i < 7; i++ {
				c += yangWin[i][j]
			}
			t += c
		}
		for j := 0; j < 7; j++ {
			for i := 0; i < 7; i++ {
				yangWin[i][j] /= t
			}
		}
	})
	return &yangWin
}

// yangFilter is Octave's filter2(window, x, 'valid') for the 7x7 window:
// out(r,k) accumulates window(i,j) * x(r+i, k+j), columns j from last to
// first, rows i from last to first, with a fused multiply-add except in
// the last (rows mod 16) rows of each column. This matches Octave 7.3 with
// OpenBLAS 0.3.21 bit for bit on the test images (a plain sum or an FMA in
// every row does not); MATLAB, with MKL, rounds differently in flat windows.
func yangFilter(x []float64, w, h int) []float64 {
	win := yangWindow2D()
	ow, oh := w-6, h-6
	out := make([]float64, ow*oh)
	// OpenBLAS's daxpy runs its FMA vector kernel on the first n &^ 15
	// elements and a scalar loop (no FMA) on the rest.
	vec := oh &^ 15
	for r := 0; r < oh; r++ {
		for k := 0; k < ow; k++ {
			acc := 0.0
			if r < vec {
				for j := 6; j >= 0; j-- {
					for i := 6; i >= 0; i-- {
						acc = math.FMA(win[i][j], x[(r+i)*w+k+j], acc)
					}
				}
			} else {
				for j := 6; j >= 0; j-- {
					for i := 6; i >= 0; i-- {
						acc += win[i][j] * x[(r+i)*w+k+j]
					}
				}
			}
			out[r*ow+k] = acc
		}
	}
	return out
}

// yangMoments caches the filtered images of one ssim_yang caller: the
// local means of each image and the filtered products.
type yangMoments struct {
	w, h  int
	mean  map[*float64][]float64
	prods map[[2]*float64][]float64
}

func newYangMoments(w, h int) *yangMoments {
	return &yangMoments{w: w, h: h, mean: map[*float64][]float64{}, prods: map[[2]*float64][]float64{}}
}

// mu returns filter2(window, x, 'valid').
func (y *yangMoments) mu(x []float64) []float64 {
	if m := y.mean[&x[0]]; m != nil {
		return m
	}
	m := yangFilter(x, y.w, y.h)
	y.mean[&x[0]] = m
	return m
}

// prod returns filter2(window, a.*b, 'valid').
func (y *yangMoments) prod(a, b []float64) []float64 {
	key := [2]*float64{&a[0], &b[0]}
	if m := y.prods[key]; m != nil {
		return m
	}
	p := make([]float64, len(a))
	for i := range a {
		p[i] = a[i] * b[i]
	}
	m := yangFilter(p, y.w, y.h)
	y.prods[key] = m
	return m
}

// ssim returns ssim_yang(x, y)'s map, the two local variances and the
// covariance, in the toolkit's arithmetic.
func (y *yangMoments) ssim(a, b []float64) (m, vx, vy, cxy []float64, err error) {
	if y.w < 11 || y.h < 11 {
		return nil, nil, nil, nil, errf("ssim_yang needs at least 11x11 pixels, got %dx%d", y.w, y.h)
	}
	mx, my := y.mu(a), y.mu(b)
	exx, eyy, exy := y.prod(a, a), y.prod(b, b), y.prod(a, b)
	const c1, c2 = 2e-16, 2e-16
	n := len(mx)
	m, vx, vy, cxy = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range mx {
		mxx, myy, mxy := mx[i]*mx[i], my[i]*my[i], mx[i]*my[i]
		vx[i], vy[i], cxy[i] = exx[i]-mxx, eyy[i]-myy, exy[i]-mxy
		m[i] = ((2*mxy + c1) * (2*cxy[i] + c2)) / ((mxx + myy + c1) * (vx[i] + vy[i] + c2))
	}
	return m, vx, vy, cxy, nil
}

// expRounded is exp(x) rounded to the nearest double, as glibc's exp
// (which Octave calls) gives it; Go's math.Exp can be one ulp off, which
// moves the window's taps. Taylor series in 256-bit arithmetic, for the
// moderate |x| of window weights.
func expRounded(x float64) float64 {
	const prec = 256
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for n := int64(1); n < 200; n++ {
		term.Mul(term, bx)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(n))
		sum.Add(sum, term)
	}
	v, _ := sum.Float64()
	return v
}
