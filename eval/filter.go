package eval

import (
	"fmt"

	"github.com/mfif/mfif/data"
)

// GuidedFilter filters src with the gray guided filter of He, Sun and Tang
// ("Guided Image Filtering", ECCV 2010 / IEEE TPAMI 35(6), 2013): per window
// a linear model q = a*I + b fitted by ridge regression with regulariser
// eps, then the coefficients averaged over all windows covering a pixel.
// Windows are (2r+1)^2 and clamped at the borders (data.BoxFilterPlane), so the
// cost is O(w*h) for any r. eps is in squared units of the guide, so it
// depends on the guide's scale (0..1 vs 0..255). eps should be positive:
// with eps = 0 a flat window is ill-conditioned (a is set to 0, not NaN,
// only when its variance is exactly zero). It panics if the slice
// lengths are not w*h or r or eps is negative (programming errors).
func GuidedFilter(guide, src []float64, w, h, r int, eps float64) []float64 {
	if len(guide) != w*h || len(src) != w*h || r < 0 || !(eps >= 0) {
		panic(fmt.Sprintf("eval.GuidedFilter: guide %d, src %d samples for %dx%d, r=%d, eps=%g",
			len(guide), len(src), w, h, r, eps))
	}
	n := w * h
	ii := make([]float64, n)
	ip := make([]float64, n)
	for k := range n {
		ii[k] = guide[k] * guide[k]
		ip[k] = guide[k] * src[k]
	}
	meanI := data.BoxFilterPlane(guide, w, h, r, r)
	meanP := data.BoxFilterPlane(src, w, h, r, r)
	corrII := data.BoxFilterPlane(ii, w, h, r, r)
	corrIP := data.BoxFilterPlane(ip, w, h, r, r)
	a, b := ii, ip // reuse buffers
	for k := range n {
		// Cancellation can make the variance slightly negative.
		varI := max(corrII[k]-meanI[k]*meanI[k], 0)
		cov := corrIP[k] - meanI[k]*meanP[k]
		a[k] = 0
		if d := varI + eps; d > 0 {
			a[k] = cov / d
		}
		b[k] = meanP[k] - a[k]*meanI[k]
	}
	meanA := data.BoxFilterPlane(a, w, h, r, r)
	meanB := data.BoxFilterPlane(b, w, h, r, r)
	out := meanA
	for k := range n {
		out[k] = meanA[k]*guide[k] + meanB[k]
	}
	return out
}

// clampIndex maps an out-of-range index to the nearest edge sample
// (replicate border, MATLAB imfilter 'replicate').
func clampIndex(i, n int) int {
	return min(max(i, 0), n-1)
}

// reflectIndex mirrors an out-of-range index about the edge sample without
// repeating it (…2 1 | 0 1 2 … 1 0 | …), as used by pyramid REDUCE/EXPAND.
func reflectIndex(i, n int) int {
	if n == 1 {
		return 0
	}
	for i < 0 || i >= n {
		if i < 0 {
			i = -i
		}
		if i >= n {
			i = 2*n - 2 - i
		}
	}
	return i
}

// convolveSep convolves a w x h plane with the 1-D kernel k (odd length,
// centred) along rows then columns, using border to map indices.
func convolveSep(src []float64, w, h int, k []float64, border func(i, n int) int) []float64 {
	r := len(k) / 2
	tmp := make([]float64, w*h)
	for y := 0; y < h; y++ {
		row, o := src[y*w:(y+1)*w], tmp[y*w:(y+1)*w]
		for x := 0; x < w; x++ {
			s := 0.0
			if x >= r && x+r < w {
				// Interior: no border mapping, which keeps the loop tight.
				win := row[x-r : x+r+1]
				for j, kv := range k {
					s += kv * win[j]
				}
			} else {
				for j, kv := range k {
					s += kv * row[border(x+j-r, w)]
				}
			}
			o[x] = s
		}
	}
	out := make([]float64, w*h)
	for y := 0; y < h; y++ {
		o := out[y*w : (y+1)*w]
		for j, kv := range k {
			src := tmp[border(y+j-r, h)*w:]
			for x := range o {
				o[x] += kv * src[x]
			}
		}
	}
	return out
}

// gaussianBlur blurs a plane with a Gaussian of the given sigma and radius
// using replicate borders.
func gaussianBlur(src []float64, w, h int, sigma float64, radius int) []float64 {
	return convolveSep(src, w, h, data.GaussianKernel(sigma, 2*radius+1), clampIndex)
}

// laplacian3 is the 4-neighbour 3x3 Laplacian [0 1 0; 1 -4 1; 0 1 0] with
// replicate borders.
func laplacian3(src []float64, w, h int) []float64 {
	out := make([]float64, w*h)
	for y := 0; y < h; y++ {
		up, down := clampIndex(y-1, h)*w, clampIndex(y+1, h)*w
		for x := 0; x < w; x++ {
			l, r := clampIndex(x-1, w), clampIndex(x+1, w)
			c := src[y*w+x]
			out[y*w+x] = src[y*w+l] + src[y*w+r] + src[up+x] + src[down+x] - 4*c
		}
	}
	return out
}
