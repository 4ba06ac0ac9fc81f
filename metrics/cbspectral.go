package metrics

import (
	"math"
	"sync"
)

// Chen-Blum's local contrast needs G1*xf and G2*xf ('same', zero padded)
// of every CSF-filtered image xf. Away from the border (15 pixels, the
// Gaussians' radius) zero-padded correlation equals circular correlation,
// and circular correlation with the symmetric 31x31 Gaussians is a real,
// even multiplier in the DFT domain, like the CSF itself. So the interior
// of G*xf comes from the same spectrum as xf with the product of the two
// multipliers, and only the 15-pixel border bands are filtered directly.
// This replaces two 31-tap passes per image (the dominant cost) by one
// extra inverse transform.

// cbMinSide is the smallest side for which the spectral path is used; the
// direct path remains for small images, where the border is most of it.
const cbMinSide = 64

// cbTables are the DFT multipliers of one image size, transposed (index
// kx*h + ky) as the spectra are, with the 1/(w h) of the inverse DFT
// folded in: sd is the CSF, g1 and g2 the CSF times the DFT of the
// circularly centred Gaussians. Each real multiplier m is stored as the
// complex value m + i m, so applying it to a spectrum is an elementwise
// product of the two as float arrays; g12 is g1 + i g2.
type cbTables struct {
	sd, g1, g2, g12 []complex128
}

var (
	cbTabMu sync.Mutex
	cbTabs  = map[[2]int]*cbTables{}
)

// cbTablesFor returns the cached multipliers for an h x w image.
func cbTablesFor(w, h int) *cbTables {
	sd := cbCSF(w, h)
	cbTabMu.Lock()
	defer cbTabMu.Unlock()
	if t := cbTabs[[2]int{w, h}]; t != nil {
		return t
	}
	gw1, gh1 := cbKernelDFT(cbG1, w), cbKernelDFT(cbG1, h)
	gw2, gh2 := cbKernelDFT(cbG2, w), cbKernelDFT(cbG2, h)
	scale := 1 / float64(w*h)
	n := w * h
	t := &cbTables{sd: make([]complex128, n), g1: make([]complex128, n), g2: make([]complex128, n), g12: make([]complex128, n)}
	for kx := 0; kx < w; kx++ {
		for ky := 0; ky < h; ky++ {
			v := sd[ky*w+kx] * scale
			i := kx*h + ky
			g1, g2 := v*(gh1[ky]*gw1[kx]), v*(gh2[ky]*gw2[kx])
			t.sd[i], t.g1[i], t.g2[i], t.g12[i] = complex(v, v), complex(g1, g1), complex(g2, g2), complex(g1, g2)
		}
	}
	if len(cbTabs) > 64 {
		clear(cbTabs)
	}
	cbTabs[[2]int{w, h}] = t
	return t
}

// cbKernelDFT returns the length-n DFT of the 31-tap symmetric kernel k
// centred on index 0 (taps at -15..15 modulo n): real because k is even.
func cbKernelDFT(k []float64, n int) []float64 {
	out := make([]float64, n)
	for f := range out {
		s := k[15]
		for d := 1; d <= 15; d++ {
			s += 2 * k[15+d] * math.Cos(2*math.Pi*float64((f*d)%n)/float64(n))
		}
		out[f] = s
	}
	return out
}

// cbContrastMaps returns, for every image, filter2(G1, xf, 'same') and
// filter2(G2, xf, 'same') of its CSF-filtered version xf, row-major.
// Images are transformed two at a time (x + iy); with a real, even
// multiplier the real and imaginary parts of the inverse are the two
// images' results. A lone image packs its G1 and G2 results instead.
func cbContrastMaps(ar *arena, imgs [][]float64, w, h int) (z1s, z2s [][]float64) {
	tb := cbTablesFor(w, h)
	n := w * h
	spec, c, u := getComplex(n), getComplex(n), getComplex(n)
	defer putComplex(spec)
	defer putComplex(c)
	defer putComplex(u)
	inverse := func() []complex128 { // u holds a transposed spectrum
		transformCols(u, c, h, w, true)
		transpose(c, u, h, w)
		transformCols(c, u, w, h, true)
		return c
	}
	mul := func(m []complex128) []complex128 {
		mulv(floatsOf(u), floatsOf(spec), floatsOf(m))
		return inverse()
	}
	z1s, z2s = make([][]float64, len(imgs)), make([][]float64, len(imgs))
	xf := ar.floats(n)
	yf := ar.floats(n)
	for i := 0; i < len(imgs); i += 2 {
		x := imgs[i]
		pair := i+1 < len(imgs)
		if pair {
			y := imgs[i+1]
			for k, v := range x {
				c[k] = complex(v, y[k])
			}
		} else {
			for k, v := range x {
				c[k] = complex(v, 0)
			}
		}
		transformCols(c, u, w, h, false)
		transpose(spec, c, w, h)
		transformCols(spec, c, h, w, false)
		z1s[i], z2s[i] = ar.floats(n), ar.floats(n)
		if pair {
			z1s[i+1], z2s[i+1] = ar.floats(n), ar.floats(n)
			splitComplex(mul(tb.sd), xf, yf)
			splitComplex(mul(tb.g1), z1s[i], z1s[i+1])
			splitComplex(mul(tb.g2), z2s[i], z2s[i+1])
			cbBorder(xf, z1s[i], z2s[i], w, h)
			cbBorder(yf, z1s[i+1], z2s[i+1], w, h)
			continue
		}
		splitComplex(mul(tb.sd), xf, nil)
		cmulv(u, spec, tb.g12) // (G1 + i G2) X: both inverses are real
		splitComplex(inverse(), z1s[i], z2s[i])
		cbBorder(xf, z1s[i], z2s[i], w, h)
	}
	return z1s, z2s
}

// splitComplex writes the real parts of c to re and the imaginary parts to
// im (if not nil).
func splitComplex(c []complex128, re, im []float64) {
	if im == nil {
		re = re[:len(c)]
		for k, v := range c {
			re[k] = real(v)
		}
		return
	}
	deinterleave(re, im, c)
}

// cbBorder overwrites z1 and z2 (G1 and G2 'same' correlations of xf) in
// the 15-pixel border bands, where the zero padding differs from the
// circular result, by direct separable sums. Needs w, h >= 2*15.
func cbBorder(xf, z1, z2 []float64, w, h int) {
	const r = 15
	t1, t2 := getFloats(w*h), getFloats(w*h) // row pass, only where needed
	defer putFloats(t1)
	defer putFloats(t2)
	rowPad := make([]float64, w+2*r)
	for y := 0; y < h; y++ {
		copy(rowPad[r:], xf[y*w:(y+1)*w])
		o1, o2 := t1[y*w:(y+1)*w], t2[y*w:(y+1)*w]
		if y < 2*r || y >= h-2*r { // feeds the top and bottom bands
			rowDot2(o1, o2, rowPad, &cbH1, &cbH2)
			continue
		}
		rowDot2(o1[:r], o2[:r], rowPad, &cbH1, &cbH2)
		rowDot2(o1[w-r:], o2[w-r:], rowPad[w-r:], &cbH1, &cbH2)
	}
	p1, p2 := make([]float64, h+2*r), make([]float64, h+2*r)
	o1, o2 := make([]float64, h), make([]float64, h)
	for x := 0; x < w; x++ {
		if x < r || x >= w-r { // whole column is border
			for y := 0; y < h; y++ {
				p1[r+y], p2[r+y] = t1[y*w+x], t2[y*w+x]
			}
			rowDotPair(o1, o2, p1, p2, &cbH1, &cbH2)
			for y := 0; y < h; y++ {
				z1[y*w+x], z2[y*w+x] = o1[y], o2[y]
			}
			continue
		}
		for y := 0; y < 2*r; y++ {
			p1[r+y], p2[r+y] = t1[y*w+x], t2[y*w+x]
		}
		for y := h - 2*r; y < h; y++ {
			p1[r+y], p2[r+y] = t1[y*w+x], t2[y*w+x]
		}
		rowDotPair(o1[:r], o2[:r], p1, p2, &cbH1, &cbH2)
		rowDotPair(o1[h-r:], o2[h-r:], p1[h-r:], p2[h-r:], &cbH1, &cbH2)
		for y := 0; y < r; y++ {
			z1[y*w+x], z2[y*w+x] = o1[y], o2[y]
		}
		for y := h - r; y < h; y++ {
			z1[y*w+x], z2[y*w+x] = o1[y], o2[y]
		}
	}
}

// cbMaskedMaps turns G1/G2 maps into the masked contrast CP = C^3/(C^2+Z),
// C = |z1/z2 - 1|, in place in z1.
func cbMaskedMaps(z1, z2 []float64) []float64 {
	cbMaskMap(z1, z2)
	return z1
}
