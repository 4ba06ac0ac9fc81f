package metrics

// Unrolled odd-radix butterflies for the radices of common image sides
// (5, 7, 11, 13). They compute exactly what bflyGeneric computes, pairing
// inputs j and r-j so each output pair needs (r-1)/2 real-by-complex
// products of sums and differences, but with every index and constant in a
// local so the loop has no bounds checks, scratch memory or inner loops.
// The sums are accumulated in the same order as in bflyGeneric, so the
// results are identical. The bodies are regular enough to be written by a
// small script; keep them in that shape.

// bfly5 is the radix-5 pass of one Stockham stage for one q (see run).
func (st *fftStage) bfly5(in, out func(int) []complex128, tw []complex128, blk int) {
	a0 := in(0)[:blk]
	a1 := in(1)[:blk]
	a2 := in(2)[:blk]
	a3 := in(3)[:blk]
	a4 := in(4)[:blk]
	b0 := out(0)[:blk]
	b1 := out(1)[:blk]
	b2 := out(2)[:blk]
	b3 := out(3)[:blk]
	b4 := out(4)[:blk]
	c1_1, t1_1 := st.cos[6], st.sin[6]
	c1_2, t1_2 := st.cos[7], st.sin[7]
	c2_1, t2_1 := st.cos[11], st.sin[11]
	c2_2, t2_2 := st.cos[12], st.sin[12]
	_ = tw[3]
	w1 := tw[0]
	w2 := tw[1]
	w3 := tw[2]
	w4 := tw[3]
	unit := true
	for _, t := range tw {
		unit = unit && t == 1
	}
	if unit {
		for i := range a0 {
			x0 := a0[i]
			x1, y1 := a1[i], a4[i]
			s1, d1 := x1+y1, x1-y1
			x2, y2 := a2[i], a3[i]
			s2, d2 := x2+y2, x2-y2
			b0[i] = x0 + s1 + s2
			re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2)
			im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2)
			rr1 := -(t1_1*imag(d1) + t1_2*imag(d2))
			ri1 := t1_1*real(d1) + t1_2*real(d2)
			b1[i] = complex(re1+rr1, im1+ri1)
			b4[i] = complex(re1-rr1, im1-ri1)
			re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2)
			im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2)
			rr2 := -(t2_1*imag(d1) + t2_2*imag(d2))
			ri2 := t2_1*real(d1) + t2_2*real(d2)
			b2[i] = complex(re2+rr2, im2+ri2)
			b3[i] = complex(re2-rr2, im2-ri2)
		}
		return
	}
	for i := range a0 {
		x0 := a0[i]
		x1, y1 := a1[i], a4[i]
		s1, d1 := x1+y1, x1-y1
		x2, y2 := a2[i], a3[i]
		s2, d2 := x2+y2, x2-y2
		b0[i] = x0 + s1 + s2
		re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2)
		im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2)
		rr1 := -(t1_1*imag(d1) + t1_2*imag(d2))
		ri1 := t1_1*real(d1) + t1_2*real(d2)
		b1[i] = complex(re1+rr1, im1+ri1) * w1
		b4[i] = complex(re1-rr1, im1-ri1) * w4
		re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2)
		im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2)
		rr2 := -(t2_1*imag(d1) + t2_2*imag(d2))
		ri2 := t2_1*real(d1) + t2_2*real(d2)
		b2[i] = complex(re2+rr2, im2+ri2) * w2
		b3[i] = complex(re2-rr2, im2-ri2) * w3
	}
}

// bfly7 is the radix-7 pass of one Stockham stage for one q (see run).
func (st *fftStage) bfly7(in, out func(int) []complex128, tw []complex128, blk int) {
	a0 := in(0)[:blk]
	a1 := in(1)[:blk]
	a2 := in(2)[:blk]
	a3 := in(3)[:blk]
	a4 := in(4)[:blk]
	a5 := in(5)[:blk]
	a6 := in(6)[:blk]
	b0 := out(0)[:blk]
	b1 := out(1)[:blk]
	b2 := out(2)[:blk]
	b3 := out(3)[:blk]
	b4 := out(4)[:blk]
	b5 := out(5)[:blk]
	b6 := out(6)[:blk]
	c1_1, t1_1 := st.cos[8], st.sin[8]
	c1_2, t1_2 := st.cos[9], st.sin[9]
	c1_3, t1_3 := st.cos[10], st.sin[10]
	c2_1, t2_1 := st.cos[15], st.sin[15]
	c2_2, t2_2 := st.cos[16], st.sin[16]
	c2_3, t2_3 := st.cos[17], st.sin[17]
	c3_1, t3_1 := st.cos[22], st.sin[22]
	c3_2, t3_2 := st.cos[23], st.sin[23]
	c3_3, t3_3 := st.cos[24], st.sin[24]
	_ = tw[5]
	w1 := tw[0]
	w2 := tw[1]
	w3 := tw[2]
	w4 := tw[3]
	w5 := tw[4]
	w6 := tw[5]
	unit := true
	for _, t := range tw {
		unit = unit && t == 1
	}
	if unit {
		for i := range a0 {
			x0 := a0[i]
			x1, y1 := a1[i], a6[i]
			s1, d1 := x1+y1, x1-y1
			x2, y2 := a2[i], a5[i]
			s2, d2 := x2+y2, x2-y2
			x3, y3 := a3[i], a4[i]
			s3, d3 := x3+y3, x3-y3
			b0[i] = x0 + s1 + s2 + s3
			re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2) + c1_3*real(s3)
			im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2) + c1_3*imag(s3)
			rr1 := -(t1_1*imag(d1) + t1_2*imag(d2) + t1_3*imag(d3))
			ri1 := t1_1*real(d1) + t1_2*real(d2) + t1_3*real(d3)
			b1[i] = complex(re1+rr1, im1+ri1)
			b6[i] = complex(re1-rr1, im1-ri1)
			re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2) + c2_3*real(s3)
			im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2) + c2_3*imag(s3)
			rr2 := -(t2_1*imag(d1) + t2_2*imag(d2) + t2_3*imag(d3))
			ri2 := t2_1*real(d1) + t2_2*real(d2) + t2_3*real(d3)
			b2[i] = complex(re2+rr2, im2+ri2)
			b5[i] = complex(re2-rr2, im2-ri2)
			re3 := real(x0) + c3_1*real(s1) + c3_2*real(s2) + c3_3*real(s3)
			im3 := imag(x0) + c3_1*imag(s1) + c3_2*imag(s2) + c3_3*imag(s3)
			rr3 := -(t3_1*imag(d1) + t3_2*imag(d2) + t3_3*imag(d3))
			ri3 := t3_1*real(d1) + t3_2*real(d2) + t3_3*real(d3)
			b3[i] = complex(re3+rr3, im3+ri3)
			b4[i] = complex(re3-rr3, im3-ri3)
		}
		return
	}
	for i := range a0 {
		x0 := a0[i]
		x1, y1 := a1[i], a6[i]
		s1, d1 := x1+y1, x1-y1
		x2, y2 := a2[i], a5[i]
		s2, d2 := x2+y2, x2-y2
		x3, y3 := a3[i], a4[i]
		s3, d3 := x3+y3, x3-y3
		b0[i] = x0 + s1 + s2 + s3
		re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2) + c1_3*real(s3)
		im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2) + c1_3*imag(s3)
		rr1 := -(t1_1*imag(d1) + t1_2*imag(d2) + t1_3*imag(d3))
		ri1 := t1_1*real(d1) + t1_2*real(d2) + t1_3*real(d3)
		b1[i] = complex(re1+rr1, im1+ri1) * w1
		b6[i] = complex(re1-rr1, im1-ri1) * w6
		re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2) + c2_3*real(s3)
		im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2) + c2_3*imag(s3)
		rr2 := -(t2_1*imag(d1) + t2_2*imag(d2) + t2_3*imag(d3))
		ri2 := t2_1*real(d1) + t2_2*real(d2) + t2_3*real(d3)
		b2[i] = complex(re2+rr2, im2+ri2) * w2
		b5[i] = complex(re2-rr2, im2-ri2) * w5
		re3 := real(x0) + c3_1*real(s1) + c3_2*real(s2) + c3_3*real(s3)
		im3 := imag(x0) + c3_1*imag(s1) + c3_2*imag(s2) + c3_3*imag(s3)
		rr3 := -(t3_1*imag(d1) + t3_2*imag(d2) + t3_3*imag(d3))
		ri3 := t3_1*real(d1) + t3_2*real(d2) + t3_3*real(d3)
		b3[i] = complex(re3+rr3, im3+ri3) * w3
		b4[i] = complex(re3-rr3, im3-ri3) * w4
	}
}

// bfly11 is the radix-11 pass of one Stockham stage for one q (see run).
func (st *fftStage) bfly11(in, out func(int) []complex128, tw []complex128, blk int) {
	a0 := in(0)[:blk]
	a1 := in(1)[:blk]
	a2 := in(2)[:blk]
	a3 := in(3)[:blk]
	a4 := in(4)[:blk]
	a5 := in(5)[:blk]
	a6 := in(6)[:blk]
	a7 := in(7)[:blk]
	a8 := in(8)[:blk]
	a9 := in(9)[:blk]
	a10 := in(10)[:blk]
	b0 := out(0)[:blk]
	b1 := out(1)[:blk]
	b2 := out(2)[:blk]
	b3 := out(3)[:blk]
	b4 := out(4)[:blk]
	b5 := out(5)[:blk]
	b6 := out(6)[:blk]
	b7 := out(7)[:blk]
	b8 := out(8)[:blk]
	b9 := out(9)[:blk]
	b10 := out(10)[:blk]
	c1_1, t1_1 := st.cos[12], st.sin[12]
	c1_2, t1_2 := st.cos[13], st.sin[13]
	c1_3, t1_3 := st.cos[14], st.sin[14]
	c1_4, t1_4 := st.cos[15], st.sin[15]
	c1_5, t1_5 := st.cos[16], st.sin[16]
	c2_1, t2_1 := st.cos[23], st.sin[23]
	c2_2, t2_2 := st.cos[24], st.sin[24]
	c2_3, t2_3 := st.cos[25], st.sin[25]
	c2_4, t2_4 := st.cos[26], st.sin[26]
	c2_5, t2_5 := st.cos[27], st.sin[27]
	c3_1, t3_1 := st.cos[34], st.sin[34]
	c3_2, t3_2 := st.cos[35], st.sin[35]
	c3_3, t3_3 := st.cos[36], st.sin[36]
	c3_4, t3_4 := st.cos[37], st.sin[37]
	c3_5, t3_5 := st.cos[38], st.sin[38]
	c4_1, t4_1 := st.cos[45], st.sin[45]
	c4_2, t4_2 := st.cos[46], st.sin[46]
	c4_3, t4_3 := st.cos[47], st.sin[47]
	c4_4, t4_4 := st.cos[48], st.sin[48]
	c4_5, t4_5 := st.cos[49], st.sin[49]
	c5_1, t5_1 := st.cos[56], st.sin[56]
	c5_2, t5_2 := st.cos[57], st.sin[57]
	c5_3, t5_3 := st.cos[58], st.sin[58]
	c5_4, t5_4 := st.cos[59], st.sin[59]
	c5_5, t5_5 := st.cos[60], st.sin[60]
	_ = tw[9]
	w1 := tw[0]
	w2 := tw[1]
	w3 := tw[2]
	w4 := tw[3]
	w5 := tw[4]
	w6 := tw[5]
	w7 := tw[6]
	w8 := tw[7]
	w9 := tw[8]
	w10 := tw[9]
	unit := true
	for _, t := range tw {
		unit = unit && t == 1
	}
	if unit {
		for i := range a0 {
			x0 := a0[i]
			x1, y1 := a1[i], a10[i]
			s1, d1 := x1+y1, x1-y1
			x2, y2 := a2[i], a9[i]
			s2, d2 := x2+y2, x2-y2
			x3, y3 := a3[i], a8[i]
			s3, d3 := x3+y3, x3-y3
			x4, y4 := a4[i], a7[i]
			s4, d4 := x4+y4, x4-y4
			x5, y5 := a5[i], a6[i]
			s5, d5 := x5+y5, x5-y5
			b0[i] = x0 + s1 + s2 + s3 + s4 + s5
			re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2) + c1_3*real(s3) + c1_4*real(s4) + c1_5*real(s5)
			im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2) + c1_3*imag(s3) + c1_4*imag(s4) + c1_5*imag(s5)
			rr1 := -(t1_1*imag(d1) + t1_2*imag(d2) + t1_3*imag(d3) + t1_4*imag(d4) + t1_5*imag(d5))
			ri1 := t1_1*real(d1) + t1_2*real(d2) + t1_3*real(d3) + t1_4*real(d4) + t1_5*real(d5)
			b1[i] = complex(re1+rr1, im1+ri1)
			b10[i] = complex(re1-rr1, im1-ri1)
			re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2) + c2_3*real(s3) + c2_4*real(s4) + c2_5*real(s5)
			im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2) + c2_3*imag(s3) + c2_4*imag(s4) + c2_5*imag(s5)
			rr2 := -(t2_1*imag(d1) + t2_2*imag(d2) + t2_3*imag(d3) + t2_4*imag(d4) + t2_5*imag(d5))
			ri2 := t2_1*real(d1) + t2_2*real(d2) + t2_3*real(d3) + t2_4*real(d4) + t2_5*real(d5)
			b2[i] = complex(re2+rr2, im2+ri2)
			b9[i] = complex(re2-rr2, im2-ri2)
			re3 := real(x0) + c3_1*real(s1) + c3_2*real(s2) + c3_3*real(s3) + c3_4*real(s4) + c3_5*real(s5)
			im3 := imag(x0) + c3_1*imag(s1) + c3_2*imag(s2) + c3_3*imag(s3) + c3_4*imag(s4) + c3_5*imag(s5)
			rr3 := -(t3_1*imag(d1) + t3_2*imag(d2) + t3_3*imag(d3) + t3_4*imag(d4) + t3_5*imag(d5))
			ri3 := t3_1*real(d1) + t3_2*real(d2) + t3_3*real(d3) + t3_4*real(d4) + t3_5*real(d5)
			b3[i] = complex(re3+rr3, im3+ri3)
			b8[i] = complex(re3-rr3, im3-ri3)
			re4 := real(x0) + c4_1*real(s1) + c4_2*real(s2) + c4_3*real(s3) + c4_4*real(s4) + c4_5*real(s5)
			im4 := imag(x0) + c4_1*imag(s1) + c4_2*imag(s2) + c4_3*imag(s3) + c4_4*imag(s4) + c4_5*imag(s5)
			rr4 := -(t4_1*imag(d1) + t4_2*imag(d2) + t4_3*imag(d3) + t4_4*imag(d4) + t4_5*imag(d5))
			ri4 := t4_1*real(d1) + t4_2*real(d2) + t4_3*real(d3) + t4_4*real(d4) + t4_5*real(d5)
			b4[i] = complex(re4+rr4, im4+ri4)
			b7[i] = complex(re4-rr4, im4-ri4)
			re5 := real(x0) + c5_1*real(s1) + c5_2*real(s2) + c5_3*real(s3) + c5_4*real(s4) + c5_5*real(s5)
			im5 := imag(x0) + c5_1*imag(s1) + c5_2*imag(s2) + c5_3*imag(s3) + c5_4*imag(s4) + c5_5*imag(s5)
			rr5 := -(t5_1*imag(d1) + t5_2*imag(d2) + t5_3*imag(d3) + t5_4*imag(d4) + t5_5*imag(d5))
			ri5 := t5_1*real(d1) + t5_2*real(d2) + t5_3*real(d3) + t5_4*real(d4) + t5_5*real(d5)
			b5[i] = complex(re5+rr5, im5+ri5)
			b6[i] = complex(re5-rr5, im5-ri5)
		}
		return
	}
	for i := range a0 {
		x0 := a0[i]
		x1, y1 := a1[i], a10[i]
		s1, d1 := x1+y1, x1-y1
		x2, y2 := a2[i], a9[i]
		s2, d2 := x2+y2, x2-y2
		x3, y3 := a3[i], a8[i]
		s3, d3 := x3+y3, x3-y3
		x4, y4 := a4[i], a7[i]
		s4, d4 := x4+y4, x4-y4
		x5, y5 := a5[i], a6[i]
		s5, d5 := x5+y5, x5-y5
		b0[i] = x0 + s1 + s2 + s3 + s4 + s5
		re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2) + c1_3*real(s3) + c1_4*real(s4) + c1_5*real(s5)
		im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2) + c1_3*imag(s3) + c1_4*imag(s4) + c1_5*imag(s5)
		rr1 := -(t1_1*imag(d1) + t1_2*imag(d2) + t1_3*imag(d3) + t1_4*imag(d4) + t1_5*imag(d5))
		ri1 := t1_1*real(d1) + t1_2*real(d2) + t1_3*real(d3) + t1_4*real(d4) + t1_5*real(d5)
		b1[i] = complex(re1+rr1, im1+ri1) * w1
		b10[i] = complex(re1-rr1, im1-ri1) * w10
		re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2) + c2_3*real(s3) + c2_4*real(s4) + c2_5*real(s5)
		im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2) + c2_3*imag(s3) + c2_4*imag(s4) + c2_5*imag(s5)
		rr2 := -(t2_1*imag(d1) + t2_2*imag(d2) + t2_3*imag(d3) + t2_4*imag(d4) + t2_5*imag(d5))
		ri2 := t2_1*real(d1) + t2_2*real(d2) + t2_3*real(d3) + t2_4*real(d4) + t2_5*real(d5)
		b2[i] = complex(re2+rr2, im2+ri2) * w2
		b9[i] = complex(re2-rr2, im2-ri2) * w9
		re3 := real(x0) + c3_1*real(s1) + c3_2*real(s2) + c3_3*real(s3) + c3_4*real(s4) + c3_5*real(s5)
		im3 := imag(x0) + c3_1*imag(s1) + c3_2*imag(s2) + c3_3*imag(s3) + c3_4*imag(s4) + c3_5*imag(s5)
		rr3 := -(t3_1*imag(d1) + t3_2*imag(d2) + t3_3*imag(d3) + t3_4*imag(d4) + t3_5*imag(d5))
		ri3 := t3_1*real(d1) + t3_2*real(d2) + t3_3*real(d3) + t3_4*real(d4) + t3_5*real(d5)
		b3[i] = complex(re3+rr3, im3+ri3) * w3
		b8[i] = complex(re3-rr3, im3-ri3) * w8
		re4 := real(x0) + c4_1*real(s1) + c4_2*real(s2) + c4_3*real(s3) + c4_4*real(s4) + c4_5*real(s5)
		im4 := imag(x0) + c4_1*imag(s1) + c4_2*imag(s2) + c4_3*imag(s3) + c4_4*imag(s4) + c4_5*imag(s5)
		rr4 := -(t4_1*imag(d1) + t4_2*imag(d2) + t4_3*imag(d3) + t4_4*imag(d4) + t4_5*imag(d5))
		ri4 := t4_1*real(d1) + t4_2*real(d2) + t4_3*real(d3) + t4_4*real(d4) + t4_5*real(d5)
		b4[i] = complex(re4+rr4, im4+ri4) * w4
		b7[i] = complex(re4-rr4, im4-ri4) * w7
		re5 := real(x0) + c5_1*real(s1) + c5_2*real(s2) + c5_3*real(s3) + c5_4*real(s4) + c5_5*real(s5)
		im5 := imag(x0) + c5_1*imag(s1) + c5_2*imag(s2) + c5_3*imag(s3) + c5_4*imag(s4) + c5_5*imag(s5)
		rr5 := -(t5_1*imag(d1) + t5_2*imag(d2) + t5_3*imag(d3) + t5_4*imag(d4) + t5_5*imag(d5))
		ri5 := t5_1*real(d1) + t5_2*real(d2) + t5_3*real(d3) + t5_4*real(d4) + t5_5*real(d5)
		b5[i] = complex(re5+rr5, im5+ri5) * w5
		b6[i] = complex(re5-rr5, im5-ri5) * w6
	}
}

// bfly13 is the radix-13 pass of one Stockham stage for one q (see run).
func (st *fftStage) bfly13(in, out func(int) []complex128, tw []complex128, blk int) {
	a0 := in(0)[:blk]
	a1 := in(1)[:blk]
	a2 := in(2)[:blk]
	a3 := in(3)[:blk]
	a4 := in(4)[:blk]
	a5 := in(5)[:blk]
	a6 := in(6)[:blk]
	a7 := in(7)[:blk]
	a8 := in(8)[:blk]
	a9 := in(9)[:blk]
	a10 := in(10)[:blk]
	a11 := in(11)[:blk]
	a12 := in(12)[:blk]
	b0 := out(0)[:blk]
	b1 := out(1)[:blk]
	b2 := out(2)[:blk]
	b3 := out(3)[:blk]
	b4 := out(4)[:blk]
	b5 := out(5)[:blk]
	b6 := out(6)[:blk]
	b7 := out(7)[:blk]
	b8 := out(8)[:blk]
	b9 := out(9)[:blk]
	b10 := out(10)[:blk]
	b11 := out(11)[:blk]
	b12 := out(12)[:blk]
	c1_1, t1_1 := st.cos[14], st.sin[14]
	c1_2, t1_2 := st.cos[15], st.sin[15]
	c1_3, t1_3 := st.cos[16], st.sin[16]
	c1_4, t1_4 := st.cos[17], st.sin[17]
	c1_5, t1_5 := st.cos[18], st.sin[18]
	c1_6, t1_6 := st.cos[19], st.sin[19]
	c2_1, t2_1 := st.cos[27], st.sin[27]
	c2_2, t2_2 := st.cos[28], st.sin[28]
	c2_3, t2_3 := st.cos[29], st.sin[29]
	c2_4, t2_4 := st.cos[30], st.sin[30]
	c2_5, t2_5 := st.cos[31], st.sin[31]
	c2_6, t2_6 := st.cos[32], st.sin[32]
	c3_1, t3_1 := st.cos[40], st.sin[40]
	c3_2, t3_2 := st.cos[41], st.sin[41]
	c3_3, t3_3 := st.cos[42], st.sin[42]
	c3_4, t3_4 := st.cos[43], st.sin[43]
	c3_5, t3_5 := st.cos[44], st.sin[44]
	c3_6, t3_6 := st.cos[45], st.sin[45]
	c4_1, t4_1 := st.cos[53], st.sin[53]
	c4_2, t4_2 := st.cos[54], st.sin[54]
	c4_3, t4_3 := st.cos[55], st.sin[55]
	c4_4, t4_4 := st.cos[56], st.sin[56]
	c4_5, t4_5 := st.cos[57], st.sin[57]
	c4_6, t4_6 := st.cos[58], st.sin[58]
	c5_1, t5_1 := st.cos[66], st.sin[66]
	c5_2, t5_2 := st.cos[67], st.sin[67]
	c5_3, t5_3 := st.cos[68], st.sin[68]
	c5_4, t5_4 := st.cos[69], st.sin[69]
	c5_5, t5_5 := st.cos[70], st.sin[70]
	c5_6, t5_6 := st.cos[71], st.sin[71]
	c6_1, t6_1 := st.cos[79], st.sin[79]
	c6_2, t6_2 := st.cos[80], st.sin[80]
	c6_3, t6_3 := st.cos[81], st.sin[81]
	c6_4, t6_4 := st.cos[82], st.sin[82]
	c6_5, t6_5 := st.cos[83], st.sin[83]
	c6_6, t6_6 := st.cos[84], st.sin[84]
	_ = tw[11]
	w1 := tw[0]
	w2 := tw[1]
	w3 := tw[2]
	w4 := tw[3]
	w5 := tw[4]
	w6 := tw[5]
	w7 := tw[6]
	w8 := tw[7]
	w9 := tw[8]
	w10 := tw[9]
	w11 := tw[10]
	w12 := tw[11]
	unit := true
	for _, t := range tw {
		unit = unit && t == 1
	}
	if unit {
		for i := range a0 {
			x0 := a0[i]
			x1, y1 := a1[i], a12[i]
			s1, d1 := x1+y1, x1-y1
			x2, y2 := a2[i], a11[i]
			s2, d2 := x2+y2, x2-y2
			x3, y3 := a3[i], a10[i]
			s3, d3 := x3+y3, x3-y3
			x4, y4 := a4[i], a9[i]
			s4, d4 := x4+y4, x4-y4
			x5, y5 := a5[i], a8[i]
			s5, d5 := x5+y5, x5-y5
			x6, y6 := a6[i], a7[i]
			s6, d6 := x6+y6, x6-y6
			b0[i] = x0 + s1 + s2 + s3 + s4 + s5 + s6
			re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2) + c1_3*real(s3) + c1_4*real(s4) + c1_5*real(s5) + c1_6*real(s6)
			im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2) + c1_3*imag(s3) + c1_4*imag(s4) + c1_5*imag(s5) + c1_6*imag(s6)
			rr1 := -(t1_1*imag(d1) + t1_2*imag(d2) + t1_3*imag(d3) + t1_4*imag(d4) + t1_5*imag(d5) + t1_6*imag(d6))
			ri1 := t1_1*real(d1) + t1_2*real(d2) + t1_3*real(d3) + t1_4*real(d4) + t1_5*real(d5) + t1_6*real(d6)
			b1[i] = complex(re1+rr1, im1+ri1)
			b12[i] = complex(re1-rr1, im1-ri1)
			re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2) + c2_3*real(s3) + c2_4*real(s4) + c2_5*real(s5) + c2_6*real(s6)
			im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2) + c2_3*imag(s3) + c2_4*imag(s4) + c2_5*imag(s5) + c2_6*imag(s6)
			rr2 := -(t2_1*imag(d1) + t2_2*imag(d2) + t2_3*imag(d3) + t2_4*imag(d4) + t2_5*imag(d5) + t2_6*imag(d6))
			ri2 := t2_1*real(d1) + t2_2*real(d2) + t2_3*real(d3) + t2_4*real(d4) + t2_5*real(d5) + t2_6*real(d6)
			b2[i] = complex(re2+rr2, im2+ri2)
			b11[i] = complex(re2-rr2, im2-ri2)
			re3 := real(x0) + c3_1*real(s1) + c3_2*real(s2) + c3_3*real(s3) + c3_4*real(s4) + c3_5*real(s5) + c3_6*real(s6)
			im3 := imag(x0) + c3_1*imag(s1) + c3_2*imag(s2) + c3_3*imag(s3) + c3_4*imag(s4) + c3_5*imag(s5) + c3_6*imag(s6)
			rr3 := -(t3_1*imag(d1) + t3_2*imag(d2) + t3_3*imag(d3) + t3_4*imag(d4) + t3_5*imag(d5) + t3_6*imag(d6))
			ri3 := t3_1*real(d1) + t3_2*real(d2) + t3_3*real(d3) + t3_4*real(d4) + t3_5*real(d5) + t3_6*real(d6)
			b3[i] = complex(re3+rr3, im3+ri3)
			b10[i] = complex(re3-rr3, im3-ri3)
			re4 := real(x0) + c4_1*real(s1) + c4_2*real(s2) + c4_3*real(s3) + c4_4*real(s4) + c4_5*real(s5) + c4_6*real(s6)
			im4 := imag(x0) + c4_1*imag(s1) + c4_2*imag(s2) + c4_3*imag(s3) + c4_4*imag(s4) + c4_5*imag(s5) + c4_6*imag(s6)
			rr4 := -(t4_1*imag(d1) + t4_2*imag(d2) + t4_3*imag(d3) + t4_4*imag(d4) + t4_5*imag(d5) + t4_6*imag(d6))
			ri4 := t4_1*real(d1) + t4_2*real(d2) + t4_3*real(d3) + t4_4*real(d4) + t4_5*real(d5) + t4_6*real(d6)
			b4[i] = complex(re4+rr4, im4+ri4)
			b9[i] = complex(re4-rr4, im4-ri4)
			re5 := real(x0) + c5_1*real(s1) + c5_2*real(s2) + c5_3*real(s3) + c5_4*real(s4) + c5_5*real(s5) + c5_6*real(s6)
			im5 := imag(x0) + c5_1*imag(s1) + c5_2*imag(s2) + c5_3*imag(s3) + c5_4*imag(s4) + c5_5*imag(s5) + c5_6*imag(s6)
			rr5 := -(t5_1*imag(d1) + t5_2*imag(d2) + t5_3*imag(d3) + t5_4*imag(d4) + t5_5*imag(d5) + t5_6*imag(d6))
			ri5 := t5_1*real(d1) + t5_2*real(d2) + t5_3*real(d3) + t5_4*real(d4) + t5_5*real(d5) + t5_6*real(d6)
			b5[i] = complex(re5+rr5, im5+ri5)
			b8[i] = complex(re5-rr5, im5-ri5)
			re6 := real(x0) + c6_1*real(s1) + c6_2*real(s2) + c6_3*real(s3) + c6_4*real(s4) + c6_5*real(s5) + c6_6*real(s6)
			im6 := imag(x0) + c6_1*imag(s1) + c6_2*imag(s2) + c6_3*imag(s3) + c6_4*imag(s4) + c6_5*imag(s5) + c6_6*imag(s6)
			rr6 := -(t6_1*imag(d1) + t6_2*imag(d2) + t6_3*imag(d3) + t6_4*imag(d4) + t6_5*imag(d5) + t6_6*imag(d6))
			ri6 := t6_1*real(d1) + t6_2*real(d2) + t6_3*real(d3) + t6_4*real(d4) + t6_5*real(d5) + t6_6*real(d6)
			b6[i] = complex(re6+rr6, im6+ri6)
			b7[i] = complex(re6-rr6, im6-ri6)
		}
		return
	}
	for i := range a0 {
		x0 := a0[i]
		x1, y1 := a1[i], a12[i]
		s1, d1 := x1+y1, x1-y1
		x2, y2 := a2[i], a11[i]
		s2, d2 := x2+y2, x2-y2
		x3, y3 := a3[i], a10[i]
		s3, d3 := x3+y3, x3-y3
		x4, y4 := a4[i], a9[i]
		s4, d4 := x4+y4, x4-y4
		x5, y5 := a5[i], a8[i]
		s5, d5 := x5+y5, x5-y5
		x6, y6 := a6[i], a7[i]
		s6, d6 := x6+y6, x6-y6
		b0[i] = x0 + s1 + s2 + s3 + s4 + s5 + s6
		re1 := real(x0) + c1_1*real(s1) + c1_2*real(s2) + c1_3*real(s3) + c1_4*real(s4) + c1_5*real(s5) + c1_6*real(s6)
		im1 := imag(x0) + c1_1*imag(s1) + c1_2*imag(s2) + c1_3*imag(s3) + c1_4*imag(s4) + c1_5*imag(s5) + c1_6*imag(s6)
		rr1 := -(t1_1*imag(d1) + t1_2*imag(d2) + t1_3*imag(d3) + t1_4*imag(d4) + t1_5*imag(d5) + t1_6*imag(d6))
		ri1 := t1_1*real(d1) + t1_2*real(d2) + t1_3*real(d3) + t1_4*real(d4) + t1_5*real(d5) + t1_6*real(d6)
		b1[i] = complex(re1+rr1, im1+ri1) * w1
		b12[i] = complex(re1-rr1, im1-ri1) * w12
		re2 := real(x0) + c2_1*real(s1) + c2_2*real(s2) + c2_3*real(s3) + c2_4*real(s4) + c2_5*real(s5) + c2_6*real(s6)
		im2 := imag(x0) + c2_1*imag(s1) + c2_2*imag(s2) + c2_3*imag(s3) + c2_4*imag(s4) + c2_5*imag(s5) + c2_6*imag(s6)
		rr2 := -(t2_1*imag(d1) + t2_2*imag(d2) + t2_3*imag(d3) + t2_4*imag(d4) + t2_5*imag(d5) + t2_6*imag(d6))
		ri2 := t2_1*real(d1) + t2_2*real(d2) + t2_3*real(d3) + t2_4*real(d4) + t2_5*real(d5) + t2_6*real(d6)
		b2[i] = complex(re2+rr2, im2+ri2) * w2
		b11[i] = complex(re2-rr2, im2-ri2) * w11
		re3 := real(x0) + c3_1*real(s1) + c3_2*real(s2) + c3_3*real(s3) + c3_4*real(s4) + c3_5*real(s5) + c3_6*real(s6)
		im3 := imag(x0) + c3_1*imag(s1) + c3_2*imag(s2) + c3_3*imag(s3) + c3_4*imag(s4) + c3_5*imag(s5) + c3_6*imag(s6)
		rr3 := -(t3_1*imag(d1) + t3_2*imag(d2) + t3_3*imag(d3) + t3_4*imag(d4) + t3_5*imag(d5) + t3_6*imag(d6))
		ri3 := t3_1*real(d1) + t3_2*real(d2) + t3_3*real(d3) + t3_4*real(d4) + t3_5*real(d5) + t3_6*real(d6)
		b3[i] = complex(re3+rr3, im3+ri3) * w3
		b10[i] = complex(re3-rr3, im3-ri3) * w10
		re4 := real(x0) + c4_1*real(s1) + c4_2*real(s2) + c4_3*real(s3) + c4_4*real(s4) + c4_5*real(s5) + c4_6*real(s6)
		im4 := imag(x0) + c4_1*imag(s1) + c4_2*imag(s2) + c4_3*imag(s3) + c4_4*imag(s4) + c4_5*imag(s5) + c4_6*imag(s6)
		rr4 := -(t4_1*imag(d1) + t4_2*imag(d2) + t4_3*imag(d3) + t4_4*imag(d4) + t4_5*imag(d5) + t4_6*imag(d6))
		ri4 := t4_1*real(d1) + t4_2*real(d2) + t4_3*real(d3) + t4_4*real(d4) + t4_5*real(d5) + t4_6*real(d6)
		b4[i] = complex(re4+rr4, im4+ri4) * w4
		b9[i] = complex(re4-rr4, im4-ri4) * w9
		re5 := real(x0) + c5_1*real(s1) + c5_2*real(s2) + c5_3*real(s3) + c5_4*real(s4) + c5_5*real(s5) + c5_6*real(s6)
		im5 := imag(x0) + c5_1*imag(s1) + c5_2*imag(s2) + c5_3*imag(s3) + c5_4*imag(s4) + c5_5*imag(s5) + c5_6*imag(s6)
		rr5 := -(t5_1*imag(d1) + t5_2*imag(d2) + t5_3*imag(d3) + t5_4*imag(d4) + t5_5*imag(d5) + t5_6*imag(d6))
		ri5 := t5_1*real(d1) + t5_2*real(d2) + t5_3*real(d3) + t5_4*real(d4) + t5_5*real(d5) + t5_6*real(d6)
		b5[i] = complex(re5+rr5, im5+ri5) * w5
		b8[i] = complex(re5-rr5, im5-ri5) * w8
		re6 := real(x0) + c6_1*real(s1) + c6_2*real(s2) + c6_3*real(s3) + c6_4*real(s4) + c6_5*real(s5) + c6_6*real(s6)
		im6 := imag(x0) + c6_1*imag(s1) + c6_2*imag(s2) + c6_3*imag(s3) + c6_4*imag(s4) + c6_5*imag(s5) + c6_6*imag(s6)
		rr6 := -(t6_1*imag(d1) + t6_2*imag(d2) + t6_3*imag(d3) + t6_4*imag(d4) + t6_5*imag(d5) + t6_6*imag(d6))
		ri6 := t6_1*real(d1) + t6_2*real(d2) + t6_3*real(d3) + t6_4*real(d4) + t6_5*real(d5) + t6_6*real(d6)
		b6[i] = complex(re6+rr6, im6+ri6) * w6
		b7[i] = complex(re6-rr6, im6-ri6) * w7
	}
}
