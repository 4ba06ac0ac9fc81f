package metrics

import (
	"math"
)

// The yuliu suite is Yu Liu et al.'s MFIF-Metrics (TPAMI 2024,
// yuliu316316/MFIF-Metrics): fusion-metrics/ as listed in its readme.txt,
// and FR-IQA/ for the ground-truth metrics. Its driver Metric_calculation.m
// applies MATLAB's rgb2gray to colour uint8 images, as mfif does, so the
// suite works on the scene's gray planes; many of its files are Zheng
// Liu's or Yu Liu's corrected versions that mfif already has.

// ylSD is SD.m: mean(std(A)), the mean over columns of each column's
// sample standard deviation (divisor M-1), which the file itself calls an
// approximation of std(A(:)).
func ylSD(s *scene) (float64, error) {
	w, h, f := s.w, s.h, s.fus
	if h < 2 {
		return 0, errf("SD needs at least 2 rows, got %d", h)
	}
	acc := 0.0
	for x := 0; x < w; x++ {
		mu := 0.0
		for y := 0; y < h; y++ {
			mu += f[y*w+x]
		}
		mu /= float64(h)
		ss := 0.0
		for y := 0; y < h; y++ {
			d := f[y*w+x] - mu
			ss += d * d
		}
		acc += math.Sqrt(ss / float64(h-1))
	}
	return acc / float64(w), nil
}

// ylAG is AG.m: imfilter with [-1 1]' and [-1 1] and 'replicate' borders,
// i.e. forward differences that are 0 in the last row (column), and
// mean2(sqrt((gx^2 + gy^2)/2)) over all M*N pixels.
func ylAG(s *scene) (float64, error) {
	w, h, f := s.w, s.h, s.fus
	acc := 0.0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := f[y*w+x]
			gx, gy := 0.0, 0.0
			if y+1 < h {
				gx = f[(y+1)*w+x] - v
			}
			if x+1 < w {
				gy = f[y*w+x+1] - v
			}
			acc += math.Sqrt((gx*gx + gy*gy) / 2)
		}
	}
	return acc / float64(w*h), nil
}

// ylEI is metricsEdge_intensity.m: the mean Sobel magnitude of the fused
// image, with fspecial('sobel') and its transpose applied by imfilter with
// 'replicate' borders.
func ylEI(s *scene) (float64, error) {
	w, h, f := s.w, s.h, s.fus
	at := func(x, y int) float64 {
		return f[min(max(y, 0), h-1)*w+min(max(x, 0), w-1)]
	}
	// mean(mean(g)): column means, then their mean
	acc := 0.0
	for x := 0; x < w; x++ {
		col := 0.0
		for y := 0; y < h; y++ {
			// fspecial('sobel') = [1 2 1; 0 0 0; -1 -2 -1] (rows), correlation
			gx := (at(x-1, y-1) + 2*at(x, y-1) + at(x+1, y-1)) - (at(x-1, y+1) + 2*at(x, y+1) + at(x+1, y+1))
			gy := (at(x-1, y-1) + 2*at(x-1, y) + at(x-1, y+1)) - (at(x+1, y-1) + 2*at(x+1, y) + at(x+1, y+1))
			col += math.Sqrt(gx*gx + gy*gy)
		}
		acc += col / float64(h)
	}
	return acc / float64(w), nil
}

// box8 is ones(8)/64, the window of Yu Liu's ssim_yang in metricCvejic.m.
var box8 = func() []float64 {
	k := make([]float64, 64)
	for i := range k {
		k[i] = 1.0 / 64
	}
	return k
}()

// ylCvejic is Yu Liu's metricCvejic(A,B,F,2): ssim_yang on 8x8 box
// windows (C = 2e-16); the weight s = cov(A,F)/(cov(A,F)+cov(B,F)) is
// clamped to [0,1] before Q = s SSIM(A,F) + (1-s) SSIM(B,F), and where s is
// 0/0 both maps weigh 0.5 (Zheng Liu's file clamps Q instead and keeps the
// NaN).
func ylCvejic(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	pa, err := s.yangPairWin(0, 2, box8, 8, "box8")
	if err != nil {
		return 0, err
	}
	pb, _ := s.yangPairWin(1, 2, box8, 8, "box8")
	acc := 0.0
	for i, a := range pa.c12 {
		w := a / (a + pb.c12[i])
		var q float64
		switch {
		case math.IsNaN(w):
			q = 0.5*pa.ssim[i] + 0.5*pb.ssim[i]
		default:
			w = min(max(w, 0), 1)
			q = w*pa.ssim[i] + (1-w)*pb.ssim[i]
		}
		acc += q
	}
	return acc / float64(len(pa.c12)), nil
}

// ylYang is Yu Liu's metricYang.m: Zheng Liu's Yang metric, except that
// where var(A) + var(B) is exactly 0 both variances get 0.5 (lambda = 1/2
// instead of NaN).
func ylYang(s *scene) (float64, error) { return yangQ(s, true) }

// ylVIFF is VIFF_Public.m (Han et al. 2013) on gray images: for each of
// the four VIF scales (noise variance 0.005*255^2), every window takes the
// VID/VIND terms of the source with the smaller gain g (the second where
// they tie), F_s = sum(VID + 1e-7)/sum(VIND + 1e-7), and VIFF =
// (F_1 + 0.15 F_3 + F_4)/2.15.
func ylVIFF(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	const sq, c = 0.005 * 255 * 255, 1e-7
	type scaleMaps struct{ g, num, den []float64 }
	var maps [2][]scaleMaps
	err := vifScales(s.src[:2], s.fus, s.w, s.h, sq, func(r int, g, num, den []float64) {
		maps[r] = append(maps[r], scaleMaps{g, num, den})
	})
	if err != nil {
		return 0, err
	}
	p := [4]float64{1 / 2.15, 0, 0.15 / 2.15, 1 / 2.15}
	out := 0.0
	for sc := 0; sc < 4; sc++ {
		m1, m2 := maps[0][sc], maps[1][sc]
		vid, vind := 0.0, 0.0
		for k := range m1.g {
			z, m := m2.num[k], m2.den[k]
			if m1.g[k] < m2.g[k] {
				z, m = m1.num[k], m1.den[k]
			}
			vid += z + c
			vind += m + c
		}
		out += vid / vind * p[sc]
	}
	return out, nil
}

// ylGMSD is FR-IQA/GMSD.m (Xue et al. 2014) of the ground truth R and F:
// both are averaged over 2x2 blocks (conv2 'same', zero beyond the last
// row and column) and subsampled by 2, gradient magnitudes use the Prewitt
// kernels [1 0 -1]/3 (conv2 'same', zero padding), the similarity map is
// (2 g1 g2 + 170)/(g1^2 + g2^2 + 170), and GMSD is its standard deviation
// (std2, divisor n-1). Lower is better.
func ylGMSD(s *scene) (float64, error) {
	w, h := s.w, s.h
	if w < 4 || h < 4 {
		return 0, errf("GMSD needs at least 4x4 pixels, got %dx%d", w, h)
	}
	ow, oh := (w+1)/2, (h+1)/2
	down := func(x []float64) []float64 {
		at := func(xx, yy int) float64 {
			if xx >= w || yy >= h {
				return 0
			}
			return x[yy*w+xx]
		}
		out := make([]float64, ow*oh)
		for y := 0; y < oh; y++ {
			for xx := 0; xx < ow; xx++ {
				X, Y := 2*xx, 2*y
				out[y*ow+xx] = 0.25*at(X, Y) + 0.25*at(X+1, Y) + 0.25*at(X, Y+1) + 0.25*at(X+1, Y+1)
			}
		}
		return out
	}
	grad := func(x []float64) []float64 {
		at := func(xx, yy int) float64 {
			if xx < 0 || yy < 0 || xx >= ow || yy >= oh {
				return 0
			}
			return x[yy*ow+xx]
		}
		g := make([]float64, ow*oh)
		for y := 0; y < oh; y++ {
			for xx := 0; xx < ow; xx++ {
				// conv2 with [1 0 -1; 1 0 -1; 1 0 -1]/3 flips the kernel:
				// right neighbours minus left ones.
				ix := (at(xx+1, y-1)+at(xx+1, y)+at(xx+1, y+1))/3 - (at(xx-1, y-1)+at(xx-1, y)+at(xx-1, y+1))/3
				iy := (at(xx-1, y+1)+at(xx, y+1)+at(xx+1, y+1))/3 - (at(xx-1, y-1)+at(xx, y-1)+at(xx+1, y-1))/3
				g[y*ow+xx] = math.Sqrt(ix*ix + iy*iy)
			}
		}
		return g
	}
	g1, g2 := grad(down(s.ref)), grad(down(s.fus))
	const t = 170
	q := make([]float64, len(g1))
	for i := range q {
		q[i] = (2*g1[i]*g2[i] + t) / (g1[i]*g1[i] + g2[i]*g2[i] + t)
	}
	mu := mean2(q)
	ss := 0.0
	for _, v := range q {
		ss += (v - mu) * (v - mu)
	}
	return math.Sqrt(ss / float64(len(q)-1)), nil
}

func init() {
	yl := func(name string, better Better, desc string, eval func(*scene) (float64, error)) Metric {
		return sceneSuiteMetric(Metric{Name: name, Description: desc, Better: better,
			Citation: "Yu Liu et al., TPAMI 2024, MFIF-Metrics (yuliu316316/MFIF-Metrics)"}, eval)
	}
	ref := func(m Metric) Metric { m.NeedsReference = true; return m }
	RegisterSuite(Suite{
		Name:    "yuliu",
		Toolkit: "yuliu316316/MFIF-Metrics fusion-metrics/ and FR-IQA/ (commit a3b02ba24e72b7eafd1bb822560a810b287fedaa)",
		Colour:  "one gray plane: MATLAB rgb2gray of uint8 (its Metric_calculation.m), as mfif's own metrics",
		Metrics: []Metric{
			yl("EN", HigherIsBetter, "entropy of the fused image (bits), EN(F, 256)", entropyEN),
			yl("SD", HigherIsBetter, "mean of the column standard deviations (N-1), SD.m", ylSD),
			yl("AG", HigherIsBetter, "average gradient, replicate-padded forward differences over M*N, AG.m", ylAG),
			yl("SF", HigherIsBetter, "spatial frequency, sums divided by M*N, SF.m (= mfif SF)", spatialFrequency),
			yl("EI", HigherIsBetter, "edge intensity, mean replicate-padded Sobel magnitude, metricsEdge_intensity.m", ylEI),
			yl("QMI", HigherIsBetter, "normalised MI, metricMI(A,B,F,1) (= mfif Q_NMI)", qNMI),
			yl("QNCIE", HigherIsBetter, "nonlinear correlation information entropy, metricWang.m", zlNCIE),
			yl("QTE", HigherIsBetter, "Tsallis MI q = 1.85, metricMI(A,B,F,2) (= mfif Q_TE_cvejic)", qTECvejic),
			yl("QLMI", HigherIsBetter, "quadtree local mutual information, LMI(A,B,F,1)", ylLMI),
			yl("QSCD", HigherIsBetter, "sum of the correlations of differences, analysis_SCD.m (= mfif SCD)", scd),
			yl("QG", HigherIsBetter, "Q^AB/F with the paper's constants, Yu Liu's metricXydeas.m (= mfif Q_G_yuliu)", qGYuLiu),
			yl("QP", HigherIsBetter, "phase-congruency feature metric, metricZhao.m (with the newer lowpassfilter.m)", ylZhao),
			yl("QW", HigherIsBetter, "Piella's weighted index, UIQI 8x8, metricPeilla(A,B,F,2) (= mfif Q_W_yuliu)", qWYuLiu),
			yl("QC", HigherIsBetter, "Cvejic's metric, 8x8 box ssim_yang, metricCvejic(A,B,F,2)", ylCvejic),
			yl("QY", HigherIsBetter, "Yang's metric with the 0/0 rule, metricYang.m", ylYang),
			yl("QCB", HigherIsBetter, "Chen-Blum, metricChenBlum.m (= mfif Q_CB)", qCB),
			yl("QCV", LowerIsBetter, "Chen-Varshney, metricChen.m", zlChen),
			yl("QVIFF", HigherIsBetter, "VIFF (Han et al. 2013), VIFF_Public.m", ylVIFF),
			ref(yl("PSNR", HigherIsBetter, "PSNR of F against the ground truth, FR-IQA/PSNR.m (= mfif PSNR)", psnr)),
			ref(yl("SSIM", HigherIsBetter, "mean SSIM against the ground truth, FR-IQA/ssim_index.m (= mfif SSIM)", ssimRef)),
			ref(yl("GMSD", LowerIsBetter, "gradient magnitude similarity deviation against the ground truth, FR-IQA/GMSD.m", ylGMSD)),
		},
	})
}
