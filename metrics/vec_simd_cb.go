//go:build goexperiment.simd && amd64

package metrics

import (
	"simd/archsimd"
	"unsafe"
)

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
