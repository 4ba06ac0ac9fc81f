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
			for j := 6; j >= 0; j-- {
				for i := 6; i >= 0; i-- {
					if r < vec {
						acc = math.FMA(win[i][j], x[(r+i)*w+k+j], acc)
					} else {
						acc += win[i][j] * x[(r+i)*w+k+j]
					}
				}
			}
			out[r*ow+k] = acc
		}
	}
	return out
}

// ssimYang returns ssim_yang(x, y)'s map, the two local variances and the
// covariance, in the toolkit's arithmetic.
func ssimYang(x, y []float64, w, h int) (m, vx, vy, cxy []float64, err error) {
	if w < 11 || h < 11 {
		return nil, nil, nil, nil, errf("ssim_yang needs at least 11x11 pixels, got %dx%d", w, h)
	}
	prod := func(a, b []float64) []float64 {
		p := make([]float64, len(a))
		for i := range a {
			p[i] = a[i] * b[i]
		}
		return yangFilter(p, w, h)
	}
	mx, my := yangFilter(x, w, h), yangFilter(y, w, h)
	exx, eyy, exy := prod(x, x), prod(y, y), prod(x, y)
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

var yangBlock = 32

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
