//go:build goexperiment.simd && amd64

package metrics

import (
	"simd/archsimd"
	"unsafe"
)

// AVX2 Stockham passes: each vector holds two adjacent complex values of a
// run (re, im, re, im), and every lane does the scalar butterfly's
// operations in the scalar order, so the results are bit-identical to the
// portable passes (TestFFTKernels). A run of odd length ends with one
// element done by the portable butterfly.

func init() {
	if archsimd.X86.AVX2() {
		vecStage, transpose = runStageAVX2, transposeAVX2
	}
}

type v4 = archsimd.Float64x4

var (
	signEven = [4]float64{-1, 1, -1, 1} // negates the real parts
	signOdd  = [4]float64{1, -1, 1, -1} // negates the imaginary parts
)

// ldc loads c[i], c[i+1]; the caller guarantees i+1 < len(c).
func ldc(c []complex128, i int) v4 {
	return archsimd.LoadFloat64x4((*[4]float64)(unsafe.Pointer(&c[i])))
}

// stc stores v to c[i], c[i+1]; the caller guarantees i+1 < len(c).
func stc(v v4, c []complex128, i int) {
	v.Store((*[4]float64)(unsafe.Pointer(&c[i])))
}

// swapRI exchanges the real and imaginary part of both values.
func swapRI(v v4) v4 { return v.SelectFromPairGrouped(1, 0, v) }

// twiddle is a broadcast complex factor.
type twiddle struct{ re, im v4 }

func newTwiddle(t complex128) twiddle {
	return twiddle{archsimd.BroadcastFloat64x4(real(t)), archsimd.BroadcastFloat64x4(imag(t))}
}

// mul is v*t with Go's complex product: (ac - bd) + i(bc + ad).
func (t twiddle) mul(v v4) v4 { return v.Mul(t.re).AddSub(swapRI(v).Mul(t.im)) }

// runStageAVX2 runs one pass with vector butterflies; false leaves the
// pass to the portable code.
func runStageAVX2(st *fftStage, src, dst []complex128, w int) bool {
	defer archsimd.ClearAVXUpperBits()
	r, m := st.r, st.m
	if r != 2 && r != 4 && (r < 5 || r > 13 || r%2 == 0) {
		return false
	}
	blk := st.s * w
	even := blk &^ 1
	for q := 0; q < m; q++ {
		var ins, outs [13][]complex128
		for j := 0; j < r; j++ {
			o := (q + j*m) * blk
			ins[j] = src[o : o+blk]
			o = (r*q + j) * blk
			outs[j] = dst[o : o+blk]
		}
		tw := st.tw[q*(r-1) : (q+1)*(r-1)]
		switch r {
		case 2:
			bfly2AVX2(ins[0], ins[1], outs[0], outs[1], tw[0], even)
		case 4:
			bfly4AVX2(&ins, &outs, tw, st.sign > 0, even)
		case 5:
			st.bfly5AVX2(&ins, &outs, tw, even)
		case 7:
			st.bfly7AVX2(&ins, &outs, tw, even)
		case 11:
			st.bfly11AVX2(&ins, &outs, tw, even)
		case 13:
			st.bfly13AVX2(&ins, &outs, tw, even)
		default:
			st.bflyOddAVX2(&ins, &outs, tw, even)
		}
		if even == blk {
			continue
		}
		in := func(j int) []complex128 { return ins[j][even:] }
		out := func(j int) []complex128 { return outs[j][even:] }
		st.butterfly(in, out, tw, nil, 1)
	}
	return true
}

func bfly2AVX2(a0, a1, b0, b1 []complex128, t complex128, n int) {
	tw := newTwiddle(t)
	a0, a1, b0, b1 = a0[:n], a1[:n], b0[:n], b1[:n]
	for i := 0; i+1 < n; i += 2 {
		x, y := ldc(a0, i), ldc(a1, i)
		stc(x.Add(y), b0, i)
		stc(tw.mul(x.Sub(y)), b1, i)
	}
}

func bfly4AVX2(ins, outs *[13][]complex128, tw []complex128, inv bool, n int) {
	a0, a1, a2, a3 := ins[0][:n], ins[1][:n], ins[2][:n], ins[3][:n]
	b0, b1, b2, b3 := outs[0][:n], outs[1][:n], outs[2][:n], outs[3][:n]
	t1, t2, t3 := newTwiddle(tw[0]), newTwiddle(tw[1]), newTwiddle(tw[2])
	sign := archsimd.LoadFloat64x4(&signOdd) // -i z = (im, -re)
	if inv {
		sign = archsimd.LoadFloat64x4(&signEven) // i z = (-im, re)
	}
	for i := 0; i+1 < n; i += 2 {
		x0, x1, x2, x3 := ldc(a0, i), ldc(a1, i), ldc(a2, i), ldc(a3, i)
		s02, d02 := x0.Add(x2), x0.Sub(x2)
		s13, d13 := x1.Add(x3), swapRI(x1.Sub(x3)).Mul(sign)
		stc(s02.Add(s13), b0, i)
		stc(t1.mul(d02.Add(d13)), b1, i)
		stc(t2.mul(s02.Sub(s13)), b2, i)
		stc(t3.mul(d02.Sub(d13)), b3, i)
	}
}

// bflyOddAVX2 is the odd-radix butterfly of fft_odd.go on vectors: with
// s_j, d_j = x_j +- x_{r-j}, output k is x0 + sum_j cos_kj s_j + i R_k and
// output r-k is the same with - i R_k, R_k = sum_j sin_kj d_j.
func (st *fftStage) bflyOddAVX2(ins, outs *[13][]complex128, tw []complex128, n int) {
	r := st.r
	half := (r - 1) / 2
	unit := true
	for _, t := range tw {
		unit = unit && t == 1
	}
	var tws [12]twiddle
	for k := range tw {
		tws[k] = newTwiddle(tw[k])
	}
	var cs, sn [7][7]v4
	for k := 1; k <= half; k++ {
		for j := 1; j <= half; j++ {
			cs[k][j] = archsimd.BroadcastFloat64x4(st.cos[k*r+j])
			sn[k][j] = archsimd.BroadcastFloat64x4(st.sin[k*r+j])
		}
	}
	neg := archsimd.LoadFloat64x4(&signEven)
	var s, d [7]v4
	for i := 0; i+1 < n; i += 2 {
		x0 := ldc(ins[0], i)
		b0 := x0
		for j := 1; j <= half; j++ {
			x, y := ldc(ins[j], i), ldc(ins[r-j], i)
			s[j], d[j] = x.Add(y), x.Sub(y)
			b0 = b0.Add(s[j])
		}
		stc(b0, outs[0], i)
		for k := 1; k <= half; k++ {
			acc := x0.Add(s[1].Mul(cs[k][1]))
			rot := d[1].Mul(sn[k][1])
			for j := 2; j <= half; j++ {
				acc = acc.Add(s[j].Mul(cs[k][j]))
				rot = rot.Add(d[j].Mul(sn[k][j]))
			}
			irot := swapRI(rot).Mul(neg) // i R = (-R_im, R_re)
			lo, hi := acc.Add(irot), acc.Sub(irot)
			if !unit {
				lo, hi = tws[k-1].mul(lo), tws[r-k-1].mul(hi)
			}
			stc(lo, outs[k], i)
			stc(hi, outs[r-k], i)
		}
	}
}

// transposeAVX2 moves 2x2 blocks of complex values with two lane shuffles
// in 32x32 tiles; odd edges go through transposeC.
func transposeAVX2(dst, x []complex128, w, h int) {
	defer archsimd.ClearAVXUpperBits()
	const b = 32
	w2, h2 := w&^1, h&^1
	for y0 := 0; y0 < h2; y0 += b {
		for x0 := 0; x0 < w2; x0 += b {
			for y := y0; y < min(y0+b, h2); y += 2 {
				r0, r1 := x[y*w:(y+1)*w], x[(y+1)*w:(y+2)*w]
				for xx := x0; xx < min(x0+b, w2); xx += 2 {
					a, c := ldc(r0, xx), ldc(r1, xx)
					stc(a.Select128FromPair(0, 2, c), dst, xx*h+y)
					stc(a.Select128FromPair(1, 3, c), dst, (xx+1)*h+y)
				}
			}
		}
	}
	if w2 < w { // last column
		for y := 0; y < h; y++ {
			dst[(w-1)*h+y] = x[y*w+w-1]
		}
	}
	if h2 < h { // last row
		for xx := 0; xx < w; xx++ {
			dst[xx*h+h-1] = x[(h-1)*w+xx]
		}
	}
}
