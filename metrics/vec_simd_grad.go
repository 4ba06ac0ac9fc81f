//go:build goexperiment.simd && amd64

package metrics

import (
	"math"
	"simd/archsimd"
)

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

// qabfAnglesAVX2 is qabfAnglesGo four pixels at a time (the same bits:
// atanAVX2 is math.Atan's algorithm).
func qabfAnglesAVX2(a, gx, gy []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(a)
	gx, gy = gx[:n], gy[:n]
	b := archsimd.BroadcastFloat64x4
	zero, neg, halfPi := b(0), b(-1), b(math.Pi/2)
	ac := newAtanConsts()
	i := 0
	for ; i+4 <= n; i += 4 {
		x, y := archsimd.LoadFloat64x4Slice(gx[i:]), archsimd.LoadFloat64x4Slice(gy[i:])
		isZero := x.Equal(zero)
		x = halfPi.Merge(x, isZero) // any non-zero divisor; replaced below
		halfPi.Merge(atanAVX2(y.Div(x.Mul(neg)), ac), isZero).StoreSlice(a[i:])
	}
	if i < n {
		qabfAnglesGo(a[i:], gx[i:], gy[i:])
	}
}

// qabfAccAVX2 is qabfAccGo four pixels at a time, with expAVX2 for
// math.Exp.
func qabfAccAVX2(num, den, gs, gf, as, af []float64) {
	defer archsimd.ClearAVXUpperBits()
	n := len(num)
	den, gs, gf, as, af = den[:n], gs[:n], gf[:n], as[:n], af[:n]
	b := archsimd.BroadcastFloat64x4
	one, neg, halfPi := b(1), b(-1), b(math.Pi/2)
	tg, kg, dg, ta, ka, da := b(qabfTg), b(qabfKg), b(qabfDg), b(qabfTa), b(qabfKa), b(qabfDa)
	ec := newExpConsts()
	i := 0
	for ; i+4 <= n; i += 4 {
		gx, g0 := lds(gs, i), lds(gf, i)
		// gx > gf: gf/gx; gx == gf: gf; else gx/gf
		g := g0.Merge(gx.Div(g0), gx.Equal(g0))
		g = g0.Div(gx).Merge(g, gx.Greater(g0))
		d := lds(as, i).Sub(lds(af, i))
		d = d.Max(d.Mul(neg))
		a := one.Sub(d.Div(halfPi))
		qg := tg.Div(one.Add(expAVX2(kg.Mul(g.Sub(dg)), ec)))
		qa := ta.Div(one.Add(expAVX2(ka.Mul(a.Sub(da)), ec)))
		lds(num, i).Add(qg.Mul(qa).Mul(gx)).StoreSlice(num[i:])
		lds(den, i).Add(gx).StoreSlice(den[i:])
	}
	if i < n {
		qabfAccGo(num[i:], den[i:], gs[i:], gf[i:], as[i:], af[i:])
	}
}
