//go:build goexperiment.simd && amd64

package metrics

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() {
		pcScaleSums = pcScaleSumsAVX2
	}
}

// ldReIm loads r[k..k+3] as their real and imaginary parts; the caller
// guarantees k+3 < len(r).
func ldReIm(r []complex128, k int) (re, im v4) {
	a, b := ldc(r, k), ldc(r, k+2) // r0 i0 r1 i1, r2 i2 r3 i3
	lo, hi := a.Select128FromPair(0, 2, b), a.Select128FromPair(1, 3, b)
	return lo.SelectFromPairGrouped(0, 2, hi), lo.SelectFromPairGrouped(1, 3, hi)
}

// pcScaleSumsAVX2 is pcScaleSumsGo four pixels at a time, every lane doing
// the scalar operations in the scalar order (|d| is max(d, -d), which may
// give -0 for 0: a zero's sign never reaches phaseCong's results).
func pcScaleSumsAVX2(sumAn, maxAn, energy, e2 []float64, r0, r1, r2, r3 []complex128) {
	defer archsimd.ClearAVXUpperBits()
	n := len(sumAn)
	maxAn, energy, e2 = maxAn[:n], energy[:n], e2[:n]
	r0, r1, r2, r3 = r0[:n], r1[:n], r2[:n], r3[:n]
	b := archsimd.BroadcastFloat64x4
	eps, neg := b(0.0001), b(-1)
	k := 0
	for ; k+4 <= n; k += 4 {
		re0, im0 := ldReIm(r0, k)
		re1, im1 := ldReIm(r1, k)
		re2, im2 := ldReIm(r2, k)
		re3, im3 := ldReIm(r3, k)
		p0 := re0.Mul(re0).Add(im0.Mul(im0))
		a0 := p0.Sqrt()
		a1 := re1.Mul(re1).Add(im1.Mul(im1)).Sqrt()
		a2 := re2.Mul(re2).Add(im2.Mul(im2)).Sqrt()
		a3 := re3.Mul(re3).Add(im3.Mul(im3)).Sqrt()
		sE := re0.Add(re1).Add(re2).Add(re3)
		sO := im0.Add(im1).Add(im2).Add(im3)
		a0.Add(a1).Add(a2).Add(a3).StoreSlice(sumAn[k:])
		a0.Max(a1).Max(a2).Max(a3).StoreSlice(maxAn[k:])
		xe := sE.Mul(sE).Add(sO.Mul(sO)).Sqrt().Add(eps)
		me, mo := sE.Div(xe), sO.Div(xe)
		term := func(re, im v4) v4 {
			d := re.Mul(mo).Sub(im.Mul(me))
			return re.Mul(me).Add(im.Mul(mo)).Sub(d.Max(d.Mul(neg)))
		}
		term(re0, im0).Add(term(re1, im1)).Add(term(re2, im2)).Add(term(re3, im3)).StoreSlice(energy[k:])
		p0.StoreSlice(e2[k:])
	}
	if k < n {
		pcScaleSumsGo(sumAn[k:], maxAn[k:], energy[k:], e2[k:], r0[k:], r1[k:], r2[k:], r3[k:])
	}
}
