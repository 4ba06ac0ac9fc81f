package metrics

// corrValid is filter2(k (x) k, x, 'valid'): the output is
// (w-K+1) x (h-K+1), row-major. Taps are accumulated in kernel order
// without folding: in flat regions the SSIM variance E[x^2] - mu^2 must
// come out exactly 0 where the reference's does (Piella's 0.5 rule), and
// this order reproduces the reference there.
func corrValid(x []float64, w, h int, k []float64) []float64 {
	kn := len(k)
	ow, oh := w-kn+1, h-kn+1
	tmp := make([]float64, ow*h)
	for y := 0; y < h; y++ {
		out, p := tmp[y*ow:(y+1)*ow], x[y*w:(y+1)*w]
		for i := range out {
			out[i] = k[0] * p[i]
		}
		for j := 1; j < kn; j++ {
			c, src := k[j], p[j:j+ow]
			for i := range out {
				out[i] += c * src[i]
			}
		}
	}
	res := make([]float64, ow*oh)
	for y := 0; y < oh; y++ {
		out := res[y*ow : (y+1)*ow]
		src := tmp[y*ow : (y+1)*ow]
		for i := range out {
			out[i] = k[0] * src[i]
		}
		for j := 1; j < kn; j++ {
			c, src := k[j], tmp[(y+j)*ow:(y+j+1)*ow]
			for i := range out {
				out[i] += c * src[i]
			}
		}
	}
	return res
}

// corrValidT is corrValid of a (or of the product a.*b when b is not nil)
// with the result transposed: element (x, y) of the (w-K+1) x (h-K+1) map
// is at x*(h-K+1) + y. Each output is accumulated in a register in the same
// tap order as corrValid, so the values are identical; the transposed
// layout turns the column pass into a contiguous row pass.
func corrValidT(ar *arena, a, b []float64, w, h int, k []float64) []float64 {
	kn := len(k)
	ow, oh := w-kn+1, h-kn+1
	tmp := getFloats(ow * h) // transposed: tmp[x*h + y]
	defer putFloats(tmp)
	row := make([]float64, w)
	for y := 0; y < h; y++ {
		src := a[y*w : (y+1)*w]
		if b != nil {
			bb := b[y*w : (y+1)*w]
			for i, v := range src {
				row[i] = v * bb[i]
			}
			src = row
		}
		dotValid(tmp[y:], h, src, k, ow)
	}
	out := ar.floats(ow * oh)
	for x := 0; x < ow; x++ {
		dotValid(out[x*oh:], 1, tmp[x*h:(x+1)*h], k, oh)
	}
	return out
}

// dotValid writes n outputs sum_j k[j] p[i+j] (j ascending, one rounding
// per step as in a loop) to out[i*stride]. The window lengths used by the
// metrics (11 and 8) are unrolled.
func dotValid(out []float64, stride int, p, k []float64, n int) {
	switch len(k) {
	case 11:
		k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, k10 := k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10]
		for i := 0; i < n; i++ {
			w := p[i : i+11 : i+11]
			s := k0 * w[0]
			s += k1 * w[1]
			s += k2 * w[2]
			s += k3 * w[3]
			s += k4 * w[4]
			s += k5 * w[5]
			s += k6 * w[6]
			s += k7 * w[7]
			s += k8 * w[8]
			s += k9 * w[9]
			s += k10 * w[10]
			out[i*stride] = s
		}
	case 8:
		k0, k1, k2, k3, k4, k5, k6, k7 := k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]
		for i := 0; i < n; i++ {
			w := p[i : i+8 : i+8]
			s := k0 * w[0]
			s += k1 * w[1]
			s += k2 * w[2]
			s += k3 * w[3]
			s += k4 * w[4]
			s += k5 * w[5]
			s += k6 * w[6]
			s += k7 * w[7]
			out[i*stride] = s
		}
	default:
		k0, rest := k[0], k[1:]
		for i := 0; i < n; i++ {
			win := p[i : i+len(k)]
			s := k0 * win[0]
			for j, c := range rest {
				s += c * win[j+1]
			}
			out[i*stride] = s
		}
	}
}
