package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// window is a separable local-statistics window of ssim_index.m together
// with its stabilising constants C1 = (K1 L)^2 and C2 = (K2 L)^2, L = 255.
type window struct {
	name   string
	k      []float64 // 1-D factor; the 2-D window is k (x) k and sums to 1
	c1, c2 float64
	// exact, when set, is the n x n window (row-major) filtered in the
	// order of Octave's filter2 (octFilter2Valid) instead of separably.
	exact []float64
}

// gaussWindow is ssim_index.m's default: fspecial('gaussian', 11, 1.5)
// normalised to sum 1, K = [0.01 0.03].
var gaussWindow = &window{name: "gaussian 11x11 sigma 1.5", k: data.GaussianKernel(1.5, 11),
	c1: (0.01 * 255) * (0.01 * 255), c2: (0.03 * 255) * (0.03 * 255)}

// uiqiWindow is Yu Liu's Piella setting: ones(8) and K = [1e-6 1e-6], which
// turns SSIM into Wang & Bovik's UIQI on 8x8 windows.
var uiqiWindow = &window{
	name: "box 8x8 (UIQI)",
	k:    []float64{1.0 / 8, 1.0 / 8, 1.0 / 8, 1.0 / 8, 1.0 / 8, 1.0 / 8, 1.0 / 8, 1.0 / 8},
	c1:   (1e-6 * 255) * (1e-6 * 255),
	c2:   (1e-6 * 255) * (1e-6 * 255),
}

// ssimKey identifies a filtered map: window, and the image (b nil) or the
// product of two images.
type ssimKey struct {
	win  *window
	a, b *float64
}

// ssimStats caches one filtered map.
type ssimStats struct{ m []float64 }

// wfilt returns filter2(window, a.*b, 'valid') (or of a when b is nil),
// cached per scene (see corrValidMap).
func (s *scene) wfilt(win *window, a, b []float64) ([]float64, error) {
	if s.w < len(win.k) || s.h < len(win.k) {
		return nil, errf("image %dx%d is smaller than the %s window", s.w, s.h, win.name)
	}
	key := ssimKey{win: win, a: &a[0]}
	if b != nil {
		if &b[0] == &a[0] {
			key.b = key.a
		} else if s.stats[ssimKey{win: win, a: &b[0], b: &a[0]}] != nil {
			a, b = b, a
			key = ssimKey{win: win, a: &a[0], b: &b[0]}
		} else {
			key.b = &b[0]
		}
	}
	if c := s.stats[key]; c != nil {
		return c.m, nil
	}
	var m []float64
	if win.exact != nil {
		m = octFilterMap(s.ar, a, b, s.w, s.h, win.exact, len(win.k))
	} else {
		m = corrValidMap(s.ar, a, b, s.w, s.h, win.k)
	}
	s.stats[key] = &ssimStats{m: m}
	return m, nil
}

// moments returns the local mean of x and y, the variances E[x^2]-mu^2 and
// the covariance E[xy]-mu_x mu_y (nil when y is nil), as ssim_index.m.
func (s *scene) moments(win *window, x, y []float64) (mx, my, vx, vy, cxy []float64, err error) {
	if mx, err = s.wfilt(win, x, nil); err != nil {
		return
	}
	vx = s.variance(win, x, mx)
	if y == nil {
		return
	}
	my, _ = s.wfilt(win, y, nil)
	vy = s.variance(win, y, my)
	xy, _ := s.wfilt(win, x, y)
	cxy = s.ar.floats(len(my))
	subProd(cxy, xy, mx, my)
	return
}

// variance returns the local variance E[x^2] - mu^2 of x (mu = mx, the
// window mean), cached per window and image: Piella's indices use each
// source's variance in the saliency and again in SSIM(F, source).
func (s *scene) variance(win *window, x, mx []float64) []float64 {
	key := ssimKey{win: win, a: &x[0], b: &mx[0]} // b marks a variance entry
	if c := s.vars[key]; c != nil {
		return c
	}
	xx, _ := s.wfilt(win, x, x)
	v := s.ar.floats(len(mx))
	subProd(v, xx, mx, mx)
	if s.vars == nil {
		s.vars = map[ssimKey][]float64{}
	}
	s.vars[key] = v
	return v
}

// ssimMap is ssim_index.m's map for C1, C2 > 0:
// (2 mx my + C1)(2 sxy + C2) / ((mx^2 + my^2 + C1)(sx + sy + C2)).
func (s *scene) ssimMap(win *window, x, y []float64) ([]float64, error) {
	mx, my, vx, vy, cxy, err := s.moments(win, x, y)
	if err != nil {
		return nil, err
	}
	out := s.ar.floats(len(mx))
	ssimPix(out, mx, my, vx, vy, cxy, win.c1, win.c2)
	return out, nil
}

// piellaMaps returns the per-pixel Piella quality sum_i lambda_i SSIM(F,Si)
// and the weight max_i s_i, where s_i are the local source variances (0.5
// added to every s_i where they sum to exactly 0) and lambda_i = s_i/sum s.
// The last lambda is 1 - sum of the others, which for N = 2 is the
// reference's (1 - lambda).
func (s *scene) piellaMaps(win *window, srcs [][]float64, fus []float64) (q, cw []float64, err error) {
	n := len(srcs)
	vars := make([][]float64, n)
	for i, x := range srcs {
		if _, _, vars[i], _, _, err = s.moments(win, x, nil); err != nil {
			return nil, nil, err
		}
	}
	maps := make([][]float64, n)
	for i, x := range srcs {
		if maps[i], err = s.ssimMap(win, fus, x); err != nil {
			return nil, nil, err
		}
	}
	q = s.ar.floats(len(vars[0]))
	cw = s.ar.floats(len(q))
	if n == 2 {
		piella2(q, cw, vars[0], vars[1], maps[0], maps[1])
		return q, cw, nil
	}
	sv := make([]float64, n)
	for k := range q {
		tot := 0.0
		for i := range sv {
			sv[i] = vars[i][k]
			tot += sv[i]
		}
		if tot == 0 {
			tot = 0
			for i := range sv {
				sv[i] += 0.5
				tot += sv[i]
			}
		}
		acc, rest, m := 0.0, 1.0, sv[0]
		for i := 0; i < n-1; i++ {
			l := sv[i] / tot
			acc += l * maps[i][k]
			rest -= l
			m = math.Max(m, sv[i])
		}
		m = math.Max(m, sv[n-1])
		q[k] = acc + rest*maps[n-1][k]
		cw[k] = m
	}
	return q, cw, nil
}

// weightedMean is sum(cw .* q) / sum(cw) in the reference's order
// (cw normalised first).
func weightedMean(q, cw []float64) (float64, error) {
	t := sum(cw)
	if t == 0 {
		return 0, errf("all local variances are zero")
	}
	acc := 0.0
	for i := range q {
		acc += cw[i] / t * q[i]
	}
	return acc, nil
}

// edges returns the Prewitt edge-magnitude image of every source and of
// the fused image (cached in the scene's filtered-map cache by identity).
func (s *scene) edges() ([][]float64, []float64) {
	if s.edgeImgs == nil {
		s.edgeImgs = make([][]float64, s.nsrc()+1)
		for i := range s.edgeImgs {
			s.edgeImgs[i] = prewitt(s.ar, s.plane(i), s.w, s.h)
		}
	}
	n := s.nsrc()
	return s.edgeImgs[:n], s.edgeImgs[n]
}

// qPiella is metricPeilla(...,1): mean2 of the Piella map with SSIM on
// 11x11 Gaussian windows ('valid', (M-10) x (N-10)).
func qPiella(s *scene) (float64, error) { return piellaMean(s, gaussWindow) }

// piellaMean is mean2 of the Piella map with window win.
func piellaMean(s *scene, win *window) (float64, error) {
	q, _, err := s.piellaMaps(win, s.src, s.fus)
	if err != nil {
		return 0, err
	}
	return mean2(q), nil
}

// qWZL is metricPeilla(...,2): the weighted index sum(cw q), cw = max_i s_i
// normalised to sum 1.
func qWZL(s *scene) (float64, error) {
	q, cw, err := s.piellaMaps(gaussWindow, s.src, s.fus)
	if err != nil {
		return 0, err
	}
	return weightedMean(q, cw)
}

// qSYuLiu, qWYuLiu and qEYuLiu are Yu Liu's metricPeilla(...,1|2|3) with
// UIQI on 8x8 box windows; Q_E = Q_W(images) * Q_W(Prewitt edge images)
// (alpha = 1).
func qSYuLiu(s *scene) (float64, error) {
	q, _, err := s.piellaMaps(uiqiWindow, s.src, s.fus)
	if err != nil {
		return 0, err
	}
	return mean2(q), nil
}

func qWYuLiu(s *scene) (float64, error) {
	q, cw, err := s.piellaMaps(uiqiWindow, s.src, s.fus)
	if err != nil {
		return 0, err
	}
	return weightedMean(q, cw)
}

func qEYuLiu(s *scene) (float64, error) {
	qw, err := qWYuLiu(s)
	if err != nil {
		return 0, err
	}
	es, ef := s.edges()
	q, cw, err := s.piellaMaps(uiqiWindow, es, ef)
	if err != nil {
		return 0, err
	}
	qe, err := weightedMean(q, cw)
	if err != nil {
		return 0, fmt.Errorf("edge images: %w", err)
	}
	return qw * qe, nil
}

// ssimRef is the mean SSIM (ssim_index.m defaults) of the fused image
// against the reference.
func ssimRef(s *scene) (float64, error) {
	m, err := s.ssimMap(gaussWindow, s.fus, s.ref)
	if err != nil {
		return 0, err
	}
	return mean2(m), nil
}

func init() {
	register(Metric{
		Name:        "Q_Piella",
		Description: "Piella's fusion quality index Q_S with SSIM (11x11 Gaussian) local similarity",
		Citation:    "Piella & Heijmans, ICIP 2003; Zheng Liu toolbox metricPeilla(A,B,F,1)",
		Better:      HigherIsBetter,
	}, qPiella)
	register(Metric{
		Name:        "Q_W_zl",
		Description: "Piella's weighted fusion quality index Q_W with SSIM windows",
		Citation:    "Piella & Heijmans, ICIP 2003; Zheng Liu toolbox metricPeilla(A,B,F,2)",
		Better:      HigherIsBetter,
	}, qWZL)
	register(Metric{
		Name:        "Q_Piella_yuliu",
		Description: "Piella's Q_S with UIQI on 8x8 windows (Yu Liu's corrected file)",
		Citation:    "Piella & Heijmans, ICIP 2003; Yu Liu et al., TPAMI 2024, MFIF-Metrics metricPeilla(A,B,F,1)",
		Better:      HigherIsBetter,
	}, qSYuLiu)
	register(Metric{
		Name:        "Q_W_yuliu",
		Description: "Piella's weighted index Q_W with UIQI on 8x8 windows",
		Citation:    "Piella & Heijmans, ICIP 2003; Yu Liu et al., TPAMI 2024, MFIF-Metrics metricPeilla(A,B,F,2)",
		Better:      HigherIsBetter,
	}, qWYuLiu)
	register(Metric{
		Name:        "Q_E_yuliu",
		Description: "Piella's edge-dependent index Q_E = Q_W(images) Q_W(Prewitt edges), UIQI 8x8",
		Citation:    "Piella & Heijmans, ICIP 2003; Yu Liu et al., TPAMI 2024, MFIF-Metrics metricPeilla(A,B,F,3)",
		Better:      HigherIsBetter,
	}, qEYuLiu)
	register(Metric{
		Name:           "SSIM",
		Description:    "mean SSIM of the fused image against the ground truth",
		Citation:       "Wang, Bovik, Sheikh, Simoncelli, IEEE TIP 13(4) 2004 (ssim_index.m defaults)",
		Better:         HigherIsBetter,
		NeedsReference: true,
	}, ssimRef)
}
