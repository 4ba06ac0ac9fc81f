package metrics

// mefbQp is MEFB's metricsQp.m: Zheng Liu's metricZhao.m with its copy of
// myphasecong3.m (the older lowpass filter, as in the zhengliu suite's Q_P)
// per channel of the uint8 images, each channel taken as double. When the
// fused image is gray, the local Qp converts colour sources with
// rgb2gray(double(img)), unrounded.
func mefbQp(t *tkImages) (float64, error) {
	return t.perChannel(tkGrayDouble, func(a, b, f []float64) (float64, error) {
		return onScene(t.w, t.h, zlZhao, a, b, f)
	})
}
