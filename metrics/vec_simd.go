//go:build goexperiment.simd && amd64

package metrics

import (
	"math"
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

func gradPolarAVX2(g, alpha, gx, gy []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(g)
	alpha, gx, gy = alpha[:n], gx[:n], gy[:n]
	zero, tiny := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(1e-5)
	ac := newAtanConsts()
	i := 0
	for ; i+4 <= n; i += 4 {
		x, y := archsimd.LoadFloat64x4Slice(gx[i:]), archsimd.LoadFloat64x4Slice(gy[i:])
		x.Mul(x).Add(y.Mul(y)).Sqrt().StoreSlice(g[i:])
		x = tiny.Merge(x, x.Equal(zero))
		atanAVX2(y.Div(x), ac).StoreSlice(alpha[i:])
	}
	if i < n {
		gradPolarGo(g[i:], alpha[i:], gx[i:], gy[i:])
	}
}

// atanConsts are atanAVX2's constants, broadcast once per kernel call
// (the compiler does not hoist broadcasts out of loops).
type atanConsts struct {
	zero, one, negOne, small, tan3pio8, halfPi, quarterPi, more, halfMore v4
	p, q                                                                  [5]v4
}

func newAtanConsts() *atanConsts {
	const (
		morebits = 6.123233995736765886130e-17 // pi/2 = float64(pi/2) + morebits
		tan3pio8 = 2.41421356237309504880      // tan(3 pi/8)
	)
	b := archsimd.BroadcastFloat64x4
	c := &atanConsts{zero: b(0), one: b(1), negOne: b(-1), small: b(0.66), tan3pio8: b(tan3pio8),
		halfPi: b(math.Pi / 2), quarterPi: b(math.Pi / 4), more: b(morebits), halfMore: b(0.5 * morebits)}
	// Cephes atan.c rational approximation P(z)/Q(z), as in math.Atan.
	for i, v := range [5]float64{-8.750608600031904122785e-01, -1.615753718733365076637e+01,
		-7.500855792314704667340e+01, -1.228866684490136173410e+02, -6.485021904942025371773e+01} {
		c.p[i] = b(v)
	}
	for i, v := range [5]float64{+2.485846490142306297962e+01, +1.650270098316988542046e+02,
		+4.328810604912902668951e+02, +4.853903996359136964868e+02, +1.945506571482613964425e+02} {
		c.q[i] = b(v)
	}
	return c
}

// atanAVX2 is math.Atan (the Cephes algorithm: three argument ranges and
// one rational approximation) with the same operations in the same order,
// so it returns the same bits.
func atanAVX2(x v4, c *atanConsts) v4 {
	neg := x.Less(c.zero)
	ax := x.Mul(c.negOne).Merge(x, neg)
	small, large := ax.LessEqual(c.small), ax.Greater(c.tan3pio8)
	mid := ax.Sub(c.one).Div(ax.Add(c.one))
	arg := ax.Merge(c.one.Div(ax).Merge(mid, large), small)
	z := xatanAVX2(arg, c)
	hi := c.halfPi.Sub(z).Add(c.more)
	md := c.quarterPi.Add(z).Add(c.halfMore)
	r := z.Merge(hi.Merge(md, large), small)
	r = r.Mul(c.negOne).Merge(r, neg)
	return x.Merge(r, x.Equal(c.zero)) // atan(+-0) = +-0
}

// xatanAVX2 is the rational approximation of math.Atan on [0, 0.66].
func xatanAVX2(x v4, c *atanConsts) v4 {
	z := x.Mul(x)
	num := c.p[0].Mul(z).Add(c.p[1]).Mul(z).Add(c.p[2]).Mul(z).Add(c.p[3]).Mul(z).Add(c.p[4])
	den := z.Add(c.q[0]).Mul(z).Add(c.q[1]).Mul(z).Add(c.q[2]).Mul(z).Add(c.q[3]).Mul(z).Add(c.q[4])
	z = z.Mul(num).Div(den)
	return x.Mul(z).Add(x)
}

// expConsts are expAVX2's constants, broadcast once per kernel call.
type expConsts struct {
	lo, hi, log2e, ln2Hi, ln2Lo, magic, one, two v4
	magicBits                                    archsimd.Uint64x4
	p                                            [5]v4
}

func newExpConsts() *expConsts {
	const (
		ln2Hi = 6.93147180369123816490e-01 // ln 2 split as in math.Exp
		ln2Lo = 1.90821492927058770002e-10
		log2e = 1.44269504088896338700e+00
		// k + magic is a float64 in [2^52, 2^53) whose bits are
		// magicBits + k + 1023: the biased exponent of 2^k.
		magic     = 1<<52 + 1023
		magicBits = 0x4330000000000000
	)
	b := archsimd.BroadcastFloat64x4
	c := &expConsts{lo: b(-700), hi: b(700), log2e: b(log2e), ln2Hi: b(ln2Hi), ln2Lo: b(ln2Lo),
		magic: b(magic), one: b(1), two: b(2), magicBits: archsimd.BroadcastUint64x4(magicBits)}
	// fdlibm e_exp.c's Remez polynomial for R(r^2), as in math.Exp.
	for i, v := range [5]float64{1.66666666666666657415e-01, -2.77777777770155933842e-03,
		6.61375632143793436117e-05, -1.65339022054652515390e-06, 4.13813679705723846039e-08} {
		c.p[i] = b(v)
	}
	return c
}

// expAVX2 is e^x for |x| <= 700 (arguments are clamped there) by fdlibm's
// method, as math.Exp's portable version: x = k ln2 + r, e^r = 1 + 2r/(R -
// r) with a degree-5 polynomial in r^2, and 2^k built in the exponent bits
// (k rounds half to even instead of away from zero). Within about an ulp
// of math.Exp (TestExpAVX2).
func expAVX2(x v4, c *expConsts) v4 {
	x = x.Max(c.lo).Min(c.hi)
	k := x.Mul(c.log2e).RoundToEven()
	hi := x.Sub(k.Mul(c.ln2Hi))
	lo := k.Mul(c.ln2Lo)
	r := hi.Sub(lo)
	t := r.Mul(r)
	poly := c.p[4].Mul(t).Add(c.p[3]).Mul(t).Add(c.p[2]).Mul(t).Add(c.p[1]).Mul(t).Add(c.p[0])
	cc := r.Sub(t.Mul(poly))
	y := c.one.Sub(lo.Sub(r.Mul(cc).Div(c.two.Sub(cc))).Sub(hi))
	e := k.Add(c.magic).AsUint64x4().Sub(c.magicBits)
	return y.Mul(e.ShiftAllLeft(52).AsFloat64x4())
}

// edgeQAVX2 is edgeQGo four pixels at a time, with the general formula
// (two sigmoids, one division) everywhere.
func edgeQAVX2(q, gs, gf, as, af []float64, p *xydeasParams, adjF bool) {
	defer archsimd.ClearAVXUpperBits()
	n := len(gs)
	q, gf, as, af = q[:n], gf[:n], as[:n], af[:n]
	b := archsimd.BroadcastFloat64x4
	zero, tiny, one, neg := b(0), b(1e-5), b(1), b(-1)
	gga, kg, dg, ka, da := b(p.gg*p.ga), b(p.kg), b(p.dg), b(p.ka), b(p.da)
	two, pi, halfPi := b(2), b(math.Pi), b(math.Pi/2)
	ec := newExpConsts()
	i := 0
	for ; i+4 <= n; i += 4 {
		gx0, gf0 := archsimd.LoadFloat64x4Slice(gs[i:]), archsimd.LoadFloat64x4Slice(gf[i:])
		gfe := tiny.Merge(gf0, gf0.Equal(zero))
		gxe := tiny.Merge(gx0, gx0.Equal(zero))
		cmpF := gf0
		if adjF {
			cmpF = gfe
		}
		g := cmpF.Div(gxe).Merge(gxe.Div(gfe), gx0.Greater(cmpF))
		d := archsimd.LoadFloat64x4Slice(as[i:]).Sub(archsimd.LoadFloat64x4Slice(af[i:]))
		d = d.Max(d.Mul(neg))
		var a v4
		if p.paperAngle {
			a = one.Sub(d.Mul(two).Div(pi))
		} else {
			e := d.Sub(halfPi)
			a = e.Max(e.Mul(neg)).Mul(two).Div(pi)
		}
		eg := one.Add(expAVX2(kg.Mul(g.Sub(dg)), ec))
		ea := one.Add(expAVX2(ka.Mul(a.Sub(da)), ec))
		gga.Div(eg.Mul(ea)).StoreSlice(q[i:])
	}
	if i < n {
		edgeQGo(q[i:], gs[i:], gf[i:], as[i:], af[i:], p, adjF)
	}
}

func sobelRowAVX2(ox, oy, up, mid, dn []float64) {
	defer archsimd.ClearAVXUpperBits()
	w := len(ox)
	up, mid, dn, oy = up[:w+2], mid[:w+2], dn[:w+2], oy[:w]
	two := archsimd.BroadcastFloat64x4(2)
	x := 0
	for ; x+4 <= w; x += 4 {
		u0, u1, u2 := lds(up, x), lds(up, x+1), lds(up, x+2)
		d0, d1, d2 := lds(dn, x), lds(dn, x+1), lds(dn, x+2)
		m0, m2 := lds(mid, x), lds(mid, x+2)
		u2.Add(two.Mul(m2)).Add(d2).Sub(u0.Add(two.Mul(m0)).Add(d0)).StoreSlice(ox[x:])
		d0.Add(two.Mul(d1)).Add(d2).Sub(u0.Add(two.Mul(u1)).Add(u2)).StoreSlice(oy[x:])
	}
	if x < w {
		sobelRowGo(ox[x:], oy[x:], up[x:], mid[x:], dn[x:])
	}
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

func cbMaskedAVX2(z1, z2 []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(z1)
	z2 = z2[:n]
	b := archsimd.BroadcastFloat64x4
	one, negOne, z := b(1), b(-1), b(cbZ)
	i := 0
	for ; i+4 <= n; i += 4 {
		c := archsimd.LoadFloat64x4Slice(z1[i:]).Div(archsimd.LoadFloat64x4Slice(z2[i:])).Sub(one)
		c = c.Max(c.Mul(negOne))
		c2 := c.Mul(c)
		c2.Mul(c).Div(c2.Add(z)).StoreSlice(z1[i:])
	}
	if i < n {
		cbMaskedGo(z1[i:], z2[i:])
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

func cbQ2AVX2(c0, c1, cf []float64) (sum float64, bad int) {
	defer archsimd.ClearAVXUpperBits()
	n := len(cf)
	c0, c1 = c0[:n], c1[:n]
	zero := archsimd.BroadcastFloat64x4(0)
	acc := zero
	ratio := func(c, f v4) v4 { return c.Div(f).Merge(f.Div(c), c.Less(f)) }
	k := 0
	for ; k+4 <= n; k += 4 {
		a, b, f := archsimd.LoadFloat64x4Slice(c0[k:]), archsimd.LoadFloat64x4Slice(c1[k:]), archsimd.LoadFloat64x4Slice(cf[k:])
		if a.Equal(zero).Or(b.Equal(zero)).Or(f.Equal(zero)).ToBits() != 0 {
			return cbQ2Go(c0, c1, cf) // finds and reports the pixel
		}
		a2, b2 := a.Mul(a), b.Mul(b)
		den := zero.Add(a2).Add(b2)
		v := zero.Add(a2.Div(den).Mul(ratio(a, f))).Add(b2.Div(den).Mul(ratio(b, f)))
		acc = acc.Add(v)
	}
	rest, bad := cbQ2Go(c0[k:], c1[k:], cf[k:])
	if bad >= 0 {
		return 0, k + bad
	}
	return hsum(acc) + rest, -1
}

// cbHalfV is a folded 31-tap kernel (cbHalf) broadcast for the vector
// border sums.
type cbHalfV struct {
	c v4
	k [15]v4
}

func newCBHalfV(h *cbHalf) *cbHalfV {
	v := &cbHalfV{c: archsimd.BroadcastFloat64x4(h.c)}
	for j, k := range h.k {
		v.k[j] = archsimd.BroadcastFloat64x4(k)
	}
	return v
}

var cbH1V, cbH2V = newCBHalfV(&cbH1), newCBHalfV(&cbH2)

// at loads the four values from index j of the array at q.
func at(q unsafe.Pointer, j int) v4 {
	return archsimd.LoadFloat64x4((*[4]float64)(unsafe.Add(q, j*8)))
}

// rowDot2AVX2 is rowDot2 four outputs at a time, same order of sums.
func rowDot2AVX2(o1, o2, p []float64, hs1, hs2 *cbHalf) {
	defer archsimd.ClearAVXUpperBits()
	n := len(o1)
	o2 = o2[:n]
	_ = p[n+29]
	h1, h2 := cbH1V, cbH2V
	if hs1 != &cbH1 || hs2 != &cbH2 {
		h1, h2 = newCBHalfV(hs1), newCBHalfV(hs2)
	}
	b1 := unsafe.Pointer(&p[0])
	i := 0
	for ; i+4 <= n; i += 4 {
		q := unsafe.Add(b1, i*8)
		w := at(q, 15)
		s1, s2 := h1.c.Mul(w), h2.c.Mul(w)
		t0 := at(q, 0).Add(at(q, 30))
		s1, s2 = s1.Add(h1.k[0].Mul(t0)), s2.Add(h2.k[0].Mul(t0))
		t1 := at(q, 1).Add(at(q, 29))
		s1, s2 = s1.Add(h1.k[1].Mul(t1)), s2.Add(h2.k[1].Mul(t1))
		t2 := at(q, 2).Add(at(q, 28))
		s1, s2 = s1.Add(h1.k[2].Mul(t2)), s2.Add(h2.k[2].Mul(t2))
		t3 := at(q, 3).Add(at(q, 27))
		s1, s2 = s1.Add(h1.k[3].Mul(t3)), s2.Add(h2.k[3].Mul(t3))
		t4 := at(q, 4).Add(at(q, 26))
		s1, s2 = s1.Add(h1.k[4].Mul(t4)), s2.Add(h2.k[4].Mul(t4))
		t5 := at(q, 5).Add(at(q, 25))
		s1, s2 = s1.Add(h1.k[5].Mul(t5)), s2.Add(h2.k[5].Mul(t5))
		t6 := at(q, 6).Add(at(q, 24))
		s1, s2 = s1.Add(h1.k[6].Mul(t6)), s2.Add(h2.k[6].Mul(t6))
		t7 := at(q, 7).Add(at(q, 23))
		s1, s2 = s1.Add(h1.k[7].Mul(t7)), s2.Add(h2.k[7].Mul(t7))
		t8 := at(q, 8).Add(at(q, 22))
		s1, s2 = s1.Add(h1.k[8].Mul(t8)), s2.Add(h2.k[8].Mul(t8))
		t9 := at(q, 9).Add(at(q, 21))
		s1, s2 = s1.Add(h1.k[9].Mul(t9)), s2.Add(h2.k[9].Mul(t9))
		t10 := at(q, 10).Add(at(q, 20))
		s1, s2 = s1.Add(h1.k[10].Mul(t10)), s2.Add(h2.k[10].Mul(t10))
		t11 := at(q, 11).Add(at(q, 19))
		s1, s2 = s1.Add(h1.k[11].Mul(t11)), s2.Add(h2.k[11].Mul(t11))
		t12 := at(q, 12).Add(at(q, 18))
		s1, s2 = s1.Add(h1.k[12].Mul(t12)), s2.Add(h2.k[12].Mul(t12))
		t13 := at(q, 13).Add(at(q, 17))
		s1, s2 = s1.Add(h1.k[13].Mul(t13)), s2.Add(h2.k[13].Mul(t13))
		t14 := at(q, 14).Add(at(q, 16))
		s1, s2 = s1.Add(h1.k[14].Mul(t14)), s2.Add(h2.k[14].Mul(t14))
		s1.StoreSlice(o1[i:])
		s2.StoreSlice(o2[i:])
	}
	if i < n {
		rowDot2Go(o1[i:], o2[i:], p[i:], hs1, hs2)
	}
}

// rowDotPairAVX2 is rowDotPair four outputs at a time, same order of sums.
func rowDotPairAVX2(o1, o2, p1, p2 []float64, hs1, hs2 *cbHalf) {
	defer archsimd.ClearAVXUpperBits()
	n := len(o1)
	o2 = o2[:n]
	_, _ = p1[n+29], p2[n+29]
	h1, h2 := cbH1V, cbH2V
	if hs1 != &cbH1 || hs2 != &cbH2 {
		h1, h2 = newCBHalfV(hs1), newCBHalfV(hs2)
	}
	b1, b2 := unsafe.Pointer(&p1[0]), unsafe.Pointer(&p2[0])
	i := 0
	for ; i+4 <= n; i += 4 {
		q1, q2 := unsafe.Add(b1, i*8), unsafe.Add(b2, i*8)
		s1 := h1.c.Mul(at(q1, 15))
		s2 := h2.c.Mul(at(q2, 15))
		s1 = s1.Add(h1.k[0].Mul(at(q1, 0).Add(at(q1, 30))))
		s2 = s2.Add(h2.k[0].Mul(at(q2, 0).Add(at(q2, 30))))
		s1 = s1.Add(h1.k[1].Mul(at(q1, 1).Add(at(q1, 29))))
		s2 = s2.Add(h2.k[1].Mul(at(q2, 1).Add(at(q2, 29))))
		s1 = s1.Add(h1.k[2].Mul(at(q1, 2).Add(at(q1, 28))))
		s2 = s2.Add(h2.k[2].Mul(at(q2, 2).Add(at(q2, 28))))
		s1 = s1.Add(h1.k[3].Mul(at(q1, 3).Add(at(q1, 27))))
		s2 = s2.Add(h2.k[3].Mul(at(q2, 3).Add(at(q2, 27))))
		s1 = s1.Add(h1.k[4].Mul(at(q1, 4).Add(at(q1, 26))))
		s2 = s2.Add(h2.k[4].Mul(at(q2, 4).Add(at(q2, 26))))
		s1 = s1.Add(h1.k[5].Mul(at(q1, 5).Add(at(q1, 25))))
		s2 = s2.Add(h2.k[5].Mul(at(q2, 5).Add(at(q2, 25))))
		s1 = s1.Add(h1.k[6].Mul(at(q1, 6).Add(at(q1, 24))))
		s2 = s2.Add(h2.k[6].Mul(at(q2, 6).Add(at(q2, 24))))
		s1 = s1.Add(h1.k[7].Mul(at(q1, 7).Add(at(q1, 23))))
		s2 = s2.Add(h2.k[7].Mul(at(q2, 7).Add(at(q2, 23))))
		s1 = s1.Add(h1.k[8].Mul(at(q1, 8).Add(at(q1, 22))))
		s2 = s2.Add(h2.k[8].Mul(at(q2, 8).Add(at(q2, 22))))
		s1 = s1.Add(h1.k[9].Mul(at(q1, 9).Add(at(q1, 21))))
		s2 = s2.Add(h2.k[9].Mul(at(q2, 9).Add(at(q2, 21))))
		s1 = s1.Add(h1.k[10].Mul(at(q1, 10).Add(at(q1, 20))))
		s2 = s2.Add(h2.k[10].Mul(at(q2, 10).Add(at(q2, 20))))
		s1 = s1.Add(h1.k[11].Mul(at(q1, 11).Add(at(q1, 19))))
		s2 = s2.Add(h2.k[11].Mul(at(q2, 11).Add(at(q2, 19))))
		s1 = s1.Add(h1.k[12].Mul(at(q1, 12).Add(at(q1, 18))))
		s2 = s2.Add(h2.k[12].Mul(at(q2, 12).Add(at(q2, 18))))
		s1 = s1.Add(h1.k[13].Mul(at(q1, 13).Add(at(q1, 17))))
		s2 = s2.Add(h2.k[13].Mul(at(q2, 13).Add(at(q2, 17))))
		s1 = s1.Add(h1.k[14].Mul(at(q1, 14).Add(at(q1, 16))))
		s2 = s2.Add(h2.k[14].Mul(at(q2, 14).Add(at(q2, 16))))
		s1.StoreSlice(o1[i:])
		s2.StoreSlice(o2[i:])
	}
	if i < n {
		rowDotPairGo(o1[i:], o2[i:], p1[i:], p2[i:], hs1, hs2)
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
