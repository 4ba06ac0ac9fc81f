package metrics

import (
	"math"
	"sync"
)

// Chen-Varshney metric as Zheng Liu's metricChen.m computes it (VIFB's and
// MEFB's metricsQcv.m wrap a copy): normalize1 of the three images, Sobel
// magnitudes, local saliency lambda = sum(G^alpha) over 16x16 blocks with
// alpha = 5, the source-minus-fused differences filtered with the
// Mannos-Sakrison CSF on freqspace frequencies scaled by (N/8, M/8), their
// mean square per block, and Q = sum(l1 D1 + l2 D2) / sum(l1 + l2). Blocks
// follow MATLAB's blkproc: the image is padded with zeros at the bottom and
// right to a whole number of blocks, and a block's mean divides by 256.
// Lower values are better.

const (
	cvBlock = 16 // windowSize
	cvAlpha = 5  // alpha
)

var (
	cvMu    sync.Mutex
	cvCache = map[[2]int][]float64{}
)

// cvCSF returns ifftshift of the Mannos-Sakrison filter
// theta_m = 2.6 (0.0192 + 0.144 r) exp(-(0.144 r)^1.1) for an h x w image,
// r = sqrt(u^2 + v^2) on freqspace([h w],'meshgrid') scaled by (w/8, h/8).
func cvCSF(w, h int) []float64 {
	cvMu.Lock()
	defer cvMu.Unlock()
	if sd := cvCache[[2]int{w, h}]; sd != nil {
		return sd
	}
	fu := cbFreq(w, float64(w)/8)
	fv := cbFreq(h, float64(h)/8)
	sd := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r := math.Sqrt(fu[x]*fu[x] + fv[y]*fv[y])
			sd[y*w+x] = 2.6 * (0.0192 + 0.144*r) * math.Exp(-math.Pow(0.144*r, 1.1))
		}
	}
	if len(cvCache) > 64 {
		clear(cvCache)
	}
	cvCache[[2]int{w, h}] = sd
	return sd
}

// blockSums returns, for each 16x16 block of blkproc's zero-padded tiling
// of the h x w plane, the sum of g(x) over its samples (padding adds
// g(0) = 0 for the functions used here).
func blockSums(x []float64, w, h int, g func(float64) float64) []float64 {
	bw, bh := (w+cvBlock-1)/cvBlock, (h+cvBlock-1)/cvBlock
	out := make([]float64, bw*bh)
	for y := 0; y < h; y++ {
		row := out[(y/cvBlock)*bw:]
		for xx, v := range x[y*w : (y+1)*w] {
			row[xx/cvBlock] += g(v)
		}
	}
	return out
}

// qCV computes metricChen.m on one channel (a, b sources, f fused).
func qCV(a, b, f []float64, w, h int) (float64, error) {
	ar := &arena{} // the w x h temporaries come from the pool
	defer ar.release()
	var n [3][]float64
	for i, x := range [][]float64{a, b, f} {
		var err error
		if n[i], err = normalize1Into(ar, x); err != nil {
			return 0, err
		}
	}
	// G.^alpha for alpha = 5 by multiplication: within an ulp or two of
	// math.Pow (and of Octave's pow), at a fraction of its cost.
	pow5 := func(v float64) float64 { v2 := v * v; return v2 * v2 * v }
	var lambda [2][]float64
	for i := 0; i < 2; i++ {
		gx, gy := sobel(ar, n[i], w, h)
		for k := range gx {
			gx[k] = math.Sqrt(gx[k]*gx[k] + gy[k]*gy[k])
		}
		lambda[i] = blockSums(gx, w, h, pow5)
	}
	d1 := ar.floats(w * h)
	d2 := ar.floats(w * h)
	for k := range d1 {
		d1[k] = n[0][k] - n[2][k]
		d2[k] = n[1][k] - n[2][k]
	}
	df1, df2 := csfFilter(ar, d1, d2, w, h, cvCSF(w, h))
	sq := func(v float64) float64 { return v * v }
	D1, D2 := blockSums(df1, w, h, sq), blockSums(df2, w, h, sq)
	num, den := 0.0, 0.0
	for k := range D1 {
		num += lambda[0][k]*(D1[k]/(cvBlock*cvBlock)) + lambda[1][k]*(D2[k]/(cvBlock*cvBlock))
		den += lambda[0][k] + lambda[1][k]
	}
	if den == 0 {
		return 0, errf("both sources have zero Sobel gradient everywhere (0/0 in the reference)")
	}
	return num / den, nil
}
