package metrics

import (
	"math"
	"math/cmplx"
)

// MEF-SSIM of Ma, Zeng and Wang (IEEE TIP 24(11) 2015) as MEFB's
// mef_ms_ssim.m and mef_ssim.m compute it.

// mefEps is MATLAB's eps.
const mefEps = 2.220446049250313e-16

// box11Valid is filter2(ones(11)/121, x, 'valid'): each output adds the
// 121 products (1/121)*x in turn, so a constant block gives the same
// rounding as Octave's conv2 (its exact zero variance matters: the
// contrast is sqrt(max(121 var, 0)) + 0.001).
func box11Valid(x []float64, w, h int) []float64 {
	const n = 11
	k := 1.0 / (n * n)
	ow, oh := w-n+1, h-n+1
	out := make([]float64, ow*oh)
	for y := 0; y < oh; y++ {
		for xx := 0; xx < ow; xx++ {
			acc := 0.0
			for j := 0; j < n; j++ {
				for i := 0; i < n; i++ {
					acc += k * x[(y+i)*w+xx+j]
				}
			}
			out[y*ow+xx] = acc
		}
	}
	return out
}

// mefSSIM is mef_ssim.m for gray exposures seq and fused image f (h x w):
// the mean of its quality map over the 'valid' region of the 11x11 window.
func mefSSIM(seq [][]float64, f []float64, w, h int) float64 {
	const n, bd = 11, 5
	win := gaussWindow.k // fspecial('gaussian', 11, 1.5) is k (x) k
	ow, oh := w-2*bd, h-2*bd
	ns := len(seq)
	mu := make([][]float64, ns)
	ed := make([][]float64, ns)
	for k, img := range seq {
		sq := make([]float64, len(img))
		for i, v := range img {
			sq[i] = v * v
		}
		mu[k] = box11Valid(img, w, h)
		e2 := box11Valid(sq, w, h)
		ed[k] = make([]float64, len(mu[k]))
		for i, m := range mu[k] {
			ed[k][i] = math.Sqrt(math.Max(n*n*(e2[i]-m*m), 0)) + 0.001
		}
	}
	c := (0.03 * 255) * (0.03 * 255)
	sum := make([]float64, n*n)
	r := make([]float64, n*n)
	wm := make([]float64, ns)
	q := 0.0
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			o := y*ow + x
			// consistency R: |sum_k x_k - mean| / sum_k |x_k - mu_k|
			den := 0.0
			for k := range sum {
				sum[k] = 0
			}
			for k, img := range seq {
				s := 0.0
				for j := 0; j < n; j++ {
					for i := 0; i < n; i++ {
						v := img[(y+i)*w+x+j]
						d := v - mu[k][o]
						s += d * d
						sum[j*n+i] += v
					}
				}
				den += math.Sqrt(s)
			}
			mean := 0.0
			for _, v := range sum {
				mean += v
			}
			mean /= n * n
			num := 0.0
			for _, v := range sum {
				num += (v - mean) * (v - mean)
			}
			R := (math.Sqrt(num) + mefEps) / (den + mefEps)
			if R > 1 {
				R = 1 - mefEps
			}
			if R < 0 {
				R = mefEps
			}
			p := math.Min(math.Tan(math.Pi/2*R), 10)
			norm, maxEd := 0.0, 0.0
			for k := range seq {
				wm[k] = math.Pow(ed[k][o]/n, p) + mefEps
				norm += wm[k]
				maxEd = math.Max(maxEd, ed[k][o])
			}
			for k := range r {
				r[k] = 0
			}
			for k, img := range seq {
				wk := wm[k] / norm
				for j := 0; j < n; j++ {
					for i := 0; i < n; i++ {
						r[j*n+i] += wk * (img[(y+i)*w+x+j] - mu[k][o]) / ed[k][o]
					}
				}
			}
			rn := 0.0
			for _, v := range r {
				rn += v * v
			}
			if rn = math.Sqrt(rn); rn > 0 {
				for k := range r {
					r[k] = r[k] / rn * maxEd
				}
			}
			var m1, m2 float64
			for j := 0; j < n; j++ {
				for i := 0; i < n; i++ {
					wt := win[i] * win[j]
					m1 += wt * r[j*n+i]
					m2 += wt * f[(y+i)*w+x+j]
				}
			}
			var s1, s2, s12 float64
			for j := 0; j < n; j++ {
				for i := 0; i < n; i++ {
					wt := win[i] * win[j]
					dr, df := r[j*n+i]-m1, f[(y+i)*w+x+j]-m2
					s1 += wt * dr * dr
					s2 += wt * df * df
					s12 += wt * dr * df
				}
			}
			q += (2*s12 + c) / (s1 + s2 + c)
		}
	}
	return q / float64(ow*oh)
}

// mefDown is imfilter(x, ones(2)/4, 'symmetric', 'same') followed by
// x(1:2:end, 1:2:end): the mean of each 2x2 block whose top-left sample
// is kept, the last row and column repeated past the border.
func mefDown(x []float64, w, h int) ([]float64, int, int) {
	ow, oh := (w+1)/2, (h+1)/2
	out := make([]float64, ow*oh)
	for y := 0; y < oh; y++ {
		y0, y1 := 2*y, min(2*y+1, h-1)
		for xx := 0; xx < ow; xx++ {
			x0, x1 := 2*xx, min(2*xx+1, w-1)
			out[y*ow+xx] = 0.25*x[y0*w+x0] + 0.25*x[y1*w+x0] + 0.25*x[y0*w+x1] + 0.25*x[y1*w+x1]
		}
	}
	return out, ow, oh
}

// mefMSSSIM is mef_ms_ssim.m with its defaults: three scales, the product
// of Q_l^weight_l (complex for a negative Q_l; the real part is returned), weights [0.0448 0.2856 0.3001] normalised to sum 1.
func mefMSSSIM(seq [][]float64, f []float64, w, h int) (float64, error) {
	const level = 3
	if float64(min(w, h))/(1<<(level-1)) < 11 {
		return 0, errf("MEF_SSIM needs at least 44x44 pixels for 3 scales, got %dx%d (the toolkit returns -Inf)", w, h)
	}
	wt := [level]float64{0.0448, 0.2856, 0.3001}
	ws := wt[0] + wt[1] + wt[2]
	out := complex(1, 0)
	for l := 0; l < level; l++ {
		q := mefSSIM(seq, f, w, h)
		// Q.^weight of a negative Q is complex in MATLAB (principal
		// value); the toolkit's result is then complex and its real part
		// is what a table shows.
		out *= cmplx.Pow(complex(q, 0), complex(wt[l]/ws, 0))
		if l < level-1 {
			next := make([][]float64, len(seq))
			var nw, nh int
			for k, img := range seq {
				next[k], nw, nh = mefDown(img, w, h)
			}
			seq = next
			f, _, _ = mefDown(f, w, h)
			w, h = nw, nh
		}
	}
	return real(out), nil
}
