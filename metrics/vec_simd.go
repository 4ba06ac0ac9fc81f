//go:build goexperiment.simd && amd64

package metrics

import (
	"simd/archsimd"
	"unsafe"
)

func init() {
	if !archsimd.X86.AVX2() {
		return
	}
	axpy, scal, mulv, dotTaps = axpyAVX2, scalAVX2, mulvAVX2, dotTapsAVX2
	gradPolar = gradPolarAVX2
	minMax, stretch, cbMaskMap = minMaxAVX2, stretchAVX2, cbMaskedAVX2
	sqDiffSum, maxDiffSqSum = sqDiffSumAVX2, maxDiffSqSumAVX2
	deinterleave = deinterleaveAVX2
	edgeQ, sobelRow = edgeQAVX2, sobelRowAVX2
	subProd, ssimPix, piella2, cbQ2 = subProdAVX2, ssimPixAVX2, piella2AVX2, cbQ2AVX2
	rowDot2, rowDotPair, cmulv = rowDot2AVX2, rowDotPairAVX2, cmulvAVX2
	weighAdd, ratioSum = weighAddAVX2, ratioSumAVX2
	qabfAngles, qabfAcc = qabfAnglesAVX2, qabfAccAVX2
	simdKernels = "avx2"
}

func axpyAVX2(dst, src []float64, c float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	src = src[:n]
	cv := archsimd.BroadcastFloat64x4(c)
	i := 0
	for ; i+4 <= n; i += 4 {
		d := archsimd.LoadFloat64x4Slice(dst[i:])
		s := archsimd.LoadFloat64x4Slice(src[i:])
		d.Add(s.Mul(cv)).StoreSlice(dst[i:])
	}
	for ; i < n; i++ {
		dst[i] += c * src[i]
	}
}

func scalAVX2(dst, src []float64, c float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	src = src[:n]
	cv := archsimd.BroadcastFloat64x4(c)
	i := 0
	for ; i+4 <= n; i += 4 {
		archsimd.LoadFloat64x4Slice(src[i:]).Mul(cv).StoreSlice(dst[i:])
	}
	for ; i < n; i++ {
		dst[i] = c * src[i]
	}
}

func mulvAVX2(dst, a, b []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	a, b = a[:n], b[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		x := archsimd.LoadFloat64x4Slice(a[i:])
		x.Mul(archsimd.LoadFloat64x4Slice(b[i:])).StoreSlice(dst[i:])
	}
	for ; i < n; i++ {
		dst[i] = a[i] * b[i]
	}
}

// at4 views the four values from index i of the array at base.
func at4(base unsafe.Pointer, i int) *[4]float64 {
	return (*[4]float64)(unsafe.Add(base, i*8))
}

// dotTapsAVX2 keeps eight outputs in two registers across all taps; the
// 11-tap SSIM window has its own unrolled loop (a loop over taps makes the
// compiler keep the counter on the stack).
func dotTapsAVX2(dst, p []float64, stride int, k []float64) {
	defer archsimd.ClearAVXUpperBits()
	n, kn := len(dst), len(k)
	if n == 0 {
		return
	}
	_ = p[(kn-1)*stride+n-1] // every load below is inside p
	i := 0
	if kn == 11 {
		i = dot11AVX2(dst, p, stride, k)
	}
	pb, ob := unsafe.Pointer(&p[0]), unsafe.Pointer(&dst[0])
	for ; i+8 <= n; i += 8 {
		k0 := archsimd.BroadcastFloat64x4(k[0])
		a := archsimd.LoadFloat64x4(at4(pb, i)).Mul(k0)
		b := archsimd.LoadFloat64x4(at4(pb, i+4)).Mul(k0)
		o := i
		for _, c := range k[1:] {
			o += stride
			kj := archsimd.BroadcastFloat64x4(c)
			a = a.Add(archsimd.LoadFloat64x4(at4(pb, o)).Mul(kj))
			b = b.Add(archsimd.LoadFloat64x4(at4(pb, o+4)).Mul(kj))
		}
		a.Store(at4(ob, i))
		b.Store(at4(ob, i+4))
	}
	if i < n {
		dotTapsGo(dst[i:], p[i:], stride, k)
	}
}

// dot11AVX2 does the 11-tap case in blocks of four outputs and returns how
// many outputs it wrote. The caller has checked the bounds.
func dot11AVX2(dst, p []float64, stride int, k []float64) int {
	var kv [11]v4
	for j := range kv {
		kv[j] = archsimd.BroadcastFloat64x4(k[j])
	}
	k0, k1, k2, k3, k4, k5 := kv[0], kv[1], kv[2], kv[3], kv[4], kv[5]
	k6, k7, k8, k9, k10 := kv[6], kv[7], kv[8], kv[9], kv[10]
	s := uintptr(stride * 8)
	q := unsafe.Pointer(&p[0])
	o := unsafe.Pointer(&dst[0])
	n := len(dst) &^ 3
	for i := 0; i < n; i += 4 {
		r := q
		a := archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k0)
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k1))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k2))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k3))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k4))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k5))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k6))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k7))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k8))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k9))
		r = unsafe.Add(r, s)
		a = a.Add(archsimd.LoadFloat64x4((*[4]float64)(r)).Mul(k10))
		a.Store((*[4]float64)(o))
		q, o = unsafe.Add(q, 32), unsafe.Add(o, 32)
	}
	return n
}

func minMaxAVX2(x []float64) (lo, hi float64) {
	defer archsimd.ClearAVXUpperBits()
	if len(x) < 8 {
		return minMaxGo(x)
	}
	l := archsimd.LoadFloat64x4Slice(x)
	h := l
	i := 4
	for ; i+4 <= len(x); i += 4 {
		v := archsimd.LoadFloat64x4Slice(x[i:])
		l, h = l.Min(v), h.Max(v)
	}
	var lb, hb [4]float64
	l.Store(&lb)
	h.Store(&hb)
	lo, hi = minMaxGo(append(lb[:], x[i:]...))
	_, hi2 := minMaxGo(append(hb[:], x[i:]...))
	return lo, max(hi, hi2)
}

// stretchAVX2 rounds half away from zero as t + (x - t >= 0.5) with t the
// truncation, which is math.Round for the non-negative, finite values here.
func stretchAVX2(dst, x []float64, lo, d float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	x = x[:n]
	b := archsimd.BroadcastFloat64x4
	lv, dv, s, half, one := b(lo), b(d), b(255), b(0.5), b(1)
	i := 0
	for ; i+4 <= n; i += 4 {
		v := archsimd.LoadFloat64x4Slice(x[i:]).Sub(lv).Div(dv).Mul(s)
		t := v.Trunc()
		t.Add(one).Merge(t, v.Sub(t).GreaterEqual(half)).StoreSlice(dst[i:])
	}
	if i < n {
		stretchGo(dst[i:], x[i:], lo, d)
	}
}

// hsum adds the lanes of v in the order (0+1)+(2+3).
func hsum(v v4) float64 {
	var a [4]float64
	v.Store(&a)
	return (a[0] + a[1]) + (a[2] + a[3])
}

func sqDiffSumAVX2(a, an []float64) float64 {
	defer archsimd.ClearAVXUpperBits()
	n := len(a)
	an = an[:n]
	acc := archsimd.BroadcastFloat64x4(0)
	i := 0
	for ; i+4 <= n; i += 4 {
		d := archsimd.LoadFloat64x4Slice(a[i:]).Sub(archsimd.LoadFloat64x4Slice(an[i:]))
		acc = acc.Add(d.Mul(d))
	}
	return hsum(acc) + sqDiffSumGo(a[i:], an[i:])
}

func maxDiffSqSumAVX2(a, an, b, bn []float64) float64 {
	defer archsimd.ClearAVXUpperBits()
	n := len(a)
	an, b, bn = an[:n], b[:n], bn[:n]
	acc, neg := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(-1)
	i := 0
	for ; i+4 <= n; i += 4 {
		da := archsimd.LoadFloat64x4Slice(a[i:]).Sub(archsimd.LoadFloat64x4Slice(an[i:]))
		db := archsimd.LoadFloat64x4Slice(b[i:]).Sub(archsimd.LoadFloat64x4Slice(bn[i:]))
		m := da.Max(da.Mul(neg)).Max(db.Max(db.Mul(neg)))
		acc = acc.Add(m.Mul(m))
	}
	return hsum(acc) + maxDiffSqSumGo(a[i:], an[i:], b[i:], bn[i:])
}

// deinterleaveAVX2 splits four complex values per step with lane shuffles.
func deinterleaveAVX2(re, im []float64, c []complex128) {
	defer archsimd.ClearAVXUpperBits()
	n := len(c)
	re, im = re[:n], im[:n]
	k := 0
	for ; k+4 <= n; k += 4 {
		a, b := ldc(c, k), ldc(c, k+2) // r0 i0 r1 i1, r2 i2 r3 i3
		lo, hi := a.Select128FromPair(0, 2, b), a.Select128FromPair(1, 3, b)
		lo.SelectFromPairGrouped(0, 2, hi).StoreSlice(re[k:])
		lo.SelectFromPairGrouped(1, 3, hi).StoreSlice(im[k:])
	}
	if k < n {
		deinterleaveGo(re[k:], im[k:], c[k:])
	}
}

func subProdAVX2(dst, a, b, c []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	a, b, c = a[:n], b[:n], c[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		p := archsimd.LoadFloat64x4Slice(b[i:]).Mul(archsimd.LoadFloat64x4Slice(c[i:]))
		archsimd.LoadFloat64x4Slice(a[i:]).Sub(p).StoreSlice(dst[i:])
	}
	if i < n {
		subProdGo(dst[i:], a[i:], b[i:], c[i:])
	}
}

func ssimPixAVX2(out, mx, my, vx, vy, cxy []float64, c1, c2 float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(out)
	mx, my, vx, vy, cxy = mx[:n], my[:n], vx[:n], vy[:n], cxy[:n]
	b := archsimd.BroadcastFloat64x4
	two, k1, k2 := b(2), b(c1), b(c2)
	i := 0
	for ; i+4 <= n; i += 4 {
		x, y := archsimd.LoadFloat64x4Slice(mx[i:]), archsimd.LoadFloat64x4Slice(my[i:])
		num := two.Mul(x.Mul(y)).Add(k1).Mul(two.Mul(archsimd.LoadFloat64x4Slice(cxy[i:])).Add(k2))
		den := x.Mul(x).Add(y.Mul(y)).Add(k1).Mul(archsimd.LoadFloat64x4Slice(vx[i:]).Add(archsimd.LoadFloat64x4Slice(vy[i:])).Add(k2))
		num.Div(den).StoreSlice(out[i:])
	}
	if i < n {
		ssimPixGo(out[i:], mx[i:], my[i:], vx[i:], vy[i:], cxy[i:], c1, c2)
	}
}

func piella2AVX2(q, cw, v0, v1, m0, m1 []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(q)
	cw, v0, v1, m0, m1 = cw[:n], v0[:n], v1[:n], m0[:n], m1[:n]
	b := archsimd.BroadcastFloat64x4
	zero, half, one := b(0), b(0.5), b(1)
	k := 0
	for ; k+4 <= n; k += 4 {
		s0, s1 := archsimd.LoadFloat64x4Slice(v0[k:]), archsimd.LoadFloat64x4Slice(v1[k:])
		tot := zero.Add(s0).Add(s1)
		flat := tot.Equal(zero)
		s0, s1 = s0.Add(half).Merge(s0, flat), s1.Add(half).Merge(s1, flat)
		tot = zero.Add(s0).Add(s1).Merge(tot, flat)
		l := s0.Div(tot)
		zero.Add(l.Mul(archsimd.LoadFloat64x4Slice(m0[k:]))).Add(one.Sub(l).Mul(archsimd.LoadFloat64x4Slice(m1[k:]))).StoreSlice(q[k:])
		s0.Max(s1).StoreSlice(cw[k:])
	}
	if k < n {
		piella2Go(q[k:], cw[k:], v0[k:], v1[k:], m0[k:], m1[k:])
	}
}

// lds loads s[i:i+4]. (A function value of archsimd.LoadFloat64x4Slice
// would be an indirect call instead of one instruction.)
func lds(s []float64, i int) v4 { return archsimd.LoadFloat64x4Slice(s[i:]) }

// cmulvAVX2 multiplies two complex values per vector with Go's complex
// product: (ac - bd) + i(bc + ad).
func cmulvAVX2(dst, a, b []complex128) {
	defer archsimd.ClearAVXUpperBits()
	n := len(dst)
	a, b = a[:n], b[:n]
	i := 0
	for ; i+2 <= n; i += 2 {
		x, t := ldc(a, i), ldc(b, i)
		re, im := t.SelectFromPairGrouped(0, 0, t), t.SelectFromPairGrouped(1, 1, t)
		stc(x.Mul(re).AddSub(swapRI(x).Mul(im)), dst, i)
	}
	if i < n {
		cmulvGo(dst[i:], a[i:], b[i:])
	}
}

func weighAddAVX2(num, den, q, g []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(num)
	den, q, g = den[:n], q[:n], g[:n]
	zero, tiny := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(1e-5)
	k := 0
	for ; k+4 <= n; k += 4 {
		v := lds(g, k)
		wt := tiny.Merge(v, v.Equal(zero))
		lds(num, k).Add(lds(q, k).Mul(wt)).StoreSlice(num[k:])
		lds(den, k).Add(wt).StoreSlice(den[k:])
	}
	if k < n {
		weighAddGo(num[k:], den[k:], q[k:], g[k:])
	}
}

func ratioSumAVX2(num, den []float64) float64 {
	defer archsimd.ClearAVXUpperBits()
	n := len(num)
	den = den[:n]
	acc := archsimd.BroadcastFloat64x4(0)
	k := 0
	for ; k+4 <= n; k += 4 {
		acc = acc.Add(lds(num, k).Div(lds(den, k)))
	}
	return hsum(acc) + ratioSumGo(num[k:], den[k:])
}
