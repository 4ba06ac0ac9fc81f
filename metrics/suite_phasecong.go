package metrics

import (
	"math"

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
// Two versions of Kovesi's lowpassfilter exist in the toolkits: Zheng
// Liu's myphasecong3.m holds an older one (grid (j - (fix(n/2)+1))/n, then
// fftshift), Yu Liu's copy calls the newer lowpassfilter.m (the radius
// grid above, then ifftshift). They differ for odd sizes; newLowpass
// selects the newer one.
func phaseCong(ims [][]float64, w, h int, newLowpass bool) []pcMaps {
	const (
		nscale, norient = 4, 6
		minWave, mult   = 3.0, 2.1
		sigmaOnf        = 0.55
		dThetaOnSigma   = 1.2
		kNoise          = 2.0
		cutOff, gain    = 0.5, 10.0
		epsilon         = 0.0001
	)
	n := w * h
	thetaSigma := math.Pi / norient / dThetaOnSigma
	t := getComplex(n)
	defer putComplex(t)
	imfs := make([][]complex128, len(ims))
	for i, im := range ims {
		imf := make([]complex128, n)
		for k, v := range im {
			imf[k] = complex(v, 0)
		}
		fft2(imf, t, w, h, false)
		imfs[i] = imf
	}

	// radius and theta on the centred grid, then ifftshift; the lowpass
	// filter is built on its own grid and fftshift-ed, as in the reference.
	xr, yr := pcFreq(w), pcFreq(h)
	radius := make([]float64, n)
	sinT, cosT := make([]float64, n), make([]float64, n)
	lp := make([]float64, n)
	for y := 0; y < h; y++ {
		sy := ifftshiftIndex(y, h)
		ly := fftshiftIndex(y, h)
		for x := 0; x < w; x++ {
			sx := ifftshiftIndex(x, w)
			xv, yv := xr[sx], yr[sy]
			r := math.Sqrt(xv*xv + yv*yv)
			r0 := r // before the centre is set to 1
			if sy == h/2 && sx == w/2 {
				r = 1
			}
			th := math.Atan2(-yv, xv)
			k := y*w + x
			radius[k], sinT[k], cosT[k] = r, math.Sin(th), math.Cos(th)
			var lr float64
			if newLowpass {
				lr = r0
			} else {
				lx := fftshiftIndex(x, w)
				fx := (float64(lx+1) - float64(w/2+1)) / float64(w)
				fy := (float64(ly+1) - float64(h/2+1)) / float64(h)
				lr = math.Sqrt(fx*fx + fy*fy)
			}
			lp[k] = 1 / (1.0 + math.Pow(lr/0.45, 2*15))
		}
	}
	logGabor := make([][]float64, nscale)
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
	// neg[k] is the index of the frequency -k.
	neg := make([]int, n)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			neg[y*w+x] = ((h-y)%h)*w + (w-x)%w
		}
	}

	type acc struct{ totalEnergy, totalSumAn, covx2, covy2, covxy []float64 }
	accs := make([]acc, len(ims))
	for i := range accs {
		accs[i] = acc{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	}
	spread := make([]float64, n)
	filters := make([][]float64, nscale)
	sym := make([][]float64, nscale)
	eo := make([][]complex128, nscale)
	for s := range filters {
		filters[s], sym[s], eo[s] = make([]float64, n), make([]float64, n), make([]complex128, n)
	}
	sumE, sumO, sumAn, maxAn := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	energy, e2 := make([]float64, n), make([]float64, n)
	inv := 1 / float64(n)
	for o := 0; o < norient; o++ {
		angl := float64(o) * math.Pi / norient
		ca, sa := math.Cos(angl), math.Sin(angl)
		for k := range spread {
			ds := sinT[k]*ca - cosT[k]*sa
			dc := cosT[k]*ca + sinT[k]*sa
			dt := math.Abs(math.Atan2(ds, dc))
			spread[k] = math.Exp((-(dt * dt)) / (2 * (thetaSigma * thetaSigma)))
		}
		for s := 0; s < nscale; s++ {
			f := filters[s]
			for k := range f {
				f[k] = logGabor[s][k] * spread[k]
			}
		}
		// EM_n = sum(sum(filter.^2)) of the first scale: column sums,
		// then their sum.
		emN := 0.0
		for x := 0; x < w; x++ {
			col := 0.0
			for y := 0; y < h; y++ {
				v := filters[0][y*w+x]
				col += v * v
			}
			emN += col
		}
		// real(ifft2(filter))*sqrt(n) is the inverse transform of the
		// even part of the filter times sqrt(n); by Parseval the sums over
		// pixels of products of two of them are sums over frequencies of
		// products of the even parts.
		for s := range sym {
			for k, v := range filters[s] {
				sym[s][k] = (v + filters[s][neg[k]]) / 2
			}
		}
		sumAn2, sumAiAj := 0.0, 0.0
		for k := 0; k < n; k++ {
			for si := 0; si < nscale; si++ {
				a := sym[si][k]
				sumAn2 += a * a
				for sj := si + 1; sj < nscale; sj++ {
					sumAiAj += a * sym[sj][k]
				}
			}
		}
		for i, imf := range imfs {
			clear(sumE)
			clear(sumO)
			clear(sumAn)
			clear(energy)
			for s := 0; s < nscale; s++ {
				e := eo[s]
				for k, v := range filters[s] {
					e[k] = complex(real(imf[k])*v, imag(imf[k])*v)
				}
				fft2(e, t, w, h, true)
				for k := range e {
					e[k] = complex(real(e[k])*inv, imag(e[k])*inv)
					an := math.Sqrt(real(e[k])*real(e[k]) + imag(e[k])*imag(e[k]))
					sumAn[k] += an
					sumE[k] += real(e[k])
					sumO[k] += imag(e[k])
					if s == 0 {
						maxAn[k] = an
					} else {
						maxAn[k] = math.Max(maxAn[k], an)
					}
				}
			}
			for k := range energy {
				xe := math.Sqrt(sumE[k]*sumE[k]+sumO[k]*sumO[k]) + epsilon
				me, mo := sumE[k]/xe, sumO[k]/xe
				for s := 0; s < nscale; s++ {
					ev, ov := real(eo[s][k]), imag(eo[s][k])
					energy[k] += ev*me + ov*mo - math.Abs(ev*mo-ov*me)
				}
			}
			for k, v := range eo[0] {
				e2[k] = real(v)*real(v) + imag(v)*imag(v)
			}
			median := medianOf(e2)
			noisePower := (-median / math.Log(0.5)) / emN
			en2 := 2*noisePower*sumAn2 + 4*noisePower*sumAiAj
			tau := math.Sqrt(en2 / 2)
			thr := (tau*math.Sqrt(math.Pi/2) + kNoise*math.Sqrt((2-math.Pi/2)*(tau*tau))) / 1.7
			a := accs[i]
			for k := range energy {
				en := math.Max(energy[k]-thr, 0)
				width := sumAn[k] / (maxAn[k] + epsilon) / nscale
				weight := 1.0 / (1 + math.Exp((cutOff-width)*gain))
				a.totalSumAn[k] += sumAn[k]
				a.totalEnergy[k] += weight * en
				pc := weight * en / sumAn[k]
				cx, cy := pc*ca, pc*sa
				a.covx2[k] += cx * cx
				a.covy2[k] += cy * cy
				a.covxy[k] += cx * cy
			}
		}
	}
	out := make([]pcMaps, len(ims))
	for i, a := range accs {
		m := pcMaps{pc: make([]float64, n), bigM: make([]float64, n), smallM: make([]float64, n)}
		for k := range m.pc {
			m.pc[k] = a.totalEnergy[k] / (a.totalSumAn[k] + epsilon)
			x2, y2, xy := a.covx2[k]/(norient/2), a.covy2[k]/(norient/2), a.covxy[k]/norient
			d := math.Sqrt(xy*xy+(x2-y2)*(x2-y2)) + epsilon
			m.bigM[k] = (y2 + x2 + d) / 2
			m.smallM[k] = (y2 + x2 - d) / 2
		}
		out[i] = m
	}
	return out
}

// medianOf is MATLAB's median of a vector without NaN (the mean of the two
// middle values for an even count); x is reordered.
func medianOf(x []float64) float64 {
	m := len(x) / 2
	hi := data.KthSmallest(x, m)
	if len(x)%2 == 1 {
		return hi
	}
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
// number of pixels of mask3.
//
// NaN follows MATLAB's arithmetic, as it appears when an input is constant
// (every filter response exactly 0, so the moments M and m are 0/0): mask.*x
// keeps a NaN of x outside the mask, filter2 spreads it over the window, all
// three ratio maps start as mu1.*0, and max ignores NaN.
func zhaoCorr(x1, x2, xmax, xf []float64, m1, m2, m3 []bool, w, h int) float64 {
	const c = 0.0001
	k := data.GaussianKernel(1.5, 11)
	same := func(x []float64) []float64 {
		p := make([]float64, (w+10)*(h+10))
		for y := 0; y < h; y++ {
			copy(p[(y+5)*(w+10)+5:], x[y*w:(y+1)*w])
		}
		return corrValid(p, w+10, h+10, k)
	}
	masked := func(x []float64, m []bool) []float64 {
		out := make([]float64, len(x))
		for i, v := range x {
			if m[i] {
				out[i] = v
			} else {
				out[i] = 0 * v // NaN for NaN or Inf, as mask.*x
			}
		}
		return out
	}
	mul := func(a, b []float64) []float64 {
		out := make([]float64, len(a))
		for i := range a {
			out[i] = a[i] * b[i]
		}
		return out
	}
	a, b, mx := masked(x1, m1), masked(x2, m2), masked(xmax, m3)
	muF := same(xf)
	varF := same(mul(xf, xf))
	mu1 := same(a)
	ratio := func(x []float64, m []bool) []float64 {
		mu := same(x)
		vx := same(mul(x, x))
		cxf := same(mul(x, xf))
		out := make([]float64, len(x))
		for i := range out {
			if !m[i] {
				out[i] = 0 * mu1[i] // res = mu1.*0 outside the mask
				continue
			}
			sx := vx[i] - mu[i]*mu[i]
			sf := varF[i] - muF[i]*muF[i]
			sxf := cxf[i] - mu[i]*muF[i]
			out[i] = (sxf + c) / (math.Sqrt(math.Abs(sx*sf)) + c)
		}
		return out
	}
	r1, r2, r3 := ratio(a, m1), ratio(b, m2), ratio(mx, m3)
	total, n3 := 0.0, 0
	for i := range r1 {
		total += matlabMax(r1[i], matlabMax(r2[i], r3[i]))
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
	pcs := phaseCong([][]float64{s.src[0], s.src[1], s.fus}, w, h, newLowpass)
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
