package metrics

import (
	"math"
	"sync"

	"github.com/mfif/mfif/data"
)

// Q_P of Zheng Liu's toolbox (metricZhao.m, Zhao, Laganière & Liu 2007),
// used by the zhengliu and yuliu suites, built on the toolbox's
// myphasecong3.m (Kovesi's phase congruency with 4 scales, 6 orientations,
// minimum wavelength 3, scale factor 2.1, sigmaOnf 0.55, dThetaOnSigma
// 1.2, k = 2, cutOff 0.5, g = 10).

// fft2 is MATLAB's fft2 (inverse: ifft2 without the 1/(w h) scale) of the
// h x w row-major array c, in place; t is scratch of the same size.
func fft2(c, t []complex128, w, h int, inverse bool) {
	transformCols(c, t, w, h, inverse) // along y
	transpose(t, c, w, h)
	transformCols(t, c, h, w, inverse) // along x
	transpose(c, t, h, w)
}

// pcMaps are myphasecong3's outputs that metricZhao uses: the phase
// congruency and the maximum and minimum moments of its covariance.
type pcMaps struct{ pc, bigM, smallM []float64 }

// pcFreq is myphasecong3's frequency range of one axis (length n): for odd
// n, (-(n-1)/2 .. (n-1)/2)/(n-1); for even n, (-n/2 .. n/2-1)/n.
func pcFreq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		if n%2 == 1 {
			out[i] = (float64(i) - float64(n-1)/2) / float64(n-1)
		} else {
			out[i] = (float64(i) - float64(n/2)) / float64(n)
		}
	}
	return out
}

// ifftshiftIndex returns the index of the unshifted array that lands at
// position k after MATLAB's ifftshift of a length-n vector.
func ifftshiftIndex(k, n int) int { return (k + n/2) % n }

// fftshiftIndex is the same for fftshift.
func fftshiftIndex(k, n int) int { return (k + (n+1)/2) % n }

// phaseCong is myphasecong3 of each of the h x w images ims. The filters
// depend only on the size, so they are built once per orientation and
// scale and applied to every image; the noise model's sums of products of
// the filters' inverse transforms are taken in the frequency domain
// (Parseval), which needs no transform.
//
// The filters, and the noise model's sums over them, are built once per
// image size (pcBankFor). The spectra and filters are kept in the
// transposed layout that the 2-D
// transform produces without its final transpose (frequency (ky, kx) at
// kx*h + ky), so each forward and each inverse transform does one
// transpose instead of two; the 1/(w h) of ifft2 is folded into the
// filters. Per orientation and image, one pass over the four scales'
// responses computes every per-pixel quantity, and the accumulators of
// the orientations are interleaved per pixel, so the 72 responses of three
// images are each read once after their transform.
//
// Two versions of Kovesi's lowpassfilter exist in the toolkits: Zheng
// Liu's myphasecong3.m holds an older one (grid (j - (fix(n/2)+1))/n, then
// fftshift), Yu Liu's copy calls the newer lowpassfilter.m (the radius
// grid above, then ifftshift). They differ for odd sizes; newLowpass
// selects the newer one.
func phaseCong(ims [][]float64, w, h int, newLowpass bool) []pcMaps {
	const (
		nscale, norient = pcScales, pcOrients
		kNoise          = 2.0
		cutOff, gain    = 0.5, 10.0
		epsilon         = 0.0001
	)
	n := w * h
	bank := pcBankFor(w, h, newLowpass)
	t := getComplex(n)
	defer putComplex(t)
	imfs := make([][]complex128, len(ims))
	for i, im := range ims {
		imf := getComplex(n)
		defer putComplex(imf)
		for k, v := range im {
			imf[k] = complex(v, 0)
		}
		transformCols(imf, t, w, h, false) // along y
		transpose(t, imf, w, h)            // t is w x h: t[kx*h+ky]
		transformCols(t, imf, h, w, false) // along x
		imf, t = t, imf
		imfs[i] = imf
	}

	// acc holds one pixel's sums over the orientations.
	type acc struct{ totalEnergy, totalSumAn, covx2, covy2, covxy float64 }
	accs := make([][]acc, len(ims))
	for i := range accs {
		accs[i] = make([]acc, n)
	}
	filters := make([][]float64, nscale) // scaled by 1/n for ifft2
	eo := make([][]complex128, nscale)
	for s := range filters {
		filters[s] = getFloats(n)
		defer putFloats(filters[s])
		eo[s] = getComplex(n)
		defer putComplex(eo[s])
	}
	sumAn, maxAn, energy, e2 := getFloats(n), getFloats(n), getFloats(n), getFloats(n)
	defer putFloats(sumAn)
	defer putFloats(maxAn)
	defer putFloats(energy)
	defer putFloats(e2)
	inv := 1 / float64(n)
	for o := 0; o < norient; o++ {
		angl := float64(o) * math.Pi / norient
		ca, sa := math.Cos(angl), math.Sin(angl)
		spread, logGabor := bank.spread[o], bank.logGabor
		emN, sumAn2, sumAiAj := bank.emN[o], bank.sumAn2[o], bank.sumAiAj[o]
		for s := 0; s < nscale; s++ {
			f, lg := filters[s], logGabor[s]
			for k := range f {
				f[k] = lg[k] * spread[k] * inv
			}
		}
		for i, imf := range imfs {
			for s := 0; s < nscale; s++ {
				e := eo[s]
				for k, v := range filters[s] {
					e[k] = complex(real(imf[k])*v, imag(imf[k])*v)
				}
				transformCols(e, t, h, w, true) // along x
				transpose(t, e, h, w)
				transformCols(t, e, w, h, true) // along y
				eo[s], t = t, e
			}
			pcScaleSums(sumAn[:n], maxAn[:n], energy[:n], e2[:n], eo[0][:n], eo[1][:n], eo[2][:n], eo[3][:n])
			median := medianOf(e2)
			noisePower := (-median / math.Log(0.5)) / emN
			en2 := 2*noisePower*sumAn2 + 4*noisePower*sumAiAj
			tau := math.Sqrt(en2 / 2)
			thr := (tau*math.Sqrt(math.Pi/2) + kNoise*math.Sqrt((2-math.Pi/2)*(tau*tau))) / 1.7
			a := accs[i][:n]
			for k := range a {
				p := &a[k]
				en := math.Max(energy[k]-thr, 0)
				if en == 0 && sumAn[k] != 0 {
					// pc = 0: the weight, finite in [0, 1], does not
					// matter and every sum but totalSumAn gains +0.
					p.totalSumAn += sumAn[k]
					continue
				}
				width := sumAn[k] / (maxAn[k] + epsilon) / nscale
				weight := 1.0 / (1 + math.Exp((cutOff-width)*gain))
				p.totalSumAn += sumAn[k]
				p.totalEnergy += weight * en
				pc := weight * en / sumAn[k]
				cx, cy := pc*ca, pc*sa
				p.covx2 += cx * cx
				p.covy2 += cy * cy
				p.covxy += cx * cy
			}
		}
	}
	out := make([]pcMaps, len(ims))
	for i, a := range accs {
		m := pcMaps{pc: make([]float64, n), bigM: make([]float64, n), smallM: make([]float64, n)}
		for k := range m.pc {
			p := &a[k]
			m.pc[k] = p.totalEnergy / (p.totalSumAn + epsilon)
			x2, y2, xy := p.covx2/(norient/2), p.covy2/(norient/2), p.covxy/norient
			d := math.Sqrt(xy*xy+(x2-y2)*(x2-y2)) + epsilon
			m.bigM[k] = (y2 + x2 + d) / 2
			m.smallM[k] = (y2 + x2 - d) / 2
		}
		out[i] = m
	}
	return out
}

// pcScaleSums sets, per pixel k, from the four scales' responses r0..r3:
// sumAn (sum of the amplitudes), maxAn (their largest), energy
// (myphasecong3's sum over scales of E.me + O.mo - |E.mo - O.me|, with the
// mean phase (me, mo) of the summed response) and e2 (|r0|^2, for the
// noise estimate). pcScaleSumsGo is the portable kernel; suite_simd.go may
// swap in a vector one with the same operations in the same order.
var pcScaleSums = pcScaleSumsGo

func pcScaleSumsGo(sumAn, maxAn, energy, e2 []float64, r0, r1, r2, r3 []complex128) {
	const epsilon = 0.0001
	n := len(sumAn)
	maxAn, energy, e2 = maxAn[:n], energy[:n], e2[:n]
	r0, r1, r2, r3 = r0[:n], r1[:n], r2[:n], r3[:n]
	for k := range sumAn {
		v0, v1, v2, v3 := r0[k], r1[k], r2[k], r3[k]
		p0 := real(v0)*real(v0) + imag(v0)*imag(v0)
		a0 := math.Sqrt(p0)
		a1 := math.Sqrt(real(v1)*real(v1) + imag(v1)*imag(v1))
		a2 := math.Sqrt(real(v2)*real(v2) + imag(v2)*imag(v2))
		a3 := math.Sqrt(real(v3)*real(v3) + imag(v3)*imag(v3))
		sE := real(v0) + real(v1) + real(v2) + real(v3)
		sO := imag(v0) + imag(v1) + imag(v2) + imag(v3)
		sumAn[k] = a0 + a1 + a2 + a3
		maxAn[k] = max(a0, a1, a2, a3) // no NaN: a sqrt of a finite sum of squares
		xe := math.Sqrt(sE*sE+sO*sO) + epsilon
		me, mo := sE/xe, sO/xe
		en := real(v0)*me + imag(v0)*mo - math.Abs(real(v0)*mo-imag(v0)*me)
		en += real(v1)*me + imag(v1)*mo - math.Abs(real(v1)*mo-imag(v1)*me)
		en += real(v2)*me + imag(v2)*mo - math.Abs(real(v2)*mo-imag(v2)*me)
		en += real(v3)*me + imag(v3)*mo - math.Abs(real(v3)*mo-imag(v3)*me)
		energy[k] = en
		e2[k] = p0
	}
}

// Parameters of myphasecong3 as metricZhao calls it.
const (
	pcScales, pcOrients = 4, 6
	pcMinWave, pcMult   = 3.0, 2.1
	pcSigmaOnf          = 0.55
	pcDThetaOnSigma     = 1.2
)

// pcBank is what phaseCong needs of its filters for one image size and
// lowpass version, in the transposed frequency layout: the log-Gabor
// filters of the scales (lowpass applied), the angular spread of each
// orientation, and per orientation the noise model's EM_n and its sums of
// products of the scales' even parts.
type pcBank struct {
	w, h, lowpass        int
	logGabor             [pcScales][]float64
	spread               [pcOrients][]float64
	emN, sumAn2, sumAiAj [pcOrients]float64
}

// The bank of the last size used: a folder of same-size images builds it
// once (about 22 MB at 520x520).
var (
	pcBankMu   sync.Mutex
	pcBankLast *pcBank
)

// pcBankFor returns the (cached) bank for w x h. For even sizes both
// lowpass versions are the same numbers and share a bank.
func pcBankFor(w, h int, newLowpass bool) *pcBank {
	lowpass := 0
	switch {
	case w%2 == 0 && h%2 == 0:
		lowpass = 2
	case newLowpass:
		lowpass = 1
	}
	pcBankMu.Lock()
	b := pcBankLast
	pcBankMu.Unlock()
	if b != nil && b.w == w && b.h == h && b.lowpass == lowpass {
		return b
	}
	b = newPCBank(w, h, newLowpass)
	b.lowpass = lowpass
	pcBankMu.Lock()
	pcBankLast = b
	pcBankMu.Unlock()
	return b
}

// newPCBank builds the bank (see pcBank).
func newPCBank(w, h int, newLowpass bool) *pcBank {
	const (
		nscale, norient = pcScales, pcOrients
		minWave, mult   = pcMinWave, pcMult
		sigmaOnf        = pcSigmaOnf
		dThetaOnSigma   = pcDThetaOnSigma
	)
	n := w * h
	bank := &pcBank{w: w, h: h}
	thetaSigma := math.Pi / norient / dThetaOnSigma
	// radius and theta on the centred grid, then ifftshift; the lowpass
	// filter is built on its own grid and fftshift-ed, as in the reference.
	// Index kt = x*h + y holds frequency (y, x) (transposed layout).
	xr, yr := pcFreq(w), pcFreq(h)
	radius := getFloats(n)
	defer putFloats(radius)
	theta := getFloats(n)
	defer putFloats(theta)
	lp := getFloats(n)
	defer putFloats(lp)
	for x := 0; x < w; x++ {
		sx := ifftshiftIndex(x, w)
		lx := fftshiftIndex(x, w)
		for y := 0; y < h; y++ {
			sy := ifftshiftIndex(y, h)
			xv, yv := xr[sx], yr[sy]
			r := math.Sqrt(xv*xv + yv*yv)
			r0 := r // before the centre is set to 1
			if sy == h/2 && sx == w/2 {
				r = 1
			}
			k := x*h + y
			radius[k], theta[k] = r, math.Atan2(-yv, xv)
			var lr float64
			if newLowpass {
				lr = r0
			} else {
				ly := fftshiftIndex(y, h)
				fx := (float64(lx+1) - float64(w/2+1)) / float64(w)
				fy := (float64(ly+1) - float64(h/2+1)) / float64(h)
				lr = math.Sqrt(fx*fx + fy*fy)
			}
			lp[k] = 1 / (1.0 + math.Pow(lr/0.45, 2*15))
		}
	}
	logGabor := bank.logGabor[:]
	den := 2 * math.Pow(math.Log(sigmaOnf), 2)
	for s := range logGabor {
		fo := 1.0 / (minWave * math.Pow(mult, float64(s)))
		lg := make([]float64, n)
		for k, r := range radius {
			l := math.Log(r / fo)
			lg[k] = math.Exp(-(l*l)/den) * lp[k]
		}
		lg[0] = 0
		logGabor[s] = lg
	}

	for o := 0; o < norient; o++ {
		angl := float64(o) * math.Pi / norient
		spread := make([]float64, n)
		// dtheta = |atan2(sin(theta-angl), cos(theta-angl))| is the
		// angle difference wrapped to [-pi, pi].
		for k, th := range theta {
			dt := th - angl
			if dt < -math.Pi {
				dt += 2 * math.Pi
			}
			dt = math.Abs(dt)
			spread[k] = math.Exp((-(dt * dt)) / (2 * (thetaSigma * thetaSigma)))
		}
		// EM_n = sum(sum(filter.^2)) of the first scale: column sums,
		// then their sum (a column is a run of h values here).
		emN := 0.0
		for x := 0; x < w; x++ {
			col := 0.0
			lg, sp := logGabor[0][x*h:(x+1)*h], spread[x*h:(x+1)*h]
			for y, g := range lg {
				v := g * sp[y]
				col += v * v
			}
			emN += col
		}
		// real(ifft2(filter))*sqrt(n) is the inverse transform of the
		// even part of the filter times sqrt(n); by Parseval the sums over
		// pixels of products of two of them are sums over frequencies of
		// products of the even parts, (f(k) + f(-k))/2.
		sumAn2, sumAiAj := 0.0, 0.0
		for x := 0; x < w; x++ {
			nx := (w - x) % w
			for y := 0; y < h; y++ {
				k, nk := x*h+y, nx*h+(h-y)%h
				var a [nscale]float64
				for si := range a {
					a[si] = (logGabor[si][k]*spread[k] + logGabor[si][nk]*spread[nk]) / 2
				}
				for si := 0; si < nscale; si++ {
					sumAn2 += a[si] * a[si]
					for sj := si + 1; sj < nscale; sj++ {
						sumAiAj += a[si] * a[sj]
					}
				}
			}
		}
		bank.spread[o], bank.emN[o], bank.sumAn2[o], bank.sumAiAj[o] = spread, emN, sumAn2, sumAiAj
	}
	return bank
}

// medianOf is MATLAB's median of a vector without NaN (the mean of the two
// middle values for an even count); x may be reordered. A histogram of
// the top 16 bits of the order-preserving integer keys of the values finds
// the bins holding the middle ranks, so the exact selection only runs on
// the few values in those bins.
func medianOf(x []float64) float64 {
	m := len(x) / 2
	if len(x) < 4096 {
		return medianSelect(x, m)
	}
	key := func(v float64) uint64 { // order-preserving for non-NaN values
		b := math.Float64bits(v)
		if b>>63 != 0 {
			return ^b
		}
		return b | 1<<63
	}
	var hist [1 << 16]int32
	for _, v := range x {
		hist[key(v)>>48]++
	}
	// bins of ranks m-1 (even count only) and m; below counts the values
	// in lower bins.
	lo := m
	if len(x)%2 == 0 {
		lo = m - 1
	}
	bLo, bHi, below, cum := -1, -1, 0, 0
	for b, c := range hist {
		if bLo < 0 && cum+int(c) > lo {
			bLo, below = b, cum
		}
		if cum+int(c) > m {
			bHi = b
			break
		}
		cum += int(c)
	}
	sel := x[:0:0]
	for _, v := range x {
		if b := int(key(v) >> 48); b >= bLo && b <= bHi {
			sel = append(sel, v)
		}
	}
	if len(x)%2 == 1 {
		return data.KthSmallest(sel, m-below)
	}
	return medianSelectPair(sel, m-below)
}

// medianSelect is medianOf by quickselect alone, on all of x.
func medianSelect(x []float64, m int) float64 {
	if len(x)%2 == 1 {
		return data.KthSmallest(x, m)
	}
	return medianSelectPair(x, m)
}

// medianSelectPair returns the mean of the (m-1)-th and m-th smallest
// values of x (0-based), reordering x.
func medianSelectPair(x []float64, m int) float64 {
	hi := data.KthSmallest(x, m)
	lo := x[0] // x[:m] holds the m smallest values after KthSmallest
	for _, v := range x[1:m] {
		lo = math.Max(lo, v)
	}
	return (lo + hi) / 2
}

// zhaoCorr is metricZhao's correlation_coeffcient: with an 11x11 Gaussian
// (sigma 1.5) and 'same' zero-padded windows, per pixel the largest of the
// three masked correlation ratios (sigma_xf + C)/(sqrt|sigma_x sigma_f| + C)
// of x1, x2 and xmax against xf (C = 1e-4), summed and divided by the
// number of pixels of mask3. The masked images and products are written
// straight into one zero-bordered buffer and every window sum goes to a
// pooled buffer.
//
// NaN follows MATLAB's arithmetic, as it appears when an input is constant
// (every filter response exactly 0, so the moments M and m are 0/0): mask.*x
// keeps a NaN of x outside the mask, filter2 spreads it over the window, all
// three ratio maps start as mu1.*0, and max ignores NaN (so the order in
// which the three maps are combined does not change the value).
func zhaoCorr(x1, x2, xmax, xf []float64, m1, m2, m3 []bool, w, h int) float64 {
	const c = 0.0001
	k := data.GaussianKernel(1.5, 11)
	n, pw := w*h, w+10
	pad := getFloats(pw * (h + 10))
	defer putFloats(pad)
	clear(pad) // the border stays zero; fills write the interior only
	// same sets dst to filter2(k (x) k, v, 'same') of the image whose
	// pixel i is v(i).
	same := func(dst []float64, v func(i int) float64) {
		for y := 0; y < h; y++ {
			row := pad[(y+5)*pw+5 : (y+5)*pw+5+w]
			for x := range row {
				row[x] = v(y*w + x)
			}
		}
		corrValidTo(dst, pad, pw, h+10, k)
	}
	bufs := make([][]float64, 7)
	for i := range bufs {
		bufs[i] = getFloats(n)
		defer putFloats(bufs[i])
	}
	muF, varF, mu1, mu, vx, cxf, best := bufs[0], bufs[1], bufs[2], bufs[3], bufs[4], bufs[5], bufs[6]
	same(muF, func(i int) float64 { return xf[i] })
	same(varF, func(i int) float64 { return xf[i] * xf[i] })
	// ratio sets best to the ratio of the masked x, or (first false) to
	// matlabMax(ratio, best); unmasked pixels give mu1.*0. The window mean
	// of the masked x goes to mean (mu1 for x1, which comes first).
	ratio := func(x []float64, m []bool, mean []float64, first bool) {
		at := func(i int) float64 {
			if m[i] {
				return x[i]
			}
			return 0 * x[i] // NaN for NaN or Inf, as mask.*x
		}
		same(mean, at)
		same(vx, func(i int) float64 { v := at(i); return v * v })
		same(cxf, func(i int) float64 { return at(i) * xf[i] })
		for i := range best[:n] {
			r := 0 * mu1[i] // res = mu1.*0 outside the mask
			if m[i] {
				sx := vx[i] - mean[i]*mean[i]
				sf := varF[i] - muF[i]*muF[i]
				sxf := cxf[i] - mean[i]*muF[i]
				r = (sxf + c) / (math.Sqrt(math.Abs(sx*sf)) + c)
			}
			if first {
				best[i] = r
			} else {
				best[i] = matlabMax(r, best[i])
			}
		}
	}
	ratio(x1, m1, mu1, true)
	ratio(x2, m2, mu, false)
	ratio(xmax, m3, mu, false)
	total, n3 := 0.0, 0
	for i, v := range best[:n] {
		total += v
		if m3[i] {
			n3++
		}
	}
	return total / float64(n3)
}

// zlZhao is Zheng Liu's metricZhao.m (older lowpass filter).
func zlZhao(s *scene) (float64, error) { return zhao(s, false) }

// ylZhao is Yu Liu's metricZhao.m (newer lowpassfilter.m).
func ylZhao(s *scene) (float64, error) { return zhao(s, true) }

// phaseCongABF returns phaseCong of source 1, source 2 and the fused image,
// computed once per scene: the zhengliu and yuliu suites evaluated together
// share it. For even widths and heights the two lowpass filters are the
// same numbers (the grids and shifts coincide), so one computation serves
// both.
func (s *scene) phaseCongABF(newLowpass bool) []pcMaps {
	key := "phasecong.old"
	switch {
	case s.w%2 == 0 && s.h%2 == 0:
		key = "phasecong.even"
	case newLowpass:
		key = "phasecong.new"
	}
	if m, ok := s.suite[key].([]pcMaps); ok {
		return m
	}
	m := phaseCong([][]float64{s.src[0], s.src[1], s.fus}, s.w, s.h, newLowpass)
	if s.suite == nil {
		s.suite = map[string]any{}
	}
	s.suite[key] = m
	return m
}

// zhao is metricZhao.m: phase congruency PC and its moments M, m of A,
// B and F; pixels where PC > 0.1 are features; Q_P is the product of the
// three zhaoCorr scores of PC, M and m, the maximum map taking A's value
// where PC_A > PC_B and B's elsewhere.
func zhao(s *scene, newLowpass bool) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	if s.w < 2 || s.h < 2 {
		return 0, errf("Q_P needs at least 2x2 pixels, got %dx%d", s.w, s.h)
	}
	w, h := s.w, s.h
	pcs := s.phaseCongABF(newLowpass)
	p1, p2, pf := pcs[0], pcs[1], pcs[2]
	n := w * h
	var m1, m2, m3 = make([]bool, n), make([]bool, n), make([]bool, n)
	// mask.*a + (~mask).*b: NaN where either is NaN or infinite.
	pick := func(a, b []float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			if p1.pc[i] > p2.pc[i] {
				out[i] = a[i] + 0*b[i]
			} else {
				out[i] = 0*a[i] + b[i]
			}
		}
		return out
	}
	pcMax, bigMax, smallMax := pick(p1.pc, p2.pc), pick(p1.bigM, p2.bigM), pick(p1.smallM, p2.smallM)
	for i := range m1 {
		m1[i], m2[i], m3[i] = p1.pc[i] > 0.1, p2.pc[i] > 0.1, pcMax[i] > 0.1
	}
	r := zhaoCorr(p1.pc, p2.pc, pcMax, pf.pc, m1, m2, m3, w, h) *
		zhaoCorr(p1.bigM, p2.bigM, bigMax, pf.bigM, m1, m2, m3, w, h) *
		zhaoCorr(p1.smallM, p2.smallM, smallMax, pf.smallM, m1, m2, m3, w, h)
	return r, nil
}
