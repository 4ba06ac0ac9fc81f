package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// The cddfuse suite is the evaluator of CDDFuse (Zhaozixiang1228/
// MMIF-CDDFuse, utils/Evaluator.py), which CDDFuse and DDFM report. Images
// are read as that code reads them (image_read_cv2(path, 'GRAY')): OpenCV's
// BGR2GRAY on float32 samples, rounded half to even, kept as float32
// integers 0..255. Where the evaluator computes in float32 and the result
// is sensitive to it (SSIM), the float32 arithmetic is reproduced;
// elsewhere float64 gives the evaluator's value to well within 1e-6.

// OpenCV's float RGB-to-gray coefficients (R2YF, G2YF, B2YF).
const (
	cvR2Y = float32(0.299)
	cvG2Y = float32(0.587)
	cvB2Y = float32(0.114)
)

// fma32 is a float32 fused multiply-add a*b + c rounded once. The product
// of two float32 values is exact in float64, so the float64 sum r = p + c
// differs from the exact value only by the TwoSum error e; rounding r to
// float32 can then only go wrong when r lies exactly half-way between two
// float32 values and e is not 0, and e says which neighbour is right.
func fma32(a, b, c float32) float32 {
	p, cf := float64(a)*float64(b), float64(c)
	r := p + cf
	if math.Float64bits(r)&(1<<29-1) != 1<<28 {
		return float32(r)
	}
	bb := r - p
	e := (p - (r - bb)) + (cf - bb)
	f := float32(r)
	switch {
	case e > 0 && float64(f) < r:
		return math.Nextafter32(f, float32(math.Inf(1)))
	case e < 0 && float64(f) > r:
		return math.Nextafter32(f, float32(math.Inf(-1)))
	}
	return f
}

// cvGray is np.round(cv2.cvtColor(img, COLOR_BGR2GRAY)) of a float32 BGR
// image as OpenCV 4.6 computes it on x86-64 with AVX2: blocks of 8 pixels
// of a row are fma(R, 0.299, fma(G, 0.587, B*0.114)) and the remaining
// pixels of each row fma(R, 0.299, fma(B, 0.114, G*0.587)) (checked
// against cv2 on all 2^24 colours, at a row width that is not a multiple
// of 8). A gray image is read by cv2.imread as three equal channels.
func cvGray(m *data.Image) ([]float64, error) {
	w, h := m.W, m.H
	var r, g, b []float64
	switch m.C() {
	case 1:
		r, g, b = m.Planes[0], m.Planes[0], m.Planes[0]
	case 3:
		r, g, b = m.Planes[0], m.Planes[1], m.Planes[2]
	default:
		return nil, fmt.Errorf("image has %d planes, want 1 or 3", m.C())
	}
	out := make([]float64, w*h)
	simd := w &^ 7
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			k := y*w + x
			rv, gv, bv := float32(r[k]), float32(g[k]), float32(b[k])
			var v float32
			if x < simd {
				v = fma32(rv, cvR2Y, fma32(gv, cvG2Y, bv*cvB2Y))
			} else {
				v = fma32(rv, cvR2Y, fma32(bv, cvB2Y, gv*cvG2Y))
			}
			out[k] = math.RoundToEven(float64(v))
		}
	}
	return out, nil
}

// cddScene returns the scene of s's images converted as the evaluator reads
// them (cvGray), cached on s; its buffers are released with s.
func (s *scene) cddScene() (*scene, error) {
	const key = "cddfuse.scene"
	if c, ok := s.suite[key].(*scene); ok {
		return c, nil
	}
	if s.suite == nil {
		s.suite = map[string]any{}
	}
	conv := func(what string, m *data.Image) (*data.Image, error) {
		if m == nil {
			return nil, nil
		}
		p, err := cvGray(m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return &data.Image{W: m.W, H: m.H, Planes: [][]float64{p}}, nil
	}
	var in Inputs
	var err error
	if in.Fused, err = conv("fused image", s.orig.Fused); err != nil {
		return nil, err
	}
	if in.Reference, err = conv("reference image", s.orig.Reference); err != nil {
		return nil, err
	}
	for i, m := range s.orig.Sources {
		g, err := conv(fmt.Sprintf("source %d", i+1), m)
		if err != nil {
			return nil, err
		}
		in.Sources = append(in.Sources, g)
	}
	c, err := newScene(in)
	if err != nil {
		return nil, err
	}
	s.ar.bufs = append(s.ar.bufs, c.ar.bufs...)
	c.ar = s.ar
	s.suite[key] = c
	return c, nil
}

// onCDD runs f on the evaluator's gray scene; the evaluator takes exactly
// two sources (A = IR, B = VIS in its fusion tasks).
func onCDD(f func(*scene) (float64, error)) func(*scene) (float64, error) {
	return func(s *scene) (float64, error) {
		if err := s.need2(); err != nil {
			return 0, err
		}
		c, err := s.cddScene()
		if err != nil {
			return 0, err
		}
		return f(c)
	}
}

// cddSF is Evaluator.SF: sqrt(mean((F[:,1:]-F[:,:-1])^2) +
// mean((F[1:,:]-F[:-1,:])^2)), each mean over its own count of differences.
func cddSF(s *scene) (float64, error) {
	w, h, f := s.w, s.h, s.fus
	if w < 2 || h < 2 {
		return 0, errf("SF needs at least 2x2 pixels, got %dx%d", w, h)
	}
	rs, cs := 0.0, 0.0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := f[y*w+x]
			if x+1 < w {
				d := f[y*w+x+1] - v
				rs += d * d
			}
			if y+1 < h {
				d := f[(y+1)*w+x] - v
				cs += d * d
			}
		}
	}
	return math.Sqrt(rs/float64(h*(w-1)) + cs/float64((h-1)*w)), nil
}

// cddAG is Evaluator.AG: the mean of sqrt((Gx^2 + Gy^2)/2) over all pixels
// with central differences inside and one-sided differences at the borders
// (np.gradient's scheme).
func cddAG(s *scene) (float64, error) {
	w, h, f := s.w, s.h, s.fus
	if w < 2 || h < 2 {
		return 0, errf("AG needs at least 2x2 pixels, got %dx%d", w, h)
	}
	grad := func(at func(int) float64, i, n int) float64 {
		switch i {
		case 0:
			return at(1) - at(0)
		case n - 1:
			return at(n-1) - at(n-2)
		}
		return (at(i+1) - at(i-1)) / 2
	}
	acc := 0.0
	for y := 0; y < h; y++ {
		row := f[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			gx := grad(func(i int) float64 { return row[i] }, x, w)
			gy := grad(func(i int) float64 { return f[i*w+x] }, y, h)
			acc += math.Sqrt((gx*gx + gy*gy) / 2)
		}
	}
	return acc / float64(w*h), nil
}

// cddMI is Evaluator.MI: sklearn's mutual_info_score(F, A) +
// mutual_info_score(F, B), in nats.
func cddMI(s *scene) (float64, error) {
	bits, err := miSum(s)
	return bits * math.Ln2, err
}

// cddCC is Evaluator.CC: the mean of the Pearson correlations of A and B
// with F.
func cddCC(s *scene) (float64, error) {
	ra, err := corr2(s.src[0], s.fus)
	if err != nil {
		return 0, fmt.Errorf("corr(A, F): %w", err)
	}
	rb, err := corr2(s.src[1], s.fus)
	if err != nil {
		return 0, fmt.Errorf("corr(B, F): %w", err)
	}
	return (ra + rb) / 2, nil
}

// cddMSEOf is Evaluator.MSE: (mean((A-F)^2) + mean((B-F)^2)) / 2.
func cddMSEOf(s *scene) float64 {
	sa, sb := 0.0, 0.0
	for i, f := range s.fus {
		da, db := s.src[0][i]-f, s.src[1][i]-f
		sa += da * da
		sb += db * db
	}
	n := float64(len(s.fus))
	return (sa/n + sb/n) / 2
}

func cddMSE(s *scene) (float64, error) { return cddMSEOf(s), nil }

// cddPSNR is Evaluator.PSNR: 10 log10(max(F)^2 / MSE) with the evaluator's
// MSE against both sources (the peak is the fused image's maximum, not 255).
func cddPSNR(s *scene) (float64, error) {
	mse := cddMSEOf(s)
	if mse == 0 {
		return 0, errf("fused image equals both sources (PSNR is infinite)")
	}
	_, hi := minMax(s.fus)
	return 10 * math.Log10(hi*hi/mse), nil
}

// cddVIF is Evaluator.VIFF: vifp(A, F) + vifp(B, F) (Sheikh & Bovik's
// pixel VIF, as mfif's VIF, with F's pyramid shared), where a source
// without local variance at any scale (0/0, NaN in NumPy) counts as 1.
func cddVIF(s *scene) (float64, error) {
	num, den := make([]float64, len(s.src)), make([]float64, len(s.src))
	err := vifScales(s.src, s.fus, s.w, s.h, 2, func(r int, _, n, d []float64) {
		for i := range n {
			num[r] += n[i]
			den[r] += d[i]
		}
	})
	if err != nil {
		return 0, err
	}
	acc := 0.0
	for r := range num {
		if den[r] == 0 { // 0/0: NaN in NumPy, which the evaluator maps to 1
			acc++
			continue
		}
		acc += num[r] / den[r]
	}
	return acc, nil
}

// cddSSIM is Evaluator.SSIM: skimage's structural_similarity(F, A) +
// structural_similarity(F, B) with the defaults of scikit-image 0.19 for
// float32 input: data_range 2 (the float dtype range, so C1 = 4e-4 and
// C2 = 3.6e-3 against variances of 0..255 data), a 7x7 uniform window
// (scipy.ndimage.uniform_filter, mode 'reflect'), sample covariances
// (49/48), all in float32, and the mean over the map without its 3-pixel
// border.
func cddSSIM(s *scene) (float64, error) {
	const win = 7
	if s.w < win || s.h < win {
		return 0, errf("SSIM needs at least %dx%d pixels, got %dx%d", win, win, s.w, s.h)
	}
	f := toF32(s.fus)
	uf := uniformFilter32(f, s.w, s.h, win)
	uff := uniformFilter32(mul32(f, f), s.w, s.h, win)
	acc := 0.0
	for _, src := range s.src {
		a := toF32(src)
		acc += ssim32(f, a, uf, uff, uniformFilter32(a, s.w, s.h, win), s.w, s.h, win)
	}
	return acc, nil
}

// ssim32 is skimage 0.19's SSIM in float32 given the filtered maps of x.
func ssim32(x, y, ux, uxx, uy []float32, w, h, win int) float64 {
	uyy := uniformFilter32(mul32(y, y), w, h, win)
	uxy := uniformFilter32(mul32(x, y), w, h, win)
	np, k1, k2, r := float64(win*win), 0.01, 0.03, 2.0
	covNorm := float32(np / (np - 1))
	c1, c2 := float32((k1*r)*(k1*r)), float32((k2*r)*(k2*r))
	pad := (win - 1) / 2
	acc := 0.0
	for r := pad; r < h-pad; r++ {
		for c := pad; c < w-pad; c++ {
			k := r*w + c
			// Every product is converted explicitly so that no
			// multiply-add is fused: NumPy rounds each operation.
			vx := covNorm * (uxx[k] - float32(ux[k]*ux[k]))
			vy := covNorm * (uyy[k] - float32(uy[k]*uy[k]))
			vxy := covNorm * (uxy[k] - float32(ux[k]*uy[k]))
			a1 := float32(float32(2*ux[k])*uy[k]) + c1
			a2 := float32(2*vxy) + c2
			b1 := float32(float32(ux[k]*ux[k])+float32(uy[k]*uy[k])) + c1
			b2 := vx + vy + c2
			d := b1 * b2
			acc += float64(float32(a1*a2) / d)
		}
	}
	return acc / float64((h-2*pad)*(w-2*pad))
}

func toF32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

func mul32(a, b []float32) []float32 {
	out := make([]float32, len(a))
	for i, v := range a {
		out[i] = v * b[i]
	}
	return out
}

// uniformFilter32 is scipy.ndimage.uniform_filter(x, size) of a float32
// image (mode 'reflect': d c b a | a b c d | d c b a): one 1-D pass along
// the rows' axis 0 (down the columns), then along axis 1, each computed in
// float64 as a running sum (the first window summed then divided by the
// size, then each step adds (entering - leaving)/size) and stored as
// float32.
func uniformFilter32(x []float32, w, h, size int) []float32 {
	tmp := make([]float32, len(x))
	line := make([]float64, max(w, h)+size)
	pass := func(dst, src []float32, n, count, stride, step int) {
		s1 := size / 2
		for l := 0; l < count; l++ {
			base := l * step
			ext := line[:n+size-1]
			for i := range ext {
				j := i - s1
				for j < 0 || j >= n { // reflect about the edges
					if j < 0 {
						j = -j - 1
					}
					if j >= n {
						j = 2*n - j - 1
					}
				}
				ext[i] = float64(src[base+j*stride])
			}
			t := 0.0
			for i := 0; i < size; i++ {
				t += ext[i]
			}
			t /= float64(size)
			dst[base] = float32(t)
			for i := 1; i < n; i++ {
				t += (ext[i+size-1] - ext[i-1]) / float64(size)
				dst[base+i*stride] = float32(t)
			}
		}
	}
	pass(tmp, x, h, w, w, 1) // axis 0: lines down each column
	out := make([]float32, len(x))
	pass(out, tmp, w, h, 1, w) // axis 1: lines along each row
	return out
}

func init() {
	cdd := func(name string, better Better, desc string, eval func(*scene) (float64, error)) Metric {
		return sceneSuiteMetric(Metric{Name: name, Description: desc, Better: better,
			Citation: "CDDFuse evaluator (Zhaozixiang1228/MMIF-CDDFuse utils/Evaluator.py), as reported by CDDFuse and DDFM"}, onCDD(eval))
	}
	RegisterSuite(Suite{
		Name:    "cddfuse",
		Toolkit: "Zhaozixiang1228/MMIF-CDDFuse utils/Evaluator.py (commit fd8da1f39d8d403b7343e577bd5a30cba38c7b7b)",
		Colour:  "OpenCV BGR2GRAY in float32, rounded half to even (image_read_cv2 'GRAY'); float32 arithmetic where the evaluator's result depends on it",
		Metrics: []Metric{
			cdd("EN", HigherIsBetter, "entropy of the fused image (bits, 256 bins)", entropyEN),
			cdd("SD", HigherIsBetter, "standard deviation of the fused image (np.std, population)", stdDev),
			cdd("SF", HigherIsBetter, "spatial frequency, each mean over its own number of differences", cddSF),
			cdd("MI", HigherIsBetter, "MI(F,A) + MI(F,B) in nats (sklearn mutual_info_score)", cddMI),
			cdd("SCD", HigherIsBetter, "sum of the correlations of differences corr(A,F-B) + corr(B,F-A)", scd),
			cdd("VIF", HigherIsBetter, "VIFF(A,F) + VIFF(B,F), pixel-domain VIF summed over the sources", cddVIF),
			cdd("Qabf", HigherIsBetter, "Q^AB/F as Qabf.m (paper constants, G = gF where gA == gF)", qABF),
			cdd("SSIM", HigherIsBetter, "SSIM(F,A) + SSIM(F,B), skimage defaults for float32 (data_range 2, 7x7 box)", cddSSIM),
			cdd("AG", HigherIsBetter, "average gradient with np.gradient-style differences, sqrt((Gx^2+Gy^2)/2)", cddAG),
			cdd("CC", HigherIsBetter, "mean correlation coefficient (r(A,F) + r(B,F))/2", cddCC),
			cdd("MSE", LowerIsBetter, "(MSE(A,F) + MSE(B,F))/2", cddMSE),
			cdd("PSNR", HigherIsBetter, "10 log10(max(F)^2 / MSE), MSE as above", cddPSNR),
		},
	})
}
