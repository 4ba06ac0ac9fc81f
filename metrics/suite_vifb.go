package metrics

import (
	"fmt"
	"math"
)

// The vifb suite reproduces the evaluation of VIFB (Zhang, Ye, Xiao,
// CVPRW 2020), github.com/xingchenzhang/VIFB at commit
// 22b2ea9d91499cc5962d9bdcae9c290270f0fade: the thirteen metrics of
// util/configMetrics.m in its order, each as metrics/metrics<Name>.m
// computes it from the uint8 images compute_metrics.m reads (img1 the
// visible image, img2 the infrared one). Test vectors:
// testdata/suites/vifb/README.md.

func init() {
	RegisterSuite(Suite{
		Name:    "vifb",
		Toolkit: "github.com/xingchenzhang/VIFB metrics/metrics<Name>.m, list util/configMetrics.m (commit 22b2ea9d)",
		Colour:  "uint8 images; per RGB channel and the mean over channels (a gray infrared image serves every channel), except Spatial_frequency (one H x 3W plane) and Edge_intensity (mean over all channels' pixels)",
		Metrics: []Metric{
			{Name: "Cross_entropy", Better: LowerIsBetter,
				Description: "mean of the cross entropies (bits) of the fused histogram against each source's",
				Citation:    "Bulanon, Burks, Alchanatis, Biosyst. Eng. 103(1) 2009; VIFB metricsCross_entropy.m",
				Compute:     tkMetric(tkCrossEntropy)},
			{Name: "Entropy", Better: HigherIsBetter,
				Description: "Shannon entropy (bits) of the fused image's 256-bin histogram",
				Citation:    "van Aardt, J. Appl. Remote Sens. 2(1) 2008; VIFB metricsEntropy.m",
				Compute:     tkMetric(tkEntropy)},
			{Name: "Mutinf", Better: HigherIsBetter,
				Description: "MI(A,F) + MI(B,F) in nats, each image min-max stretched to 0..255 first",
				Citation:    "Qu, Zhang, Yan, Electron. Lett. 38(7) 2002; VIFB metricsMutinf.m",
				Compute:     tkMetric(vifbMutinf)},
			{Name: "Psnr", Better: HigherIsBetter,
				Description: "20 log10(255 / sqrt(mean of the two 'mse' = sqrt(SSE)/(MN)))",
				Citation:    "Jagalingam & Hegde, Aquatic Procedia 4 2015; VIFB metricsPsnr.m",
				Compute:     tkMetric(tkPsnr)},
			{Name: "Avg_gradient", Better: HigherIsBetter,
				Description: "sum of sqrt((dx^2+dy^2)/2) over MATLAB gradient() (central differences) / ((M-1)(N-1))",
				Citation:    "Cui et al., Opt. Commun. 341 2015; VIFB metricsAvg_gradient.m",
				Compute:     tkMetric(tkAvgGradient)},
			{Name: "Edge_intensity", Better: HigherIsBetter,
				Description: "mean Sobel magnitude of the fused image (imfilter, replicated border)",
				Citation:    "Rajalingam & Priya, IJESI 2018; VIFB metricsEdge_intensity.m",
				Compute:     tkMetric(tkEdgeIntensity)},
			{Name: "Qabf", Better: HigherIsBetter,
				Description: "Xydeas-Petrovic Q^{AB/F} (Qabf.m) on 255 x the 0..255 values",
				Citation:    "Xydeas & Petrovic, Electron. Lett. 36(4) 2000; VIFB metricsQabf.m",
				Compute:     tkMetric(tkQabf)},
			{Name: "Variance", Better: HigherIsBetter,
				Description: "population standard deviation of the fused image (named Variance in VIFB)",
				Citation:    "Rao, Meas. Sci. Technol. 8(4) 1997; VIFB metricsVariance.m",
				Compute:     tkMetric(tkSD)},
			{Name: "Spatial_frequency", Better: HigherIsBetter,
				Description: "sqrt(RF^2 + CF^2) of the fused image; a colour image is one H x 3W plane",
				Citation:    "Eskicioglu & Fisher, IEEE Trans. Commun. 43(12) 1995; VIFB metricsSpatial_frequency.m",
				Compute:     tkMetric(tkSpatialFrequencyWide)},
			{Name: "Rmse", Better: LowerIsBetter,
				Description: "mean of the two 'mse' = sqrt(SSE)/(MN) of the fused image against each source",
				Citation:    "Jagalingam & Hegde, Aquatic Procedia 4 2015; VIFB metricsRmse.m",
				Compute:     tkMetric(vifbRmse)},
			{Name: "Ssim", Better: HigherIsBetter,
				Description: "SSIM(A,F) + SSIM(B,F), Gaussian 11x11 sigma 1.5 window, L = 255 (a sum, range up to 2)",
				Citation:    "Wang, Bovik, Sheikh, Simoncelli, IEEE TIP 13(4) 2004; VIFB metricsSsim.m",
				Compute:     tkMetric(vifbSsim)},
			{Name: "Qcb", Better: HigherIsBetter,
				Description: "Chen-Blum metric (Zheng Liu's metricChenBlum.m) per channel",
				Citation:    "Chen & Blum, Image Vis. Comput. 27(10) 2009; VIFB metricsQcb.m",
				Compute:     tkMetric(tkQcb)},
			{Name: "Qcv", Better: LowerIsBetter,
				Description: "Chen-Varshney metric (Zheng Liu's metricChen.m) per channel",
				Citation:    "Chen & Varshney, Inf. Fusion 8(2) 2007; VIFB metricsQcv.m",
				Compute:     tkMetric(tkQcv)},
		},
	})
}

// crossEntropy1 is VIFB's cross_entropy(img1, fused): the sum over grey
// levels k where both histograms are non-zero of P1(k) log2(P1(k)/P2(k)),
// samples being the integers 0..255.
func crossEntropy1(a, f []float64) float64 {
	var x1, x2 [256]float64
	for i := range a {
		x1[int(a[i])]++
		x2[int(f[i])]++
	}
	n := float64(len(a))
	res := 0.0
	for k := range x1 {
		p1, p2 := x1[k]/n, x2[k]/n
		if p1 != 0 && p2 != 0 {
			res = p1*math.Log2(p1/p2) + res
		}
	}
	return res
}

// tkCrossEntropy is metricsCross_entropy.m (VIFB and MEFB): the mean of the two cross
// entropies, per channel.
func tkCrossEntropy(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		return (crossEntropy1(a, f) + crossEntropy1(b, f)) / 2.0, nil
	})
}

// tkEntropy is metricsEntropy.m (VIFB and MEFB) per channel (EN of this package on the
// channel: the samples are integers, so floor and round agree).
func tkEntropy(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, entropyEN, a, b, f)
	})
}

// stretch255 is VIFB's mutinf normalisation: (x-min)/(max-min), times 255,
// rounded half away from zero (int16), the same arithmetic as normalize1;
// a constant image becomes all zeros.
func stretch255(x []float64) []float64 {
	lo, hi := minMax(x)
	if lo == hi {
		return make([]float64, len(x))
	}
	out := make([]float64, len(x))
	stretch(out, x, lo, hi-lo)
	return out
}

// miNats is VIFB's mutinf(a, b): the mutual information in nats of the two
// stretched images' 256x256 joint histogram.
func miNats(a, b []float64) float64 {
	mi, _, _ := newJointLevels(stretch255(a), stretch255(b)).mi()
	return mi * math.Ln2
}

// vifbMutinf is metricsMutinf.m: MI(A,F) + MI(B,F) in nats, per channel.
func vifbMutinf(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		return miNats(a, f) + miNats(b, f), nil
	})
}

// sqrtSSE is the toolkits' "mse": sqrt(sum((a-b).^2)) / (M N).
func sqrtSSE(a, b []float64) float64 {
	return math.Sqrt(sqDiffSum(a, b[:len(a)])) / float64(len(a))
}

// tkPsnr is metricsPsnr.m (VIFB and MEFB): 20 log10(255/sqrt(MES)) with MES the mean of
// the two sqrtSSE values, per channel.
func tkPsnr(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayDouble, func(a, b, f []float64) (float64, error) {
		mes := (sqrtSSE(a, f) + sqrtSSE(b, f)) / 2.0
		return 20 * math.Log10(255/math.Sqrt(mes)), nil
	})
}

// vifbRmse is metricsRmse.m: the mean of the two sqrtSSE values, per
// channel.
func vifbRmse(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayDouble, func(a, b, f []float64) (float64, error) {
		return (sqrtSSE(a, f) + sqrtSSE(b, f)) / 2.0, nil
	})
}

// tkAvgGradient is metricsAvg_gradient.m (VIFB and MEFB): per channel of
// the fused image, sum(sqrt((dzdx.^2 + dzdy.^2)/2)) / ((r-1)(c-1)) with
// MATLAB's gradient (central differences inside, one-sided at the
// borders); the mean over channels.
func tkAvgGradient(t *tkImages) (float64, error) {
	w, h := t.w, t.h
	if w < 2 || h < 2 {
		return 0, errf("Avg_gradient needs at least 2x2 pixels, got %dx%d", w, h)
	}
	acc := 0.0
	for _, f := range t.f.Planes {
		s := 0.0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				k := y*w + x
				dx, dy := gradAt(f, k, x, w, 1), gradAt(f, k, y, h, w)
				s += math.Sqrt((dx*dx + dy*dy) / 2)
			}
		}
		acc += s / float64((h-1)*(w-1))
	}
	return acc / float64(t.f.C()), nil
}

// gradAt is MATLAB's gradient along one axis at sample k of plane p, index
// i of n along that axis (stride apart): one-sided differences at the two
// ends, (p(i+1) - p(i-1))/2 inside.
func gradAt(p []float64, k, i, n, stride int) float64 {
	switch {
	case n == 1:
		return 0
	case i == 0:
		return p[k+stride] - p[k]
	case i == n-1:
		return p[k] - p[k-stride]
	}
	return (p[k+stride] - p[k-stride]) / 2
}

// tkEdgeIntensity is metricsEdge_intensity.m (VIFB and MEFB): with
// w = fspecial('sobel'), gx = imfilter(F, w, 'replicate') and
// gy = imfilter(F, w', 'replicate') (correlation, border samples
// repeated), the mean of sqrt(gx^2 + gy^2) over every pixel of every
// channel.
func tkEdgeIntensity(t *tkImages) (float64, error) {
	w, h := t.w, t.h
	clamp := func(i, n int) int { return min(max(i, 0), n-1) }
	acc := 0.0
	for _, f := range t.f.Planes {
		s := 0.0
		for y := 0; y < h; y++ {
			up, dn := clamp(y-1, h)*w, clamp(y+1, h)*w
			mid := y * w
			for x := 0; x < w; x++ {
				l, r := clamp(x-1, w), clamp(x+1, w)
				gx := (f[up+l] + 2*f[up+x] + f[up+r]) - (f[dn+l] + 2*f[dn+x] + f[dn+r])
				gy := (f[up+l] + 2*f[mid+l] + f[dn+l]) - (f[up+r] + 2*f[mid+r] + f[dn+r])
				s += math.Sqrt(gx*gx + gy*gy)
			}
		}
		acc += s / float64(w*h)
	}
	return acc / float64(t.f.C()), nil
}

// scaled255 returns 255*x in a pooled buffer (putFloats it): VIFB's Qabf
// computes 255*im2double(double(x)), and im2double leaves double data
// unchanged.
func scaled255(x []float64) []float64 {
	out := getFloats(len(x))
	scal(out, x, 255)
	return out
}

// tkQabf is metricsQabf.m (VIFB and MEFB): Qabf.m (Q_ABF_qabf of this package) per
// channel, on 255 times the 0..255 values. The scale matters only through
// Qabf.m's quirk G = gF where gA == gF.
func tkQabf(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayDouble, func(a, b, f []float64) (float64, error) {
		sa, sb, sf := scaled255(a), scaled255(b), scaled255(f)
		defer func() { putFloats(sa); putFloats(sb); putFloats(sf) }()
		return onScene(t.w, t.h, qABF, sa, sb, sf)
	})
}

// tkSD is metricsVariance.m (VIFB's Variance, MEFB's SD): the population standard deviation of
// each channel of the fused image, averaged.
func tkSD(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, stdDev, a, b, f)
	})
}

// tkSpatialFrequencyWide is VIFB's metricsSpatial_frequency.m:
// [m,n] = size(fused) of an M x N x 3 array gives n = 3N, so a colour image
// is treated as one M x 3N plane with its channels side by side (row
// differences cross the seams between channels).
func tkSpatialFrequencyWide(t *tkImages) (float64, error) {
	p, w := wide(t.f)
	return sfOf(p, w, t.h), nil
}

// vifbSsim is metricsSsim.m: SSIM(A,F) + SSIM(B,F) (ssim_index.m's
// Gaussian window and constants), per channel.
func vifbSsim(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayUint8, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, func(s *scene) (float64, error) {
			acc := 0.0
			for i := 0; i < 2; i++ {
				m, err := s.ssimMap(gaussWindow, s.src[i], s.fus)
				if err != nil {
					return 0, err
				}
				acc += mean2(m)
			}
			return acc, nil
		}, a, b, f)
	})
}

// tkQcb is VIFB's metricsQcb.m: Zheng Liu's metricChenBlum.m (Q_CB of this
// package) per channel (MEFB's differs: mefbQcb).
func tkQcb(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayNone, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, qCB, a, b, f)
	})
}

// tkQcv is metricsQcv.m (VIFB and MEFB): Zheng Liu's metricChen.m per
// channel.
func tkQcv(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayNone, func(a, b, f []float64) (float64, error) {
		v, err := qCV(a, b, f, t.w, t.h)
		if err != nil {
			return 0, fmt.Errorf("Qcv: %w", err)
		}
		return v, nil
	})
}
