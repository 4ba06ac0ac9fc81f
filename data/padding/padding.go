// Package padding pads planar images by mirror reflection to a multiple of a
// network's stride and crops the result back, so fully convolutional models
// (the Siamese decision-map network, the FusionDiff and DDFM U-Nets) run on
// any image size. Images are channel-first: C planes of h rows of w samples.
package padding

// Index maps i (possibly outside 0..n-1) into 0..n-1 by mirror reflection
// without repeating the edge sample (numpy/PyTorch "reflect", OpenCV
// BORDER_REFLECT_101), folding as often as needed, so pads larger than the
// image still work.
func Index(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	i %= period
	if i < 0 {
		i += period
	}
	if i >= n {
		i = period - i
	}
	return i
}

// RoundUp returns the smallest positive multiple of mult that is >= n.
func RoundUp(n, mult int) int {
	if n <= 0 {
		return mult
	}
	return (n + mult - 1) / mult * mult
}

// Reflect pads every w×h plane of x (len(x)/(w*h) planes) on the right and
// bottom by mirror reflection to the next multiple of mult in each direction
// and returns the padded planes and their size.
func Reflect[T float32 | float64](x []T, w, h, mult int) (out []T, pw, ph int) {
	pw, ph = RoundUp(w, mult), RoundUp(h, mult)
	planes := len(x) / (w * h)
	out = make([]T, planes*pw*ph)
	for c := range planes {
		src, dst := x[c*w*h:(c+1)*w*h], out[c*pw*ph:(c+1)*pw*ph]
		for y := range ph {
			row := src[Index(y, h)*w:]
			for xx := range pw {
				dst[y*pw+xx] = row[Index(xx, w)]
			}
		}
	}
	return out, pw, ph
}

// Crop returns the top-left w×h window of every pw×ph plane of x.
func Crop[T float32 | float64](x []T, pw, ph, w, h int) []T {
	planes := len(x) / (pw * ph)
	out := make([]T, 0, planes*w*h)
	for c := range planes {
		for y := range h {
			off := c*pw*ph + y*pw
			out = append(out, x[off:off+w]...)
		}
	}
	return out
}
