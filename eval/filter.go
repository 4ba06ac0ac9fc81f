package eval

import (
	"fmt"
	"math"
)

// BoxFilter returns the mean of src over the (2r+1)x(2r+1) window centred on
// each pixel of a w x h row-major image, in O(w*h) regardless of r, using
// cumulative sums. Windows are clamped to the image: near a border the mean
// is over the part of the window inside the image (the same as He et al.'s
// boxfilter(I)./boxfilter(ones)). r = 0 returns a copy. It panics if
// len(src) != w*h or r < 0, which are programming errors.
func BoxFilter(src []float64, w, h, r int) []float64 {
	if r < 0 {
		panic(fmt.Sprintf("eval.BoxFilter: negative radius %d", r))
	}
	return boxMean(src, w, h, r, r)
}

// boxMean is BoxFilter over the window [x-lo, x+hi] x [y-lo, y+hi], which
// also serves even window sizes.
func boxMean(src []float64, w, h, lo, hi int) []float64 {
	if len(src) != w*h || w < 0 || h < 0 {
		panic(fmt.Sprintf("eval: box filter on %d samples for a %dx%d image", len(src), w, h))
	}
	tmp := make([]float64, w*h)
	pre := make([]float64, max(w, h)+1)
	for y := 0; y < h; y++ {
		row := src[y*w : (y+1)*w]
		for x, v := range row {
			pre[x+1] = pre[x] + v
		}
		for x := 0; x < w; x++ {
			x0, x1 := max(x-lo, 0), min(x+hi, w-1)
			tmp[y*w+x] = (pre[x1+1] - pre[x0]) / float64(x1-x0+1)
		}
	}
	out := make([]float64, w*h)
	col := make([]float64, (h+1)*w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			col[(y+1)*w+x] = col[y*w+x] + tmp[y*w+x]
		}
	}
	for y := 0; y < h; y++ {
		y0, y1 := max(y-lo, 0), min(y+hi, h-1)
		n := float64(y1 - y0 + 1)
		a, b := col[y0*w:(y0+1)*w], col[(y1+1)*w:(y1+2)*w]
		o := out[y*w : (y+1)*w]
		for x := range o {
			o[x] = (b[x] - a[x]) / n
		}
	}
	return out
}

// GuidedFilter filters src with the gray guided filter of He, Sun and Tang
// ("Guided Image Filtering", ECCV 2010 / IEEE TPAMI 35(6), 2013): per window
// a linear model q = a*I + b fitted by ridge regression with regulariser
// eps, then the coefficients averaged over all windows covering a pixel.
// Windows are (2r+1)^2 and clamped at the borders (see BoxFilter), so the
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
	meanI := BoxFilter(guide, w, h, r)
	meanP := BoxFilter(src, w, h, r)
	corrII := BoxFilter(ii, w, h, r)
	corrIP := BoxFilter(ip, w, h, r)
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
	meanA := BoxFilter(a, w, h, r)
	meanB := BoxFilter(b, w, h, r)
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

// gaussKernel is the sampled, unit-sum Gaussian of the given sigma over
// 2*radius+1 taps, as MATLAB fspecial('gaussian') builds it (separably).
func gaussKernel(sigma float64, radius int) []float64 {
	k := make([]float64, 2*radius+1)
	sum := 0.0
	for i := range k {
		d := float64(i - radius)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// gaussianBlur blurs a plane with a Gaussian of the given sigma and radius
// using replicate borders.
func gaussianBlur(src []float64, w, h int, sigma float64, radius int) []float64 {
	return convolveSep(src, w, h, gaussKernel(sigma, radius), clampIndex)
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
