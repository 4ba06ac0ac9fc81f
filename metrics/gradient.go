package metrics

import "math"

// gradMaps are the Sobel responses of one image as in metricXydeas.m:
// gx, gy by correlation with zero padding, magnitude g (computed before any
// epsilon), and the orientation alpha = atan(gy/gx') with gx' = 1e-5 where
// gx == 0.
type gradMaps struct {
	gx, gy, g, alpha []float64
}

// pad1 returns x zero-padded by one sample on every side.
func pad1(x []float64, w, h int) []float64 {
	pw := w + 2
	p := getFloats(pw * (h + 2)) // returned by the callers
	clear(p)
	for y := 0; y < h; y++ {
		copy(p[(y+1)*pw+1:], x[y*w:(y+1)*w])
	}
	return p
}

// sobel returns filter2([-1 0 1;-2 0 2;-1 0 1], x, 'same') and
// filter2([-1 -2 -1;0 0 0;1 2 1], x, 'same').
func sobel(ar *arena, x []float64, w, h int) (gx, gy []float64) {
	p := pad1(x, w, h)
	defer putFloats(p)
	pw := w + 2
	gx = ar.floats(w * h)
	gy = ar.floats(w * h)
	for y := 0; y < h; y++ {
		sobelRow(gx[y*w:(y+1)*w], gy[y*w:(y+1)*w], p[y*pw:(y+1)*pw], p[(y+1)*pw:(y+2)*pw], p[(y+2)*pw:(y+3)*pw])
	}
	return gx, gy
}

// sobelRowGo computes one output row of sobel from three padded rows.
func sobelRowGo(ox, oy, up, mid, dn []float64) {
	w := len(ox)
	up, mid, dn, oy = up[:w+2], mid[:w+2], dn[:w+2], oy[:w]
	for x := 0; x < w; x++ {
		ox[x] = (up[x+2] + 2*mid[x+2] + dn[x+2]) - (up[x] + 2*mid[x] + dn[x])
		oy[x] = (dn[x] + 2*dn[x+1] + dn[x+2]) - (up[x] + 2*up[x+1] + up[x+2])
	}
}

// prewitt returns the magnitude of filter2([1 0 -1;1 0 -1;1 0 -1], x,
// 'same') and filter2([1 1 1;0 0 0;-1 -1 -1], x, 'same'), the edge images
// of Piella's Q_E.
func prewitt(ar *arena, x []float64, w, h int) []float64 {
	p := pad1(x, w, h)
	defer putFloats(p)
	pw := w + 2
	out := ar.floats(w * h)
	for y := 0; y < h; y++ {
		up, mid, dn := p[y*pw:], p[(y+1)*pw:], p[(y+2)*pw:]
		o := out[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			ex := (up[x] + mid[x] + dn[x]) - (up[x+2] + mid[x+2] + dn[x+2])
			ey := (up[x] + up[x+1] + up[x+2]) - (dn[x] + dn[x+1] + dn[x+2])
			o[x] = math.Sqrt(ex*ex + ey*ey)
		}
	}
	return out
}

// gradient returns the Sobel maps of image i (sources, then fused), cached.
func (s *scene) gradient(i int) *gradMaps {
	if s.grad[i] == nil {
		gx, gy := sobel(s.ar, s.plane(i), s.w, s.h)
		m := &gradMaps{gx: gx, gy: gy, g: s.ar.floats(len(gx)), alpha: s.ar.floats(len(gx))}
		gradPolar(m.g, m.alpha, gx, gy)
		s.grad[i] = m
	}
	return s.grad[i]
}

// eps5 replaces an exact zero by 1e-5, the reference's guard.
func eps5(v float64) float64 {
	if v == 0 {
		return 1e-5
	}
	return v
}

// xydeasParams are the sigmoid constants of the edge-preservation model.
type xydeasParams struct {
	gg, kg, dg float64 // strength: Gamma_g, kappa_g, sigma_g
	ga, ka, da float64 // orientation: Gamma_a, kappa_a, sigma_a
	paperAngle bool    // A = 1-2|d|/pi (paper) instead of ||d|-pi/2|*2/pi
}

// edgePreservation fills q with Q_XF for source i against the fused image,
// following metricXydeas.m step 2 (the epsilon handling depends on whether
// the fused magnitude was already adjusted, i.e. on i > 0).
func (s *scene) edgePreservation(i int, p xydeasParams, q []float64) {
	src, fus := s.gradient(i), s.gradient(s.nsrc())
	edgeQ(q, src.g, fus.g, src.alpha, fus.alpha, &p, i > 0)
}

// edgeQGo is the portable edge-preservation kernel: Q_XF per pixel from
// the source and fused magnitudes and orientations. adjF says whether the
// fused magnitude's epsilon applies to the comparison (sources after the
// first, see edgePreservation).
func edgeQGo(q, gs, gf, as, af []float64, p *xydeasParams, adjF bool) {
	gf, as, af = gf[:len(gs)], as[:len(gs)], af[:len(gs)]
	// G = 1 and A = 1 wherever F copies the source's gradient (large
	// regions of decision-map fusions); their sigmoids are computed once.
	qg1 := p.gg / (1 + math.Exp(p.kg*(1-p.dg)))
	qa1 := p.ga / (1 + math.Exp(p.ka*(1-p.da)))
	gga := p.gg * p.ga
	for k, gx0 := range gs {
		gf0 := gf[k]
		gfe := eps5(gf0)
		cmpF := gf0
		if adjF {
			cmpF = gfe
		}
		gxe := eps5(gx0)
		var g float64
		if gx0 > cmpF {
			g = cmpF / gxe
		} else {
			g = gxe / gfe
		}
		d := math.Abs(as[k] - af[k])
		var a float64
		if p.paperAngle {
			a = 1 - d*2/math.Pi
		} else {
			a = math.Abs(d-math.Pi/2) * 2 / math.Pi
		}
		switch {
		case g != 1 && a != 1: // one division for both sigmoids
			q[k] = gga / ((1 + math.Exp(p.kg*(g-p.dg))) * (1 + math.Exp(p.ka*(a-p.da))))
		case g != 1:
			q[k] = p.gg / (1 + math.Exp(p.kg*(g-p.dg))) * qa1
		case a != 1:
			q[k] = qg1 * (p.ga / (1 + math.Exp(p.ka*(a-p.da))))
		default:
			q[k] = qg1 * qa1
		}
	}
}

// qG is Zheng Liu's metricXydeas.m: constants (1,-10,0.5 / 1,-20,0.75),
// orientation modulo pi, weights w = |grad S| (L = 1, epsilon-adjusted) and
// the per-pixel normalised mean of sum_i Q_iF w_i / sum_i w_i. For N
// sources the per-pixel sums run over all sources.
func qG(s *scene) (float64, error) {
	p := xydeasParams{gg: 1, kg: -10, dg: 0.5, ga: 1, ka: -20, da: 0.75}
	n := s.nsrc()
	num := s.ar.zeros(s.w * s.h)
	den := s.ar.zeros(s.w * s.h)
	q := s.ar.floats(s.w * s.h)
	for i := 0; i < n; i++ {
		s.edgePreservation(i, p, q)
		weighAdd(num, den, q, s.gradient(i).g)
	}
	return ratioSum(num, den) / float64(len(num)), nil
}

// qGYuLiu is Yu Liu's corrected metricXydeas.m: the paper's constants
// (0.9994,-15,0.5 / 0.9879,-22,0.8), A = 1-2|d|/pi and the global weighted
// sum sum(Q_AF wA + Q_BF wB)/sum(wA + wB).
func qGYuLiu(s *scene) (float64, error) {
	p := xydeasParams{gg: 0.9994, kg: -15, dg: 0.5, ga: 0.9879, ka: -22, da: 0.8, paperAngle: true}
	n := s.nsrc()
	num := s.ar.zeros(s.w * s.h)
	den := s.ar.zeros(s.w * s.h)
	q := s.ar.floats(s.w * s.h)
	for i := 0; i < n; i++ {
		s.edgePreservation(i, p, q)
		g := s.gradient(i).g
		for k := range q {
			wt := eps5(g[k])
			num[k] += q[k] * wt
			den[k] += wt
		}
	}
	return sum(num) / sum(den), nil
}

// qabfAnglesGo fills a with Qabf.m's orientation: pi/2 where the x
// response is 0, else atan(y/x) with x = -gx (conv2 flips the kernel) and
// y = gy.
func qabfAnglesGo(a, gx, gy []float64) {
	gx, gy = gx[:len(a)], gy[:len(a)]
	for k, x := range gx {
		if x == 0 {
			a[k] = math.Pi / 2
			continue
		}
		a[k] = math.Atan(gy[k] / -x)
	}
}

// Qabf.m's sigmoid constants (the paper's).
const (
	qabfTg, qabfKg, qabfDg = 0.9994, -15.0, 0.5
	qabfTa, qabfKa, qabfDa = 0.9879, -22.0, 0.8
)

// qabfAccGo adds one source's Q_XF g_X to num and g_X to den, per pixel,
// from the source's and the fused magnitudes (gs, gf) and orientations
// (as, af), with Qabf.m's G = gF quirk where gX == gF.
func qabfAccGo(num, den, gs, gf, as, af []float64) {
	den, gs, gf, as, af = den[:len(num)], gs[:len(num)], gf[:len(num)], as[:len(num)], af[:len(num)]
	for k, gx := range gs {
		gf := gf[k]
		var g float64
		switch {
		case gx > gf:
			g = gf / gx
		case gx == gf:
			g = gf
		default:
			g = gx / gf
		}
		a := 1 - math.Abs(as[k]-af[k])/(math.Pi/2)
		q := qabfTg / (1 + math.Exp(qabfKg*(g-qabfDg))) * (qabfTa / (1 + math.Exp(qabfKa*(a-qabfDa))))
		num[k] += q * gx
		den[k] += gx
	}
}

// qABF is the widely copied Qabf.m (Xydeas & Petrovic with the paper's
// constants, no epsilon, and its G = gF where gX == gF quirk), summed over
// N sources: sum_i sum(Q_iF g_i) / sum_i sum(g_i).
func qABF(s *scene) (float64, error) {
	n := s.nsrc()
	fus := s.gradient(n)
	af := s.ar.floats(s.w * s.h)
	qabfAngles(af, fus.gx, fus.gy)
	as := s.ar.floats(s.w * s.h)
	num := s.ar.zeros(s.w * s.h)
	den := s.ar.zeros(s.w * s.h)
	for i := 0; i < n; i++ {
		src := s.gradient(i)
		qabfAngles(as, src.gx, src.gy)
		qabfAcc(num, den, src.g, fus.g, as, af)
	}
	d := sum(den)
	if d == 0 {
		return 0, errf("all source gradients are zero (flat sources)")
	}
	return sum(num) / d, nil
}

// averageGradient is AG: the mean over the (M-1)(N-1) pixels of
// sqrt((dx^2 + dy^2)/2) with forward differences of the fused image.
func averageGradient(s *scene) (float64, error) {
	w, h, f := s.w, s.h, s.fus
	if w < 2 || h < 2 {
		return 0, errf("AG needs at least 2x2 pixels, got %dx%d", w, h)
	}
	acc := 0.0
	for y := 0; y < h-1; y++ {
		for x := 0; x < w-1; x++ {
			dx := f[y*w+x+1] - f[y*w+x]
			dy := f[(y+1)*w+x] - f[y*w+x]
			acc += math.Sqrt((dx*dx + dy*dy) / 2)
		}
	}
	return acc / float64((w-1)*(h-1)), nil
}

func init() {
	register(Metric{
		Name:        "Q_G",
		Description: "gradient-based edge preservation Q^{AB/F}, Zheng Liu's variant (per-pixel mean)",
		Citation:    "Xydeas & Petrovic, Electron. Lett. 36(4) 2000; Zheng Liu toolbox metricXydeas(A,B,F)",
		Better:      HigherIsBetter,
	}, qG)
	register(Metric{
		Name:        "Q_G_yuliu",
		Description: "Q^{AB/F} with the paper's constants and global weighted sum (Yu Liu's corrected file)",
		Citation:    "Xydeas & Petrovic 2000; Yu Liu et al., TPAMI 2024, MFIF-Metrics metricXydeas.m",
		Better:      HigherIsBetter,
	}, qGYuLiu)
	register(Metric{
		Name:        "Q_ABF_qabf",
		Description: "Q^{AB/F} as in the widely used Qabf.m (VIFB metricsQabf)",
		Citation:    "Xydeas & Petrovic 2000; Qabf.m (R. Hong 2007)",
		Better:      HigherIsBetter,
	}, qABF)
	register(Metric{
		Name:        "AG",
		Description: "average gradient of the fused image",
		Citation:    "Cui et al., Opt. Commun. 341 2015",
		Better:      HigherIsBetter,
	}, averageGradient)
}
