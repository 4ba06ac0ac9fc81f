package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// stdDev is SD: the population standard deviation (divisor M*N) of the
// fused image.
func stdDev(s *scene) (float64, error) {
	mu := mean2(s.fus)
	acc := 0.0
	for _, v := range s.fus {
		acc += (v - mu) * (v - mu)
	}
	return math.Sqrt(acc / float64(len(s.fus))), nil
}

// psnr is 10 log10(255^2 / MSE(F, R)) against the reference; identical
// images (infinite PSNR) are ErrDegenerate.
func psnr(s *scene) (float64, error) {
	acc := 0.0
	for i, v := range s.fus {
		d := v - s.ref[i]
		acc += d * d
	}
	if acc == 0 {
		return 0, errf("fused image equals the reference (PSNR is infinite)")
	}
	return 10 * math.Log10(255*255/(acc/float64(len(s.fus)))), nil
}

// corr2 is MATLAB's corr2: the Pearson correlation of two images.
func corr2(x, y []float64) (float64, error) {
	mx, my := mean2(x), mean2(y)
	sxy, sxx, syy := 0.0, 0.0, 0.0
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, errf("correlation with a constant image")
	}
	return sxy / math.Sqrt(sxx*syy), nil
}

// scd is the sum of the correlations of differences (Aslantas &
// Bavirlisen 2015): corr2(F - B, A) + corr2(F - A, B). It is defined for
// exactly two sources.
func scd(s *scene) (float64, error) {
	if err := s.need2(); err != nil {
		return 0, err
	}
	a, b, f := s.src[0], s.src[1], s.fus
	d1 := make([]float64, len(f))
	d2 := make([]float64, len(f))
	for i := range f {
		d1[i] = f[i] - b[i]
		d2[i] = f[i] - a[i]
	}
	r1, err := corr2(d1, a)
	if err != nil {
		return 0, fmt.Errorf("corr(F-B, A): %w", err)
	}
	r2, err := corr2(d2, b)
	if err != nil {
		return 0, fmt.Errorf("corr(F-A, B): %w", err)
	}
	return r1 + r2, nil
}

// vifp is the multi-scale pixel-domain VIF of Sheikh & Bovik (IEEE TIP
// 15(2) 2006, the vifp_mscale.m formulation): 4 scales with Gaussian
// windows of size 2^(5-s)+1 and sigma size/5, dyadic down-sampling after
// 'valid' filtering, noise variance 2, and the 1e-10 guards of that code.
// ref is the reference signal and dist the distorted one.
func vifp(ref, dist []float64, w, h int) (float64, error) {
	num, den := 0.0, 0.0
	err := vifScales([][]float64{ref}, dist, w, h, 2, func(_ int, _, n, d []float64) {
		for i := range n {
			num += n[i]
			den += d[i]
		}
	})
	if err != nil {
		return 0, err
	}
	if den == 0 {
		return 0, errVIFFlat
	}
	return num / den, nil
}

// vifScales runs the four scales of vifp_mscale.m on each reference in
// refs against dist with noise variance sigmaN (dist's pyramid and
// statistics are computed once) and passes visit, for each scale and then
// each reference r, the per-window gain g (after the reference code's
// guards) and the log terms log10(1 + g^2 s1/(sv + sigmaN)) and
// log10(1 + s1/sigmaN) of the numerator and denominator.
func vifScales(refs [][]float64, dist []float64, w, h int, sigmaN float64, visit func(r int, g, num, den []float64)) error {
	refs = append([][]float64(nil), refs...)
	for scale := 1; scale <= 4; scale++ {
		n := 1<<(5-scale) + 1
		k := data.GaussianKernel(float64(n)/5, n) // fspecial('gaussian', n, n/5); n is odd
		if scale > 1 {
			if w < n || h < n {
				return errf("image too small for VIF scale %d", scale)
			}
			ow, oh := w-n+1, h-n+1
			for i, ref := range refs {
				refs[i], _, _ = downsample2(corrValid(ref, w, h, k), ow, oh)
			}
			dist, w, h = downsample2(corrValid(dist, w, h, k), ow, oh)
		}
		if w < n || h < n {
			return errf("image too small for VIF scale %d", scale)
		}
		prod := func(a, b []float64) []float64 {
			p := make([]float64, len(a))
			for i := range a {
				p[i] = a[i] * b[i]
			}
			return corrValid(p, w, h, k)
		}
		mu2, e22 := corrValid(dist, w, h, k), prod(dist, dist)
		for r, ref := range refs {
			mu1 := corrValid(ref, w, h, k)
			e11, e12 := prod(ref, ref), prod(ref, dist)
			gs, nums, dens := make([]float64, len(mu1)), make([]float64, len(mu1)), make([]float64, len(mu1))
			for i := range mu1 {
				s1 := math.Max(e11[i]-mu1[i]*mu1[i], 0)
				s2 := math.Max(e22[i]-mu2[i]*mu2[i], 0)
				s12 := e12[i] - mu1[i]*mu2[i]
				g := s12 / (s1 + 1e-10)
				sv := s2 - g*s12
				if s1 < 1e-10 {
					g, sv, s1 = 0, s2, 0
				}
				if s2 < 1e-10 {
					g, sv = 0, 0
				}
				if g < 0 {
					sv, g = s2, 0
				}
				if sv <= 1e-10 {
					sv = 1e-10
				}
				gs[i] = g
				nums[i] = math.Log10(1 + g*g*s1/(sv+sigmaN))
				dens[i] = math.Log10(1 + s1/sigmaN)
			}
			visit(r, gs, nums, dens)
		}
	}
	return nil
}

// errVIFFlat is vifp's error for a reference without local variance at
// any scale (0/0).
var errVIFFlat = errf("reference image has no local variance at any scale")

// downsample2 keeps every other row and column starting with the first
// (MATLAB x(1:2:end,1:2:end)).
func downsample2(x []float64, w, h int) ([]float64, int, int) {
	ow, oh := (w+1)/2, (h+1)/2
	out := make([]float64, 0, ow*oh)
	for y := 0; y < h; y += 2 {
		for xx := 0; xx < w; xx += 2 {
			out = append(out, x[y*w+xx])
		}
	}
	return out, ow, oh
}

// vifFusion is the fusion VIF used by IVIF/MFIF evaluation scripts: the sum
// over sources of VIFP(source as reference, fused as distorted).
func vifFusion(s *scene) (float64, error) {
	acc := 0.0
	for i, src := range s.src {
		v, err := vifp(src, s.fus, s.w, s.h)
		if err != nil {
			return 0, fmt.Errorf("source %d: %w", i+1, err)
		}
		acc += v
	}
	return acc, nil
}

func init() {
	register(Metric{
		Name:        "SD",
		Description: "standard deviation of the fused image (divisor M*N)",
		Citation:    "Rao, Meas. Sci. Technol. 8(4) 1997",
		Better:      HigherIsBetter,
	}, stdDev)
	register(Metric{
		Name:           "PSNR",
		Description:    "peak signal-to-noise ratio of the fused image against the ground truth (dB, peak 255)",
		Citation:       "standard; e.g. Zhang et al., Inf. Fusion 2021 (MFIF benchmark)",
		Better:         HigherIsBetter,
		NeedsReference: true,
	}, psnr)
	register(Metric{
		Name:        "SCD",
		Description: "sum of the correlations of differences corr(F-B,A) + corr(F-A,B)",
		Citation:    "Aslantas & Bavirlisen, AEU Int. J. Electron. Commun. 69(12) 2015",
		Better:      HigherIsBetter,
	}, scd)
	register(Metric{
		Name:        "VIF",
		Description: "sum over sources of multi-scale pixel-domain VIF (VIFP, 4 scales), source as reference",
		Citation:    "Sheikh & Bovik, IEEE TIP 15(2) 2006 (pixel-domain vifp_mscale); summed over sources as in IVIF evaluation scripts",
		Better:      HigherIsBetter,
	}, vifFusion)
}
