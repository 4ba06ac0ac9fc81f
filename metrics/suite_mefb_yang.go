package metrics

// ssim_yang of MEFB's metricsQc.m and metricsQy.m uses C1 = C2 = 2e-16,
// far below the rounding error of the local moments, so in flat windows
// its SSIM is a ratio of rounding residues. The toolkit's values there
// depend on exactly how Octave's filter2 sums: conv2 ('valid', liboctave's
// dconv2i) adds one window tap at a time to each output column with BLAS
// daxpy, which OpenBLAS evaluates with fused multiply-adds. The window is
// yangWin (octGaussWindow(7, 1.5)) and the filter octFilter2Valid, shared
// with the zhengliu suite, which reproduce fspecial and filter2 to the bit.

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
	m := octFilter2Valid(nil, x, y.w, y.h, yangWin, 7)
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
	m := octFilter2Valid(nil, p, y.w, y.h, yangWin, 7)
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
