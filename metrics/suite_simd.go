//go:build goexperiment.simd && amd64

package metrics

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		fmaAxpy = fmaAxpyAVX2
	}
}

// fmaAxpyAVX2 is fmaAxpyGo with 4-wide fused multiply-adds (each lane
// rounds once, as math.FMA does).
func fmaAxpyAVX2(dst, src []float64, c float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	src = src[:n]
	cv := archsimd.BroadcastFloat64x4(c)
	i := 0
	for ; i+4 <= n; i += 4 {
		d := archsimd.LoadFloat64x4Slice(dst[i:])
		archsimd.LoadFloat64x4Slice(src[i:]).MulAdd(cv, d).StoreSlice(dst[i:])
	}
	fmaAxpyGo(dst[i:], src[i:], c)
}
