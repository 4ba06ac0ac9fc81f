package metrics

// corrValid is filter2(k (x) k, x, 'valid'): the output is
// (w-K+1) x (h-K+1), row-major. Taps are accumulated in kernel order
// without folding: in flat regions the SSIM variance E[x^2] - mu^2 must
// come out exactly 0 where the reference's does (Piella's 0.5 rule), and
// this order reproduces the reference there.
func corrValid(x []float64, w, h int, k []float64) []float64 {
	res := make([]float64, (w-len(k)+1)*(h-len(k)+1))
	corrValidTo(res, x, w, h, k)
	return res
}

// corrValidTo is corrValid writing into res ((w-K+1)*(h-K+1) values).
func corrValidTo(res, x []float64, w, h int, k []float64) {
	ow, oh := w-len(k)+1, h-len(k)+1
	tmp := getFloats(ow * h)
	defer putFloats(tmp)
	for y := 0; y < h; y++ {
		rowValid(tmp[y*ow:(y+1)*ow], x[y*w:(y+1)*w], k)
	}
	for y := 0; y < oh; y++ {
		colValid(res[y*ow:(y+1)*ow], tmp[y*ow:], ow, k)
	}
}

// rowValid sets out[i] = sum_j k[j] p[i+j], j ascending.
func rowValid(out, p, k []float64) {
	dotTaps(out, p, 1, k)
}

// colValid sets out[i] = sum_j k[j] p[j*stride+i], j ascending: one output
// row of a vertical 'valid' pass over rows of length stride.
func colValid(out, p []float64, stride int, k []float64) {
	dotTaps(out, p, stride, k)
}

// corrValidMap is corrValid of a (or of the product a.*b when b is not
// nil) with the vertical pass first. In flat regions both passes see
// constant data, so the value is the same expression as corrValid's (the
// exact zeros of the SSIM variance survive); elsewhere the two orders
// differ by rounding only.
func corrValidMap(ar *arena, a, b []float64, w, h int, k []float64) []float64 {
	ow, oh := w-len(k)+1, h-len(k)+1
	src := a
	if b != nil {
		prod := getFloats(w * h)
		defer putFloats(prod)
		mulv(prod, a[:w*h], b[:w*h])
		src = prod
	}
	tmp := getFloats(w * oh)
	defer putFloats(tmp)
	for y := 0; y < oh; y++ {
		colValid(tmp[y*w:(y+1)*w], src[y*w:], w, k)
	}
	out := ar.floats(ow * oh)
	for y := 0; y < oh; y++ {
		rowValid(out[y*ow:(y+1)*ow], tmp[y*w:(y+1)*w], k)
	}
	return out
}
