package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// The mefb suite reproduces the evaluation of MEFB (Zhang, Inf. Fusion
// 74 2021), github.com/xingchenzhang/MEFB at commit
// 9e185bf88de280b12a2d9a2ff12d66e40bc1ff91: the twenty metrics of
// util/configMetrics.m in its order, each as metrics/metrics<Name>.m
// computes it from the uint8 images compute_metrics.m reads (img1 and img2
// the two exposures). Test vectors: testdata/suites/mefb/README.md.
//
// MEFB's wrappers share VIFB's per-channel scheme (suite_vifb_colour.go)
// with one addition: when both sources are gray and the fused image is
// colour, the fused image is replaced by its first (red) channel, except in
// Avg_gradient, which takes rgb2gray of it.

func init() {
	RegisterSuite(Suite{
		Name:    "mefb",
		Toolkit: "github.com/xingchenzhang/MEFB metrics/metrics<Name>.m, list util/configMetrics.m (commit 9e185bf8)",
		Colour:  "uint8 images; per RGB channel and the mean over channels; gray sources with a colour fused image use its red channel (Avg_gradient: rgb2gray); one colour and one gray source with a colour fused image fail as in the toolkit (all but Avg_gradient and Edge_intensity); MEF_SSIM on rgb2gray of colour images only",
		Metrics: []Metric{
			{Name: "Cross_entropy", Better: LowerIsBetter,
				Description: "mean of the cross entropies (bits) of the fused histogram against each source's",
				Citation:    "Bulanon, Burks, Alchanatis, Biosyst. Eng. 103(1) 2009; MEFB metricsCross_entropy.m",
				Compute:     mefbMetric(tkCrossEntropy)},
			{Name: "Entropy", Better: HigherIsBetter,
				Description: "Shannon entropy (bits) of the fused image's 256-bin histogram",
				Citation:    "van Aardt, J. Appl. Remote Sens. 2(1) 2008; MEFB metricsEntropy.m",
				Compute:     mefbMetric(tkEntropy)},
			{Name: "NMI", Better: HigherIsBetter,
				Description: "2[MI(A,F)/(H(A)+H(F)) + MI(B,F)/(H(B)+H(F))] on normalize1'd images (bits)",
				Citation:    "Hossny et al., Electron. Lett. 44(18) 2008; MEFB metricsNMI.m (Zheng Liu's metricMI(.,1))",
				Compute:     mefbMetric(mefbNMI)},
			{Name: "Psnr", Better: HigherIsBetter,
				Description: "20 log10(255 / sqrt(mean of the two 'mse' = sqrt(SSE)/(MN)))",
				Citation:    "Jagalingam & Hegde, Aquatic Procedia 4 2015; MEFB metricsPsnr.m",
				Compute:     mefbMetric(tkPsnr)},
			{Name: "Qncie", Better: HigherIsBetter,
				Description: "nonlinear correlation information entropy from the 3x3 NCC matrix's eigenvalues",
				Citation:    "Wang, Shen, Zhang, Physica D 200 2005; MEFB metricsQncie.m (Zheng Liu's metricWang.m)",
				Compute:     mefbMetric(mefbQncie)},
			{Name: "TE", Better: HigherIsBetter,
				Description: "Tsallis mutual information I_q(A,F) + I_q(B,F), q = 1.85, on normalize1'd images",
				Citation:    "Cvejic, Canagarajah, Bull, Electron. Lett. 42(11) 2006; MEFB metricsTE.m (Zheng Liu's metricMI(.,2))",
				Compute:     mefbMetric(mefbTE)},
			{Name: "Avg_gradient", Better: HigherIsBetter,
				Description: "sum of sqrt((dx^2+dy^2)/2) over MATLAB gradient() (central differences) / ((M-1)(N-1))",
				Citation:    "Cui et al., Opt. Commun. 341 2015; MEFB metricsAvg_gradient.m",
				Compute:     tkMetric(mefbAvgGradient)},
			{Name: "Edge_intensity", Better: HigherIsBetter,
				Description: "mean Sobel magnitude of the fused image (imfilter, replicated border)",
				Citation:    "Rajalingam & Priya, IJESI 2018; MEFB metricsEdge_intensity.m",
				Compute:     mefbFusedOnly(tkEdgeIntensity)},
			{Name: "Qabf", Better: HigherIsBetter,
				Description: "Xydeas-Petrovic Q^{AB/F} (Qabf.m) on 255 x the 0..255 values",
				Citation:    "Xydeas & Petrovic, Electron. Lett. 36(4) 2000; MEFB metricsQabf.m",
				Compute:     mefbMetric(tkQabf)},
			{Name: "Qp", Better: HigherIsBetter,
				Description: "Zhao's phase-congruency metric (metricZhao with myphasecong3) per channel: product of the masked correlations of PC, M and m",
				Citation:    "Zhao, Laganiere, Liu, IJICIC 3(6A) 2007; MEFB metricsQp.m (Zheng Liu's metricZhao.m)",
				Compute:     mefbMetric(mefbQp)},
			{Name: "SD", Better: HigherIsBetter,
				Description: "population standard deviation of the fused image",
				Citation:    "Rao, Meas. Sci. Technol. 8(4) 1997; MEFB metricsSD.m",
				Compute:     mefbMetric(tkSD)},
			{Name: "Spatial_frequency", Better: HigherIsBetter,
				Description: "sqrt(RF^2 + CF^2) of each channel of the fused image, averaged",
				Citation:    "Eskicioglu & Fisher, IEEE Trans. Commun. 43(12) 1995; MEFB metricsSpatial_frequency.m",
				Compute:     mefbMetric(mefbSpatialFrequency)},
			{Name: "Qc", Better: HigherIsBetter,
				Description: "Cvejic's metric: SSIM maps weighted by the covariances with F (7x7 Gaussian, C = 2e-16), NaN pixels dropped",
				Citation:    "Cvejic, Loza, Bull, Canagarajah, Int. J. Signal Process. 2(3) 2005; MEFB metricsQc.m",
				Compute:     mefbMetric(mefbQc)},
			{Name: "Qw", Better: HigherIsBetter,
				Description: "Piella's weighted index on the Prewitt edge images only (the edge factor of Q_E, alpha = 1)",
				Citation:    "Piella & Heijmans, ICIP 2003; MEFB metricsQw.m (metricPeilla with sw = 3, returning Qe)",
				Compute:     mefbMetric(mefbQw)},
			{Name: "Qy", Better: HigherIsBetter,
				Description: "Yang's SSIM-based metric (7x7 Gaussian, C = 2e-16, threshold 0.75), NaN pixels dropped",
				Citation:    "Yang, Zhang, Wang, Li, Inf. Fusion 9(2) 2008; MEFB metricsQy.m",
				Compute:     mefbMetric(mefbQy)},
			{Name: "MEF_SSIM", Better: HigherIsBetter,
				Description: "multi-exposure fusion SSIM, 3 scales (mef_ms_ssim.m) on rgb2gray of colour images",
				Citation:    "Ma, Zeng, Wang, IEEE TIP 24(11) 2015; MEFB metricsMEF_SSIM.m",
				Compute:     tkMetric(mefbMEFSSIM)},
			{Name: "Qcb", Better: HigherIsBetter,
				Description: "Chen-Blum metric (Zheng Liu's metricChenBlum.m) per channel of im2double(uint8)",
				Citation:    "Chen & Blum, Image Vis. Comput. 27(10) 2009; MEFB metricsQcb.m",
				Compute:     mefbMetric(mefbQcb)},
			{Name: "Qcv", Better: LowerIsBetter,
				Description: "Chen-Varshney metric (Zheng Liu's metricChen.m) per channel",
				Citation:    "Chen & Varshney, Inf. Fusion 8(2) 2007; MEFB metricsQcv.m",
				Compute:     mefbMetric(tkQcv)},
			{Name: "VIF", Better: HigherIsBetter,
				Description: "fusion VIF of Han et al.: per scale the source with the smaller gain, noise 0.005*255^2, scale weights [1 0 0.15 1]/2.15",
				Citation:    "Han, Cai, Cao, Xu, Inf. Fusion 14(2) 2013; MEFB metricsVIF.m",
				Compute:     mefbMetric(mefbVIF)},
		},
	})
}

// mefbOmitted lists the MEFB metrics this suite leaves out, with the
// reason (see also testdata/suites/mefb/README.md).
var mefbOmitted = map[string]string{
	"FMI": "metricsFMI.m's default feature is edge(double image 0..255): Octave's edge rejects such input " +
		"(\"IM must be a grayscale image\"), and MATLAB's edge (Sobel threshold and thinning) differs from Octave's, " +
		"so there is no toolkit value to match under Octave",
}

// mefbMetric wraps a per-channel metric with MEFB's rules for a colour fused
// image: with two gray sources the fused image's first channel is used;
// with one colour and one gray source the toolkit fails. Its wrappers test
// img1's channel count (where VIFB's test img2's) and then index
// img1(:,:,k) or img2(:,:,k), which is out of bounds for k = 2 on the gray
// one, so no value exists (ErrUnsupported).
func mefbMetric(f func(t *tkImages) (float64, error)) func(Inputs) (float64, error) {
	return mefbFusedOnly(func(t *tkImages) (float64, error) {
		if t.f.C() == 3 && t.a.C() != t.b.C() {
			return 0, fmt.Errorf("%w: the fused image is colour and only one source is (MEFB's wrapper indexes channel 2 of the gray source and fails)", ErrUnsupported)
		}
		return f(t)
	})
}

// mefbFusedOnly is mefbMetric for a wrapper that reads only the fused
// image (metricsEdge_intensity.m): the red channel of a colour fused image
// with two gray sources, and no per-channel indexing of the sources, so
// mixed sources give a value.
func mefbFusedOnly(f func(t *tkImages) (float64, error)) func(Inputs) (float64, error) {
	return tkMetric(func(t *tkImages) (float64, error) {
		if t.a.C() == 1 && t.b.C() == 1 && t.f.C() == 3 {
			c := *t
			c.f = &data.Image{W: t.w, H: t.h, Depth: 8, Planes: t.f.Planes[:1]}
			t = &c
		}
		return f(t)
	})
}

// mefbAvgGradient is MEFB's metricsAvg_gradient.m: VIFB's, except that gray
// sources with a colour fused image use rgb2gray(double(fused)), unrounded.
func mefbAvgGradient(t *tkImages) (float64, error) {
	if t.a.C() == 1 && t.b.C() == 1 && t.f.C() == 3 {
		g, err := t.gray(t.f, "fused image", tkGrayDouble)
		if err != nil {
			return 0, err
		}
		c := *t
		c.f = &data.Image{W: t.w, H: t.h, Planes: [][]float64{g}}
		t = &c
	}
	return tkAvgGradient(t)
}

// mefbNMI is metricsNMI.m: Zheng Liu's metricMI(.,1) (Q_NMI of this
// package) per channel.
func mefbNMI(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayNone, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, qNMI, a, b, f)
	})
}

// mefbTE is metricsTE.m: Zheng Liu's metricMI(.,2), Cvejic's Tsallis MI with
// q = 1.85 (Q_TE_cvejic of this package), per channel.
func mefbTE(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayNone, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, qTECvejic, a, b, f)
	})
}

// mefbSpatialFrequency is MEFB's metricsSpatial_frequency.m: unlike VIFB's,
// it goes through the per-channel wrapper, so a colour image gives the
// mean of the three channels' spatial frequencies.
func mefbSpatialFrequency(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		return sfOf(f, t.w, t.h), nil
	})
}

// im2double is MATLAB's im2double of uint8 data: x/255.
func im2double(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v / 255
	}
	return out
}

// mefbQcb is MEFB's metricsQcb.m: metricChenBlum.m per channel, but on
// im2double of the uint8 channels (VIFB passes doubles, which im2double
// leaves alone); normalize1 then stretches x/255, which can round a sample
// differently from the 0..255 data.
func mefbQcb(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayNone, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, qCB, im2double(a), im2double(b), im2double(f))
	})
}

// ncieNCC is metricsQncie.m's NCC(x, y): the mutual information of two
// normalize1'd images in units of log2(256) bits, from the 256x256 joint
// histogram.
func ncieNCC(x, y []float64) float64 {
	hx, hy, hxy := newJointLevels(x, y).entropies()
	return hx/8 + hy/8 - hxy/8
}

// mefbQncie is metricsQncie.m (Zheng Liu's metricWang.m) per channel.
func mefbQncie(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayNone, qNCIE)
}

// qNCIE is Zheng Liu's metricWang.m (Q_NCIE) on one plane of each image:
// with R the 3x3 matrix of the NCC values of normalize1'd (A, B, F) and r
// its eigenvalues, 1 - H_R where H_R = -sum(r/3 log2(r/3)) / log2(256).
func qNCIE(a, b, f []float64) (float64, error) {
	var n [3][]float64
	for i, x := range [][]float64{a, b, f} {
		var err error
		if n[i], err = normalize1(x); err != nil {
			return 0, err
		}
	}
	xy, xf, yf := ncieNCC(n[0], n[1]), ncieNCC(n[0], n[2]), ncieNCC(n[1], n[2])
	r := sym3Eigen([3][3]float64{{1, xy, xf}, {xy, 1, yf}, {xf, yf, 1}})
	hr := 0.0
	for _, v := range r {
		hr += v * math.Log2(v/3) / 3
	}
	hr = -hr / 8
	return 1 - hr, nil
}

// sym3Eigen returns the eigenvalues of a symmetric 3x3 matrix by cyclic
// Jacobi rotations (converged to rounding).
func sym3Eigen(a [3][3]float64) [3]float64 {
	for sweep := 0; sweep < 50; sweep++ {
		off := a[0][1]*a[0][1] + a[0][2]*a[0][2] + a[1][2]*a[1][2]
		if off == 0 {
			break
		}
		for p := 0; p < 2; p++ {
			for q := p + 1; q < 3; q++ {
				if a[p][q] == 0 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				tt := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(tt*tt+1)
				s := tt * c
				for k := 0; k < 3; k++ { // columns p, q
					akp, akq := a[k][p], a[k][q]
					a[k][p], a[k][q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := 0; k < 3; k++ { // rows p, q
					apk, aqk := a[p][k], a[q][k]
					a[p][k], a[q][k] = c*apk-s*aqk, s*apk+c*aqk
				}
				a[p][q], a[q][p] = 0, 0
			}
		}
	}
	return [3]float64{a[0][0], a[1][1], a[2][2]}
}

// mefbVIF is metricsVIF.m (Han et al.'s fusion VIF) per channel: the VIF
// terms of each source against the fused image (vifScales, noise variance
// 0.005*255^2); at each scale and pixel the source with the smaller gain g
// supplies both terms; F(s) = sum(num + C)/sum(den + C) with C = 1e-7;
// the result is sum(F .* [1 0 0.15 1]) / 2.15.
func mefbVIF(t *tkImages) (float64, error) {
	if t.f.C() == 1 && (t.a.C() == 3 || t.b.C() == 3) {
		// metricsVIF.m converts colour inputs with makecform('srgb2lab')
		// (Image Processing Toolbox; Octave has none): not reproduced.
		return 0, fmt.Errorf("%w: a gray fused image with colour sources takes MEFB's VIF through srgb2lab, which is not reproduced", ErrUnsupported)
	}
	const sq, c = 0.005 * 255 * 255, 1e-7
	p := [4]float64{1 / 2.15, 0 / 2.15, 0.15 / 2.15, 1 / 2.15}
	return t.perChannel(tkGrayNone, func(a, b, f []float64) (float64, error) {
		out, scale := 0.0, -1
		var g0, num0, den0 []float64
		err := vifScales([][]float64{a, b}, f, t.w, t.h, sq, func(r int, g, num, den []float64) {
			if r == 0 {
				scale++
				g0, num0, den0 = g, num, den
				return
			}
			vid, vind := 0.0, 0.0
			for i := range g {
				z, m := num[i], den[i]
				if g0[i] < g[i] {
					z, m = num0[i], den0[i]
				}
				vid += z + c
				vind += m + c
			}
			out += vid / vind * p[scale]
		})
		if err != nil {
			return 0, err
		}
		return out, nil
	})
}
