package metrics

import (
	"fmt"
	"math"
	"math/big"

	"gonum.org/v1/gonum/mat"
)

// The zhengliu suite is the twelve metrics of Zheng Liu's toolbox
// (zhengliu6699/imageFusionMetrics, fusionAssess.m) in that driver's order
// and under its labels. It sees the caller's gray image (MATLAB rgb2gray of
// uint8), as mfif's own metrics do, so six of its metrics are mfif's
// existing ones and share the scene's cached maps.

// sceneSuiteMetric returns a suite metric that runs eval on the evaluation's
// prepared scene (gray planes and cached maps) instead of the caller's raw
// images: for suites whose colour handling is mfif's rgb2gray.
func sceneSuiteMetric(m Metric, eval func(*scene) (float64, error)) Metric {
	m.eval = eval
	m.Compute = func(in Inputs) (float64, error) {
		s, err := newScene(in)
		if err != nil {
			return 0, err
		}
		defer s.ar.release()
		return eval(s)
	}
	return m
}

// ncc is NCC.m: the mutual information (bits) of two normalize1'd images
// divided by log2(256).
func (s *scene) ncc(i, k int) (float64, error) {
	j, err := s.jointNorm(i, k)
	if err != nil {
		return 0, err
	}
	hx, hy, hxy := j.entropies()
	return hx/8 + hy/8 - hxy/8, nil
}

// zlNCIE is metricWang.m (Wang, Shen, Jin 2008): the nonlinear correlation
// information entropy 1 + sum_i r_i/3 log_256(r_i/3) of the eigenvalues r_i
// of the 3x3 NCC matrix of A, B and F (normalize1'd, 256 levels).
func zlNCIE(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	var c [3]float64
	for n, p := range [3][2]int{{0, 1}, {0, 2}, {1, 2}} {
		v, err := s.ncc(p[0], p[1])
		if err != nil {
			return 0, err
		}
		c[n] = v
	}
	r := mat.NewSymDense(3, []float64{1, c[0], c[1], c[0], 1, c[2], c[1], c[2], 1})
	var eig mat.EigenSym
	if !eig.Factorize(r, false) {
		return 0, errf("eigen-decomposition of the NCC matrix failed")
	}
	hr := 0.0
	for _, v := range eig.Values(nil) {
		if v <= 0 {
			return 0, errf("NCC matrix has eigenvalue %g (log of a non-positive number in the reference)", v)
		}
		hr += v * math.Log2(v/3) / 3
	}
	return 1 + hr/8, nil
}

// zlCvejic is metricCvejic(A,B,F,2) (Cvejic et al. 2005): with SSIM maps
// and covariances of ssim_yang (7x7 Gaussian, C = 2e-16),
// s = cov(A,F)/(cov(A,F)+cov(B,F)), Q = mean2(s SSIM(A,F) + (1-s) SSIM(B,F))
// with the pixel set to 0 where s < 0 and 1 where s > 1. A 0/0 weight is
// NaN there, and so is the result (ErrDegenerate).
func zlCvejic(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	pa, err := s.yangPair(0, 2)
	if err != nil {
		return 0, err
	}
	pb, _ := s.yangPair(1, 2)
	ca, cb, ma, mb := pa.c12, pb.c12, pa.ssim, pb.ssim
	acc := 0.0
	for i, a := range ca {
		w := a / (a + cb[i])
		v := w*ma[i] + (1-w)*mb[i]
		if w < 0 {
			v = 0
		} else if w > 1 {
			v = 1
		}
		acc += v
	}
	return acc / float64(len(ca)), nil
}

// zlYang is metricYang.m (Yang et al. 2008): where SSIM(A,B) >= 0.75 the
// pixel scores lambda SSIM(A,F) + (1-lambda) SSIM(B,F) with lambda =
// var(A)/(var(A)+var(B)), elsewhere max(SSIM(A,F), SSIM(B,F)); ssim_yang
// windows (7x7 Gaussian, C = 2e-16). As in the reference, a 0/0 lambda
// anywhere makes the result NaN (ErrDegenerate), even where it is masked.
func zlYang(s *scene) (float64, error) { return yangQ(s, false) }

// yangQ is metricYang.m on the scene; zeroHalf is Yu Liu's variant, in
// which both variances get 0.5 where var(A) + var(B) is exactly 0.
func yangQ(s *scene, zeroHalf bool) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	p1, err := s.yangPair(0, 1)
	if err != nil {
		return 0, err
	}
	p2, _ := s.yangPair(0, 2)
	p3, _ := s.yangPair(1, 2)
	va, vb, m1, m2, m3 := p1.v1, p1.v2, p1.ssim, p2.ssim, p3.ssim
	acc := 0.0
	for i, a := range va {
		b := vb[i]
		if zeroHalf && a+b == 0 {
			a, b = a+0.5, b+0.5
		}
		lam := a / (a + b)
		// Q1 = (...).*bin_map and Q2 = max(.,.).*(~bin_map): a NaN
		// multiplied by the zero mask stays NaN, as in the reference.
		bin := 0.0
		if m1[i] >= 0.75 {
			bin = 1
		}
		q1 := (lam*m2[i] + (1-lam)*m3[i]) * bin
		q2 := matlabMax(m2[i], m3[i]) * (1 - bin)
		acc += q1 + q2
	}
	return acc / float64(len(va)), nil
}

// matlabMax is MATLAB's max of two values: NaN is ignored unless both are
// NaN.
func matlabMax(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Max(a, b)
}

// zlChen is metricChen.m (Chen & Varshney 2007), lower is better: on
// normalize1'd images, the saliency of each 16x16 block is the sum of the
// fifth power of the Sobel magnitude of the source; the distortion is the
// block mean of the squared CSF-filtered difference (source - F), with the
// CSF theta_m(r) = 2.6 (0.0192 + 0.144 r) exp(-(0.144 r)^1.1) on
// freqspace scaled by (N/8, M/8). Q = sum(lambda_A D_A + lambda_B D_B) /
// sum(lambda_A + lambda_B); blocks are zero-padded as blkproc pads.
func zlChen(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	return qCV(s.plane(0), s.plane(1), s.plane(2), s.w, s.h)
}

// haarLevel is one level of matlabPyrTools' buildWpyr(., 'haar') with
// reflect1 edges: rows then columns are filtered with [1 1]/sqrt(2) (low)
// and [-1 1]/sqrt(2) (high) at even offsets, so an odd last row or column
// is dropped. It returns the low-low image and the three detail bands.
func haarLevel(x []float64, w, h int) (ll []float64, bands [3][]float64, ow, oh int) {
	f := 1 / math.Sqrt(2)
	oh, ow = h/2, w/2
	lo := make([]float64, w*oh)
	hi := make([]float64, w*oh)
	for y := 0; y < oh; y++ {
		a, b := x[2*y*w:], x[(2*y+1)*w:]
		for i := 0; i < w; i++ {
			lo[y*w+i] = f*a[i] + f*b[i]
			hi[y*w+i] = -f*a[i] + f*b[i]
		}
	}
	ll = make([]float64, ow*oh)
	for k := range bands {
		bands[k] = make([]float64, ow*oh)
	}
	for y := 0; y < oh; y++ {
		for i := 0; i < ow; i++ {
			l0, l1 := lo[y*w+2*i], lo[y*w+2*i+1]
			h0, h1 := hi[y*w+2*i], hi[y*w+2*i+1]
			ll[y*ow+i] = f*l0 + f*l1
			bands[0][y*ow+i] = f*h0 + f*h1  // lohi
			bands[1][y*ow+i] = -f*l0 + f*l1 // hilo
			bands[2][y*ow+i] = -f*h0 + f*h1 // hihi
		}
	}
	return ll, bands, ow, oh
}

// zlPWW is metricPWW.m (Wang & Liu 2008): on a two-level Haar pyramid
// (matlabPyrTools buildWpyr), per level Q = sum(EP_A W_A + EP_B W_B) /
// sum(W_A + W_B) with W = H^2+V^2+D^2 of the source and EP = sum over the
// three bands of exp(-|S - F|); Q_M = Q_1^(2/3) Q_2^(1/3).
func zlPWW(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	imgs := [3][]float64{s.src[0], s.src[1], s.fus}
	w, h := s.w, s.h
	var q [2]float64
	for lev := 0; lev < 2; lev++ {
		if w < 2 || h < 2 {
			return 0, errf("image too small for a 2-level Haar pyramid")
		}
		var bands [3][3][]float64
		var ow, oh int
		for i := range imgs {
			imgs[i], bands[i], ow, oh = haarLevel(imgs[i], w, h)
		}
		num, den := 0.0, 0.0
		for k := 0; k < ow*oh; k++ {
			for i := 0; i < 2; i++ {
				hb, vb, db := bands[i][0][k], bands[i][1][k], bands[i][2][k]
				wt := hb*hb + vb*vb + db*db
				ep := math.Exp(-math.Abs(hb-bands[2][0][k])) + math.Exp(-math.Abs(vb-bands[2][1][k])) + math.Exp(-math.Abs(db-bands[2][2][k]))
				num += ep * wt
				den += wt
			}
		}
		q[lev] = num / den
		w, h = ow, oh
	}
	return math.Pow(q[0], 2.0/3) * math.Pow(q[1], 1.0/3), nil
}

func init() {
	zl := func(name string, better Better, desc string, eval func(*scene) (float64, error)) Metric {
		return sceneSuiteMetric(Metric{Name: name, Description: desc, Better: better,
			Citation: "Zheng Liu toolbox (zhengliu6699/imageFusionMetrics), fusionAssess.m"}, eval)
	}
	RegisterSuite(Suite{
		Name:    "zhengliu",
		Toolkit: "zhengliu6699/imageFusionMetrics fusionAssess.m (commit d6f7f1a0c0a13e7d19bc1e8e4d4f3ad51f439273)",
		Colour:  "one gray plane: MATLAB rgb2gray of uint8 (the caller's gray, as mfif's own metrics)",
		Metrics: []Metric{
			zl("Q_MI", HigherIsBetter, "normalised mutual information, metricMI(A,B,F,1) (= mfif Q_NMI)", qNMI),
			zl("Q_TE", HigherIsBetter, "Tsallis entropy q = 0.43137, metricMI(A,B,F,3) (= mfif Q_TE)", qTE),
			zl("Q_NCIE", HigherIsBetter, "nonlinear correlation information entropy, metricWang", zlNCIE),
			zl("Q_G", HigherIsBetter, "gradient (Xydeas) metric as coded in metricXydeas (= mfif Q_G)", qG),
			zl("Q_M", HigherIsBetter, "multiscale Haar-wavelet edge metric, metricPWW", zlPWW),
			zl("Q_SF", CloserToZero, "spatial-frequency ratio error, metricZheng (= mfif Q_SF)", qSF),
			zl("Q_P", HigherIsBetter, "phase-congruency feature metric, metricZhao (myphasecong3)", zlZhao),
			zl("Q_S", HigherIsBetter, "Piella's SSIM-based index, metricPeilla(A,B,F,1) (mfif Q_Piella with Octave's filter2 order)", func(s *scene) (float64, error) { return piellaMean(s, gaussWindowOct) }),
			zl("Q_C", HigherIsBetter, "Cvejic's covariance-weighted SSIM, metricCvejic(A,B,F,2)", zlCvejic),
			zl("Q_Y", HigherIsBetter, "Yang's SSIM-based metric, metricYang", zlYang),
			zl("Q_CV", LowerIsBetter, "Chen-Varshney perceptual distortion, metricChen", zlChen),
			zl("Q_CB", HigherIsBetter, "Chen-Blum perceptual metric, metricChenBlum (= mfif Q_CB)", qCB),
		},
	})
}

// expRounded is exp(x) correctly rounded to float64 (a 256-bit Taylor
// series). glibc's exp, which Octave calls, is correctly rounded on the
// arguments used here; math.Exp is not always (exp(-10/4.5) differs by one
// ulp), and the window's bits decide the near-zero local variances of the
// flat regions that Q_C, Q_Y and Q_S branch on.
func expRounded(x float64) float64 {
	const prec = 256
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := 1; k < 200; k++ {
		term.Mul(term, bx)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		sum.Add(sum, term)
	}
	v, _ := sum.Float64()
	return v
}

// octGaussWindow is octave-image's fspecial('gaussian', n, sigma)
// (f /= sum(f(:))) renormalised by sum(sum(.)) as ssim_index.m and
// ssim_yang do, row-major, with Octave's order of operations so that it
// has the reference's bits.
func octGaussWindow(n int, sigma float64) []float64 {
	c := float64(n-1) / 2
	den := 2 * (sigma * sigma)
	f := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			pi, pj := float64(i)-c, float64(j)-c
			dist := (0 + pi*pi) + pj*pj
			f[i*n+j] = expRounded(-dist / den)
		}
	}
	s := 0.0 // sum(f(:)): column-major
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			s += f[i*n+j]
		}
	}
	for k := range f {
		f[k] /= s
	}
	t := 0.0 // sum(sum(.)): column sums, then their sum
	for j := 0; j < n; j++ {
		cs := 0.0
		for i := 0; i < n; i++ {
			cs += f[i*n+j]
		}
		t += cs
	}
	for k := range f {
		f[k] /= t
	}
	return f
}

// yangWin is ssim_yang's window: fspecial('gaussian', 7, 1.5).
var yangWin = octGaussWindow(7, 1.5)

// gaussWindowOct is ssim_index.m's window (as gaussWindow) filtered as
// Octave's filter2 does, bit for bit: zhengliu.Q_S uses it, because in
// flat regions Piella's saliency weight is a ratio of rounding noise.
var gaussWindowOct = &window{name: "gaussian 11x11 sigma 1.5 (Octave filter2 order)", k: gaussWindow.k,
	c1: gaussWindow.c1, c2: gaussWindow.c2, exact: octGaussWindow(11, 1.5)}

// octFilter2Valid is Octave's filter2(win, x, 'valid') for an n x n window
// (row-major), bit for bit: conv2's inner routine (dconv2i) adds the taps
// of each output column by BLAS daxpy calls, window columns from the last
// to the first and within a column rows from the last to the first.
// OpenBLAS's daxpy fuses the multiply-add in blocks of 16 and rounds the
// product separately in the remainder, so the first oh&^15 rows of each
// output column are fused and the rest are not.
func octFilter2Valid(ar *arena, x []float64, w, h int, win []float64, n int) []float64 {
	ow, oh := w-n+1, h-n+1
	out := ar.zeros(ow * oh)
	for y := 0; y < oh; y++ {
		o := out[y*ow : (y+1)*ow]
		fused := y < oh&^15
		for q := n - 1; q >= 0; q-- {
			for p := n - 1; p >= 0; p-- {
				c := win[p*n+q]
				src := x[(y+p)*w+q:]
				src = src[:ow]
				if fused {
					fmaAxpy(o, src, c)
				} else {
					axpy(o, src, c) // rounded products, never fused
				}
			}
		}
	}
	return out
}

// fmaAxpy sets dst[i] = fma(c, src[i], dst[i]); suite_simd.go may replace
// it with a vector version that gives the same bits.
var fmaAxpy = fmaAxpyGo

func fmaAxpyGo(dst, src []float64, c float64) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = math.FMA(c, v, dst[i])
	}
}

// octFilterMap is octFilter2Valid of a, or of a.*b when b is not nil.
func octFilterMap(ar *arena, a, b []float64, w, h int, win []float64, n int) []float64 {
	if b == nil {
		return octFilter2Valid(ar, a, w, h, win, n)
	}
	p := getFloats(w * h)
	defer putFloats(p)
	mulv(p, a[:w*h], b[:w*h])
	return octFilter2Valid(ar, p, w, h, win, n)
}

// yangMaps are ssim_yang's outputs for one pair of images.
type yangMaps struct {
	ssim, v1, v2, c12 []float64
}

// yangPair returns ssim_yang(image i, image k) (images: sources, then the
// fused image) with Zheng Liu's window (yangWin), the filtered maps cached
// on the scene.
func (s *scene) yangPair(i, k int) (*yangMaps, error) {
	return s.yangPairWin(i, k, yangWin, 7, "gauss7")
}

// yangPairWin is ssim_yang(image i, image k) with an n x n window win
// (row-major, summing to 1) named tag in the cache keys.
func (s *scene) yangPairWin(i, k int, win []float64, n int, tag string) (*yangMaps, error) {
	if s.w < 11 || s.h < 11 {
		return nil, errf("image %dx%d is smaller than ssim_yang's 11x11 minimum", s.w, s.h)
	}
	if s.suite == nil {
		s.suite = map[string]any{}
	}
	filt := func(key string, f func() []float64) []float64 {
		if m, ok := s.suite[key].([]float64); ok {
			return m
		}
		m := f()
		s.suite[key] = m
		return m
	}
	mean := func(i int) []float64 {
		return filt(fmt.Sprint("yang.mu.", tag, i), func() []float64 { return octFilter2Valid(s.ar, s.plane(i), s.w, s.h, win, n) })
	}
	prod := func(i, k int) []float64 {
		if k < i {
			i, k = k, i
		}
		return filt(fmt.Sprint("yang.prod.", tag, i, k), func() []float64 {
			p := getFloats(s.w * s.h)
			defer putFloats(p)
			mulv(p, s.plane(i), s.plane(k))
			return octFilter2Valid(s.ar, p, s.w, s.h, win, n)
		})
	}
	key := fmt.Sprint("yang.pair.", tag, i, k)
	if m, ok := s.suite[key].(*yangMaps); ok {
		return m, nil
	}
	mu1, mu2 := mean(i), mean(k)
	e11, e22, e12 := prod(i, i), prod(k, k), prod(i, k)
	m := &yangMaps{ssim: s.ar.floats(len(mu1)), v1: s.ar.floats(len(mu1)), v2: s.ar.floats(len(mu1)), c12: s.ar.floats(len(mu1))}
	const c1, c2 = 2e-16, 2e-16
	for j := range mu1 {
		m1s, m2s, m12 := mu1[j]*mu1[j], mu2[j]*mu2[j], mu1[j]*mu2[j]
		v1, v2, c := e11[j]-m1s, e22[j]-m2s, e12[j]-m12
		m.v1[j], m.v2[j], m.c12[j] = v1, v2, c
		m.ssim[j] = ((2*m12 + c1) * (2*c + c2)) / ((m1s + m2s + c1) * (v1 + v2 + c2))
	}
	s.suite[key] = m
	return m, nil
}
