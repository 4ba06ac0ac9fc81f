package siamese

// reflectIndex maps i (possibly outside 0..n-1) into 0..n-1 by mirror
// reflection without repeating the edge sample (numpy/PyTorch "reflect"),
// folding as often as needed, so any pad works even on tiny images.
func reflectIndex(i, n int) int {
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

// PadReflect pads the w×h plane p on the right and bottom, by mirror
// reflection, to the next multiple of mult in each direction (at least
// mult). It returns the padded plane and its size.
func PadReflect(p []float32, w, h, mult int) (out []float32, pw, ph int) {
	pw, ph = roundUp(w, mult), roundUp(h, mult)
	out = make([]float32, pw*ph)
	for y := 0; y < ph; y++ {
		sy := reflectIndex(y, h)
		for x := 0; x < pw; x++ {
			out[y*pw+x] = p[sy*w+reflectIndex(x, w)]
		}
	}
	return out, pw, ph
}

// Crop returns the top-left w×h window of a plane of width stride.
func Crop(p []float32, stride, w, h int) []float32 {
	out := make([]float32, w*h)
	for y := 0; y < h; y++ {
		copy(out[y*w:(y+1)*w], p[y*stride:y*stride+w])
	}
	return out
}

func roundUp(v, m int) int {
	if v <= 0 {
		return m
	}
	return (v + m - 1) / m * m
}
