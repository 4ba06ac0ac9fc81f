//go:build goexperiment.simd && amd64

package data

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() {
		gray8 = gray8AVX2
	}
}

// gray8AVX2 is gray8Go four samples at a time: the same weighted sum, then
// RoundSat255 (NaN and v <= 0 to 0, v >= 255 to 255, else trunc(v + 0.5)).
func gray8AVX2(dst, r, g, b []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	r, g, b = r[:n], g[:n], b[:n]
	bc := archsimd.BroadcastFloat64x4
	cr, cg, cb := bc(grayR), bc(grayG), bc(grayB)
	zero, half, top := bc(0), bc(0.5), bc(255)
	i := 0
	for ; i+4 <= n; i += 4 {
		v := archsimd.LoadFloat64x4Slice(r[i:]).Mul(cr).
			Add(archsimd.LoadFloat64x4Slice(g[i:]).Mul(cg)).
			Add(archsimd.LoadFloat64x4Slice(b[i:]).Mul(cb))
		y := v.Add(half).Trunc().Merge(zero, v.Greater(zero))
		top.Merge(y, v.GreaterEqual(top)).StoreSlice(dst[i:])
	}
	if i < n {
		gray8Go(dst[i:], r[i:], g[i:], b[i:])
	}
}
