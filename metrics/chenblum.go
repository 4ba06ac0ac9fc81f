package metrics

import (
	"math"
	"sync"
)

// Chen-Blum constants (metricChenBlum.m): CSF difference of Gaussians
// f0, f1, a; masking k, h, p, q, Z; local-contrast Gaussians sigma 2 and 4
// on a fixed 31x31 support.
const (
	cbF0 = 15.3870
	cbF1 = 1.3456
	cbA  = 0.7622
	cbZ  = 0.0001
)

var (
	csfMu    sync.Mutex
	csfCache = map[[2]int][]float64{}
)

// cbCSF returns the CSF multiplier of every DFT coefficient of an h x w
// image, i.e. ifftshift of Sd = exp(-(r/f0)^2) - a exp(-(r/f1)^2) on
// freqspace([h w],'meshgrid') scaled by (w/30, h/30). Each Gaussian of r is
// the product of its 1-D factors in u and v (equal to the 2-D form to a few
// ulps). Tables are cached per size (read-only once built).
func cbCSF(w, h int) []float64 {
	csfMu.Lock()
	defer csfMu.Unlock()
	if sd := csfCache[[2]int{w, h}]; sd != nil {
		return sd
	}
	fu := cbFreq(w, float64(w)/30)
	fv := cbFreq(h, float64(h)/30)
	e := func(f []float64, f0 float64) []float64 {
		out := make([]float64, len(f))
		for i, u := range f {
			t := u / f0
			out[i] = math.Exp(-(t * t))
		}
		return out
	}
	u0, u1, v0, v1 := e(fu, cbF0), e(fu, cbF1), e(fv, cbF0), e(fv, cbF1)
	sd := make([]float64, w*h)
	for y := 0; y < h; y++ {
		row := sd[y*w : (y+1)*w]
		for x := range row {
			row[x] = v0[y]*u0[x] - cbA*(v1[y]*u1[x])
		}
	}
	if len(csfCache) > 64 {
		clear(csfCache)
	}
	csfCache[[2]int{w, h}] = sd
	return sd
}

// cbFreq returns scale * freqspace frequency of DFT index k for length n,
// after ifftshift: f = ((k + floor(n/2)) mod n - floor(n/2)) * (2/n).
func cbFreq(n int, scale float64) []float64 {
	out := make([]float64, n)
	step := 2 / float64(n)
	for k := range out {
		j := (k + n/2) % n
		out[k] = scale * (float64(j-n/2) * step)
	}
	return out
}

// cbGauss is the 1-D factor of the unnormalised 31x31 Gaussian
// exp(-(x^2+y^2)/(2 s^2))/(2 pi s^2), the constant split evenly between the
// row and column factors.
func cbGauss(sigma float64) []float64 {
	k := make([]float64, 31)
	c := 1 / math.Sqrt(2*math.Pi*sigma*sigma)
	for i := range k {
		d := float64(i - 15)
		k[i] = c * math.Exp(-d*d/(2*sigma*sigma))
	}
	return k
}

var (
	cbG1 = cbGauss(2)
	cbG2 = cbGauss(4)
)

// cbMasked returns the masked local contrast CP = C^3/(C^2 + Z) of one
// CSF-filtered image xf, where C = |G1*xf/G2*xf - 1| (zero-padded 'same'
// filtering, as filter2). The map is returned transposed (w x h); Q_CB only
// combines maps pixel by pixel and averages them.
func cbMasked(ar *arena, xf []float64, w, h int) []float64 {
	z1, z2 := cbContrastT(ar, xf, w, h)
	return cbMaskedMaps(z1, z2)
}

// cbContrastT returns filter2(G1, x, 'same') and filter2(G2, x, 'same'),
// both transposed: the row pass computes both Gaussians from shared sums,
// then the column pass runs as a row pass on the transposed image.
func cbContrastT(ar *arena, x []float64, w, h int) (z1, z2 []float64) {
	const r = 15
	pad := make([]float64, max(w, h)+2*r)
	t1, t2 := ar.floats(w*h), ar.floats(w*h)
	for y := 0; y < h; y++ {
		copy(pad[r:], x[y*w:(y+1)*w])
		rowDot2(t1[y*w:(y+1)*w], t2[y*w:(y+1)*w], pad, &cbH1, &cbH2)
	}
	z1, z2 = getFloats(w*h), getFloats(w*h)
	defer putFloats(z1)
	defer putFloats(z2)
	transposeF(z1, t1, w, h)
	transposeF(z2, t2, w, h)
	clear(pad)
	pad2 := make([]float64, len(pad))
	for xx := 0; xx < w; xx++ {
		copy(pad[r:], z1[xx*h:(xx+1)*h])
		copy(pad2[r:], z2[xx*h:(xx+1)*h])
		rowDotPair(t1[xx*h:(xx+1)*h], t2[xx*h:(xx+1)*h], pad, pad2, &cbH1, &cbH2)
	}
	return t1, t2
}

// cbHalf is the folded form of a 31-tap symmetric kernel: the centre tap
// and taps 0..14 (tap j pairs with tap 30-j).
type cbHalf struct {
	c float64
	k [15]float64
}

func foldCB(k []float64) cbHalf {
	var h cbHalf
	h.c = k[15]
	copy(h.k[:], k[:15])
	return h
}

var cbH1, cbH2 = foldCB(cbG1), foldCB(cbG2)

// rowDot2Go sets o1[i] = sum_j G1[j] p[i+j] and o2[i] likewise for G2,
// folding mirrored taps and sharing the folded sums; the sums stay in
// registers.
func rowDot2Go(o1, o2, p []float64, h1, h2 *cbHalf) {
	for i := range o1 {
		w := p[i : i+31 : i+31]
		s1, s2 := h1.c*w[15], h2.c*w[15]
		for j := 0; j < 15; j++ {
			t := w[j] + w[30-j]
			s1 += h1.k[j] * t
			s2 += h2.k[j] * t
		}
		o1[i], o2[i] = s1, s2
	}
}

// rowDotPairGo is rowDot2Go on two different inputs: two independent folded
// dot products per output in one loop.
func rowDotPairGo(o1, o2, p1, p2 []float64, h1, h2 *cbHalf) {
	for i := range o1 {
		w1, w2 := p1[i:i+31:i+31], p2[i:i+31:i+31]
		s1, s2 := h1.c*w1[15], h2.c*w2[15]
		for j := 0; j < 15; j++ {
			s1 += h1.k[j] * (w1[j] + w1[30-j])
			s2 += h2.k[j] * (w2[j] + w2[30-j])
		}
		o1[i], o2[i] = s1, s2
	}
}

// transposeF writes the w x h transpose of the h x w array x into dst.
func transposeF(dst, x []float64, w, h int) {
	const b = 32
	for y0 := 0; y0 < h; y0 += b {
		for x0 := 0; x0 < w; x0 += b {
			for y := y0; y < min(y0+b, h); y++ {
				row := x[y*w : (y+1)*w]
				for xx := x0; xx < min(x0+b, w); xx++ {
					dst[xx*h+y] = row[xx]
				}
			}
		}
	}
}

// cbRatio is the contrast preservation min(c/f, f/c) with the
// reference's strict comparison.
func cbRatio(c, f float64) float64 {
	if c < f {
		return c / f
	}
	return f / c
}

// qCB is metricChenBlum.m (Chen & Blum, Image Vis. Comput. 27 2009) on
// normalize1'd images: Q = mean2(sum_i lambda_i Q_iF) with the contrast
// preservation Q_iF = min(CP_i/CP_F, CP_F/CP_i) (strict < as in the
// reference) and lambda_i = CP_i^2 / sum_j CP_j^2 over all N sources.
func qCB(s *scene) (float64, error) {
	n := s.nsrc()
	cps, transposed, err := cbContrasts(s)
	if err != nil {
		return 0, err
	}
	cf := cps[n]
	if n == 2 {
		acc, bad := cbQ2(cps[0], cps[1], cf)
		if bad < 0 {
			return acc / float64(len(cf)), nil
		}
	}
	acc := 0.0
	for k := range cf {
		den := 0.0
		for i := 0; i < n; i++ {
			den += cps[i][k] * cps[i][k]
		}
		v := 0.0
		for i := 0; i < n; i++ {
			ci := cps[i][k]
			// The reference blends both ratios with a 0/1 mask, so a zero
			// contrast makes the unused ratio infinite and the pixel NaN.
			if ci == 0 || cf[k] == 0 {
				v = math.NaN()
				break
			}
			v += ci * ci / den * cbRatio(ci, cf[k])
		}
		if math.IsNaN(v) {
			x, y := k%s.w, k/s.w
			if transposed {
				x, y = k/s.h, k%s.h
			}
			return 0, errf("Chen-Blum contrast is 0 at pixel (%d,%d) (0/0 in the reference)", x, y)
		}
		acc += v
	}
	return acc / float64(len(cf)), nil
}

// cbContrasts returns the masked contrast map of every normalize1'd image
// (sources, then fused) and whether the maps are transposed (direct path
// for small images).
func cbContrasts(s *scene) (cps [][]float64, transposed bool, err error) {
	n := s.nsrc()
	imgs := make([][]float64, n+1)
	for i := range imgs {
		if imgs[i], err = s.normalized(i); err != nil {
			return nil, false, err
		}
	}
	cps = make([][]float64, n+1)
	if s.w >= cbMinSide && s.h >= cbMinSide {
		z1s, z2s := cbContrastMaps(s.ar, imgs, s.w, s.h)
		for i := range cps {
			cps[i] = cbMaskedMaps(z1s[i], z2s[i])
		}
		return cps, false, nil
	}
	sd := cbCSF(s.w, s.h)
	for i := 0; i <= n; i += 2 {
		var y []float64
		if i+1 <= n {
			y = imgs[i+1]
		}
		xf, yf := csfFilter(s.ar, imgs[i], y, s.w, s.h, sd)
		cps[i] = cbMasked(s.ar, xf, s.w, s.h)
		if y != nil {
			cps[i+1] = cbMasked(s.ar, yf, s.w, s.h)
		}
	}
	return cps, true, nil
}

func init() {
	register(Metric{
		Name:        "Q_CB",
		Description: "Chen-Blum human-perception metric (CSF-filtered local contrast preservation)",
		Citation:    "Chen & Blum, Image Vis. Comput. 27(10) 2009; Zheng Liu toolbox metricChenBlum(A,B,F)",
		Better:      HigherIsBetter,
	}, qCB)
}
