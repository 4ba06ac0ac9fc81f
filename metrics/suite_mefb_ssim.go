package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// SSIM-based metrics of MEFB: Qc (Cvejic), Qy (Yang), Qw (Piella's edge
// factor) and MEF_SSIM (Ma et al.).

// meanNotNaN is mean2(A(~isnan(A))); an all-NaN map is ErrDegenerate.
func meanNotNaN(acc float64, n int, what string) (float64, error) {
	if n == 0 {
		return 0, errf("%s: every pixel is NaN (0/0)", what)
	}
	return acc / float64(n), nil
}

// mefbQc is metricsQc.m per channel: with SSIM maps m_A = SSIM(A,F) and
// m_B = SSIM(B,F) and the local covariances s_AF, s_BF (ssim_yang), the
// weight w = s_AF/(s_AF + s_BF) gives w m_A + (1-w) m_B, set to 0 where
// w < 0 and to 1 where w > 1; NaN pixels (0/0 weights) are dropped from
// the mean.
func mefbQc(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		ym := newYangMoments(t.w, t.h)
		mA, _, _, cAF, err := ym.ssim(a, f)
		if err != nil {
			return 0, err
		}
		mB, _, _, cBF, _ := ym.ssim(b, f)
		{
			acc, n := 0.0, 0
			for i := range mA {
				w := cAF[i] / (cAF[i] + cBF[i])
				v := w*mA[i] + (1-w)*mB[i]
				if w < 0 {
					v = 0
				}
				if w > 1 {
					v = 1
				}
				if !math.IsNaN(v) {
					acc += v
					n++
				}
			}
			return meanNotNaN(acc, n, "Qc")
		}
	})
}

// nanMax is MATLAB's max of two values, which ignores a NaN.
func nanMax(x, y float64) float64 {
	switch {
	case math.IsNaN(x):
		return y
	case math.IsNaN(y):
		return x
	}
	return math.Max(x, y)
}

// mefbQy is metricsQy.m per channel: where SSIM(A,B) >= 0.75 the
// variance-weighted mean of SSIM(A,F) and SSIM(B,F) (weight
// s_A/(s_A+s_B)), elsewhere their maximum; computed as MATLAB's
// Q1.*bin + Q2.*~bin, so a 0/0 weight makes the pixel NaN on either side,
// and NaN pixels are dropped from the mean.
func mefbQy(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		ym := newYangMoments(t.w, t.h)
		mAB, vA, vB, _, err := ym.ssim(a, b)
		if err != nil {
			return 0, err
		}
		mA, _, _, _, _ := ym.ssim(a, f)
		mB, _, _, _, _ := ym.ssim(b, f)
		{
			acc, n := 0.0, 0
			for i := range mAB {
				bin := 0.0
				if mAB[i] >= 0.75 {
					bin = 1
				}
				r := vA[i] / (vA[i] + vB[i])
				v := (r*mA[i]+(1-r)*mB[i])*bin + nanMax(mA[i], mB[i])*(1-bin)
				if !math.IsNaN(v) {
					acc += v
					n++
				}
			}
			return meanNotNaN(acc, n, "Qy")
		}
	})
}

// mefbQw is metricsQw.m per channel: metricPeilla with sw = 3, but it
// returns only the edge factor Qe = Q_W of the Prewitt edge-magnitude
// images (SSIM windows, alpha = 1), not Q_W(images) * Qe.
func mefbQw(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, func(s *scene) (float64, error) {
			es, ef := s.edges()
			q, cw, err := s.piellaMaps(gaussWindow, es, ef)
			if err != nil {
				return 0, err
			}
			return weightedMean(q, cw)
		}, a, b, f)
	})
}

// mefbMEFSSIM is metricsMEF_SSIM.m: mef_ms_ssim (3 scales, weights
// [0.0448 0.2856 0.3001] normalised, K = 0.03, Gaussian 11x11 sigma 1.5)
// on rgb2gray of the two uint8 sources and of the uint8 fused image. The
// wrapper calls rgb2gray on every image, which fails for gray ones.
func mefbMEFSSIM(t *tkImages) (float64, error) {
	if t.a.C() != 3 || t.b.C() != 3 || t.f.C() != 3 {
		return 0, fmt.Errorf("%w: MEFB's MEF_SSIM calls rgb2gray on every image and fails on gray ones", ErrUnsupported)
	}
	var g [3][]float64
	for i, m := range []*data.Image{t.a, t.b, t.f} {
		var err error
		if g[i], err = t.gray(m, fmt.Sprintf("image %d", i+1), tkGrayUint8); err != nil {
			return 0, err
		}
	}
	return mefMSSSIM([][]float64{g[0], g[1]}, g[2], t.w, t.h)
}
