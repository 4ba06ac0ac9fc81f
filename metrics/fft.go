package metrics

import (
	"math"
	"sync"
)

// The unrolled odd-radix butterflies (fft_odd.go, fft_odd_simd.go) are
// written by internal/fftgen.
//go:generate go run ./internal/fftgen

// The Chen-Blum CSF needs 2-D DFTs of the exact image size (any h x w, e.g.
// 520 = 8*5*13). This is a mixed-radix Stockham FFT that transforms along
// the slow axis of a row-major array for all columns at once: every
// butterfly then works on contiguous runs of s*w values, which is far
// faster than one strided 1-D transform per column. Rows are handled by
// transposing.

// fftPlan is the factorisation and twiddle tables of one length and
// direction.
type fftPlan struct {
	n       int
	inverse bool
	stages  []fftStage
}

// fftStage is one radix-r pass: n = r * m at stride s (the product of the
// radices already done).
type fftStage struct {
	r, m, s int
	sign    float64      // -1 forward, +1 inverse
	tw      []complex128 // tw[q*(r-1)+k-1] = w_n^(q*k), n = r*m
	cos     []float64    // odd radix > 4: cos(2 pi j k / r)
	sin     []float64    // odd radix > 4: sign * sin(2 pi j k / r)
}

var (
	planMu sync.Mutex
	plans  = map[[2]int]*fftPlan{}
)

// planFor returns the cached plan for length n and direction.
func planFor(n int, inverse bool) *fftPlan {
	key := [2]int{n, 0}
	if inverse {
		key[1] = 1
	}
	planMu.Lock()
	defer planMu.Unlock()
	if p := plans[key]; p != nil {
		return p
	}
	p := &fftPlan{n: n, inverse: inverse}
	sign := -1.0
	if inverse {
		sign = 1
	}
	rest, s := n, 1
	for rest > 1 {
		r := smallestRadix(rest)
		m := rest / r
		st := fftStage{r: r, m: m, s: s, sign: sign}
		nn := r * m
		st.tw = make([]complex128, m*(r-1))
		for q := 0; q < m; q++ {
			for k := 1; k < r; k++ {
				a := sign * 2 * math.Pi * float64((q*k)%nn) / float64(nn)
				sn, cs := math.Sincos(a)
				st.tw[q*(r-1)+k-1] = complex(cs, sn)
			}
		}
		if r > 4 {
			st.cos = make([]float64, r*r)
			st.sin = make([]float64, r*r)
			for j := 0; j < r; j++ {
				for k := 0; k < r; k++ {
					a := 2 * math.Pi * float64((j*k)%r) / float64(r)
					st.cos[j*r+k] = math.Cos(a)
					st.sin[j*r+k] = sign * math.Sin(a)
				}
			}
		}
		p.stages = append(p.stages, st)
		rest, s = m, s*r
	}
	plans[key] = p
	return p
}

// smallestRadix picks 4 when possible, else the smallest prime factor.
func smallestRadix(n int) int {
	if n%4 == 0 {
		return 4
	}
	for r := 2; r*r <= n; r++ {
		if n%r == 0 {
			return r
		}
	}
	return n
}

// transformCols transforms each of the w columns of the h x w array x
// (length h) in place; tmp must have len(x). The inverse is unnormalised.
// (Transforming blocks of columns that stay in cache was tried: the
// strided copies cost more than the passes save.)
func transformCols(x, tmp []complex128, w, h int, inverse bool) {
	planFor(h, inverse).transform(x, tmp, w)
}

// transform runs all passes on the w columns of x (h x w), in place.
func (p *fftPlan) transform(x, tmp []complex128, w int) {
	src, dst := x, tmp
	for i := range p.stages {
		st := &p.stages[i]
		st.run(src, dst, w)
		src, dst = dst, src
	}
	if len(p.stages)%2 == 1 {
		copy(x, src)
	}
}

// vecStage, when set (fft_simd.go), runs a whole pass with vector
// butterflies and reports whether it handled the radix.
var vecStage func(st *fftStage, src, dst []complex128, w int) bool

// run is one Stockham pass on vectors of length w:
// dst[s*(r*q+k)] = w_n^(q k) * sum_j src[s*(q+j*m)] w_r^(j k).
func (st *fftStage) run(src, dst []complex128, w int) {
	if vecStage != nil && vecStage(st, src, dst, w) {
		return
	}
	r, m, s := st.r, st.m, st.s
	blk := s * w
	var scratch []complex128
	if r > 4 {
		scratch = make([]complex128, r-1)
	}
	for q := 0; q < m; q++ {
		in := func(j int) []complex128 { o := (q + j*m) * blk; return src[o : o+blk] }
		out := func(k int) []complex128 { o := (r*q + k) * blk; return dst[o : o+blk] }
		st.butterfly(in, out, st.tw[q*(r-1):(q+1)*(r-1)], scratch, blk)
	}
}

// butterfly runs the radix-r butterfly of one q on runs of blk values;
// scratch (r-1 values) is needed only by the generic odd radix.
func (st *fftStage) butterfly(in, out func(int) []complex128, tw, scratch []complex128, blk int) {
	switch st.r {
	case 2:
		bfly2(in(0)[:blk], in(1)[:blk], out(0)[:blk], out(1)[:blk], tw[0])
	case 3:
		bfly3(in(0)[:blk], in(1)[:blk], in(2)[:blk], out(0)[:blk], out(1)[:blk], out(2)[:blk], tw, st.sign)
	case 4:
		bfly4(in(0)[:blk], in(1)[:blk], in(2)[:blk], in(3)[:blk], out(0)[:blk], out(1)[:blk], out(2)[:blk], out(3)[:blk], tw, st.sign > 0)
	case 5:
		st.bfly5(in, out, tw, blk)
	case 7:
		st.bfly7(in, out, tw, blk)
	case 11:
		st.bfly11(in, out, tw, blk)
	case 13:
		st.bfly13(in, out, tw, blk)
	default:
		if scratch == nil {
			scratch = make([]complex128, st.r-1)
		}
		st.bflyGeneric(in, out, tw, scratch, blk)
	}
}

func bfly2(a0, a1, b0, b1 []complex128, t complex128) {
	a1 = a1[:len(a0)]
	b0, b1 = b0[:len(a0)], b1[:len(a0)]
	for i, x := range a0 {
		y := a1[i]
		b0[i] = x + y
		b1[i] = (x - y) * t
	}
}

// mulI returns i*z (inverse) or -i*z (forward) exactly.
func mulI(z complex128, inverse bool) complex128 {
	if inverse {
		return complex(-imag(z), real(z))
	}
	return complex(imag(z), -real(z))
}

func bfly4(a0, a1, a2, a3, b0, b1, b2, b3 []complex128, tw []complex128, inv bool) {
	n := len(a0)
	a1, a2, a3 = a1[:n], a2[:n], a3[:n]
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	t1, t2, t3 := tw[0], tw[1], tw[2]
	for i := 0; i < n; i++ {
		x0, x1, x2, x3 := a0[i], a1[i], a2[i], a3[i]
		s02, d02 := x0+x2, x0-x2
		s13, d13 := x1+x3, mulI(x1-x3, inv)
		b0[i] = s02 + s13
		b1[i] = (d02 + d13) * t1
		b2[i] = (s02 - s13) * t2
		b3[i] = (d02 - d13) * t3
	}
}

func bfly3(a0, a1, a2, b0, b1, b2 []complex128, tw []complex128, sign float64) {
	n := len(a0)
	a1, a2 = a1[:n], a2[:n]
	b0, b1, b2 = b0[:n], b1[:n], b2[:n]
	t1, t2 := tw[0], tw[1]
	h := sign * math.Sqrt(3) / 2
	for i := 0; i < n; i++ {
		x0, x1, x2 := a0[i], a1[i], a2[i]
		s, d := x1+x2, x1-x2
		m := x0 - s*0.5
		rot := complex(-imag(d)*h, real(d)*h) // i h (x1 - x2)
		b0[i] = x0 + s
		b1[i] = (m + rot) * t1
		b2[i] = (m - rot) * t2
	}
}

// bflyGeneric is the O(r^2) butterfly for an odd radix r > 4, pairing j and
// r-j so each output needs (r-1)/2 real-by-complex products of sums and
// differences. It works element by element so the partial sums stay in
// registers; scratch holds r-1 values.
func (st *fftStage) bflyGeneric(in, out func(int) []complex128, tw, scratch []complex128, blk int) {
	r := st.r
	half := (r - 1) / 2
	ins := make([][]complex128, r)
	outs := make([][]complex128, r)
	for j := range ins {
		ins[j], outs[j] = in(j)[:blk], out(j)[:blk]
	}
	sv, dv := scratch[:half], scratch[half:2*half]
	unit := true // all twiddles 1 (q = 0, e.g. the last stage)
	for _, t := range tw {
		unit = unit && t == 1
	}
	for i := 0; i < blk; i++ {
		a0 := ins[0][i]
		b0 := a0
		for j := 1; j <= half; j++ {
			x, y := ins[j][i], ins[r-j][i]
			sv[j-1], dv[j-1] = x+y, x-y
			b0 += x + y
		}
		outs[0][i] = b0
		k := 1
		for ; k+1 <= half; k += 2 { // two outputs pairs per sweep share the loads
			re, im, rr, ri := real(a0), imag(a0), 0.0, 0.0
			re2, im2, rr2, ri2 := re, im, 0.0, 0.0
			cs, sn := st.cos[k*r+1:k*r+1+half], st.sin[k*r+1:k*r+1+half]
			cs2, sn2 := st.cos[(k+1)*r+1:(k+1)*r+1+half], st.sin[(k+1)*r+1:(k+1)*r+1+half]
			for j, c := range cs {
				sj, dj, t := sv[j], dv[j], sn[j]
				c2, t2 := cs2[j], sn2[j]
				re += real(sj) * c
				im += imag(sj) * c
				rr -= imag(dj) * t
				ri += real(dj) * t
				re2 += real(sj) * c2
				im2 += imag(sj) * c2
				rr2 -= imag(dj) * t2
				ri2 += real(dj) * t2
			}
			if unit {
				outs[k][i] = complex(re+rr, im+ri)
				outs[r-k][i] = complex(re-rr, im-ri)
				outs[k+1][i] = complex(re2+rr2, im2+ri2)
				outs[r-k-1][i] = complex(re2-rr2, im2-ri2)
				continue
			}
			outs[k][i] = complex(re+rr, im+ri) * tw[k-1]
			outs[r-k][i] = complex(re-rr, im-ri) * tw[r-k-1]
			outs[k+1][i] = complex(re2+rr2, im2+ri2) * tw[k]
			outs[r-k-1][i] = complex(re2-rr2, im2-ri2) * tw[r-k-2]
		}
		for ; k <= half; k++ {
			re, im, rr, ri := real(a0), imag(a0), 0.0, 0.0
			cs, sn := st.cos[k*r+1:k*r+1+half], st.sin[k*r+1:k*r+1+half]
			for j, c := range cs {
				sj, dj, t := sv[j], dv[j], sn[j]
				re += real(sj) * c
				im += imag(sj) * c
				rr -= imag(dj) * t
				ri += real(dj) * t
			}
			outs[k][i] = complex(re+rr, im+ri) * tw[k-1]
			outs[r-k][i] = complex(re-rr, im-ri) * tw[r-k-1]
		}
	}
}

// transpose writes the w x h transpose of the h x w array x into dst
// (transposeC, or a vector version from fft_simd.go).
var transpose = transposeC

func transposeC(dst, x []complex128, w, h int) {
	const b = 32
	for y0 := 0; y0 < h; y0 += b {
		for x0 := 0; x0 < w; x0 += b {
			for y := y0; y < min(y0+b, h); y++ {
				row := x[y*w : (y+1)*w]
				for xx := x0; xx < min(x0+b, w); xx++ {
					dst[xx*h+y] = row[xx]
				}
			}
		}
	}
}

// csfFilter returns real(ifft2(fft2(x) .* sd)) for h x w images x and y
// (y may be nil), where sd holds one real multiplier per DFT coefficient
// (row-major, h x w) with sd(k) = sd(-k). Because the filter is real and
// even, x + iy is filtered in one complex transform pair: the real part of
// the result is the filtered x and the imaginary part the filtered y.
func csfFilter(ar *arena, x, y []float64, w, h int, sd []float64) (xf, yf []float64) {
	c, t := getComplex(w*h), getComplex(w*h)
	defer putComplex(c)
	defer putComplex(t)
	for i, v := range x {
		c[i] = complex(v, 0)
	}
	if y != nil {
		for i, v := range y {
			c[i] = complex(x[i], v)
		}
	}
	transformCols(c, t, w, h, false) // along y
	transpose(t, c, w, h)            // t is w x h: t[kx*h+ky]
	transformCols(t, c, h, w, false) // along x
	for kx := 0; kx < w; kx++ {
		row := t[kx*h : (kx+1)*h]
		for ky := range row {
			v := sd[ky*w+kx]
			row[ky] = complex(real(row[ky])*v, imag(row[ky])*v)
		}
	}
	transformCols(t, c, h, w, true)
	transpose(c, t, h, w)
	transformCols(c, t, w, h, true)
	scale := 1 / float64(w*h)
	xf = ar.floats(w * h)
	for i := range xf {
		xf[i] = real(c[i]) * scale
	}
	if y != nil {
		yf = ar.floats(w * h)
		for i := range yf {
			yf[i] = imag(c[i]) * scale
		}
	}
	return xf, yf
}
