package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestVecKernels checks the kernels in use (AVX2 in a GOEXPERIMENT=simd
// build, else the portable ones) against the portable definitions bit for
// bit, on lengths that exercise the vector body and the scalar tail.
func TestVecKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	t.Logf("kernels: %s", simdKernels)
	for _, n := range []int{0, 1, 3, 4, 5, 8, 13, 520} {
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i], b[i] = rnd.NormFloat64()*100, rnd.NormFloat64()
		}
		c := rnd.NormFloat64()
		pairs := []struct {
			name      string
			got, want func(dst []float64)
		}{
			{"axpy", func(d []float64) { axpy(d, a, c) }, func(d []float64) { axpyGo(d, a, c) }},
			{"scal", func(d []float64) { scal(d, a, c) }, func(d []float64) { scalGo(d, a, c) }},
			{"mulv", func(d []float64) { mulv(d, a, b) }, func(d []float64) { mulvGo(d, a, b) }},
		}
		for _, p := range pairs {
			got, want := append([]float64(nil), b...), append([]float64(nil), b...)
			p.got(got)
			p.want(want)
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%s n=%d: element %d = %v, want %v", p.name, n, i, got[i], want[i])
				}
			}
		}
	}
}

// TestFFTKernels checks the vector FFT passes (when in use) against the
// portable ones bit for bit, on lengths covering every radix and on odd
// column counts (scalar tail of each run).
func TestFFTKernels(t *testing.T) {
	if vecStage == nil {
		t.Skip("portable FFT passes only in this build")
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][2]int{{520, 3}, {1, 520}, {7, 440}, {6, 600}, {5, 2 * 3 * 17}, {4, 13}} {
		w, h := sz[0], sz[1]
		for _, inv := range []bool{false, true} {
			x := make([]complex128, w*h)
			for i := range x {
				x[i] = complex(rnd.NormFloat64(), rnd.NormFloat64())
			}
			y := append([]complex128(nil), x...)
			transformCols(x, make([]complex128, w*h), w, h, inv)
			saved := vecStage
			vecStage = nil
			transformCols(y, make([]complex128, w*h), w, h, inv)
			vecStage = saved
			for i := range x {
				if math.Float64bits(real(x[i])) != math.Float64bits(real(y[i])) ||
					math.Float64bits(imag(x[i])) != math.Float64bits(imag(y[i])) {
					t.Fatalf("%dx%d inverse=%v: element %d = %v, want %v", w, h, inv, i, x[i], y[i])
				}
			}
		}
	}
}

// TestDotTaps checks the tap kernel in use against the portable one bit
// for bit, horizontally and vertically, with and without a scalar tail.
func TestDotTaps(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ n, stride, taps int }{{1, 1, 11}, {8, 1, 11}, {13, 1, 8}, {510, 1, 11}, {520, 520, 11}, {9, 20, 3}} {
		p := make([]float64, (tc.taps-1)*tc.stride+tc.n)
		for i := range p {
			p[i] = rnd.Float64() * 255
		}
		k := make([]float64, tc.taps)
		for i := range k {
			k[i] = rnd.Float64()
		}
		got, want := make([]float64, tc.n), make([]float64, tc.n)
		dotTaps(got, p, tc.stride, k)
		dotTapsGo(want, p, tc.stride, k)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%+v: output %d = %v, want %v", tc, i, got[i], want[i])
			}
		}
	}
}

// TestGradPolar checks the gradient-polar kernel in use against the
// portable one (math.Sqrt, math.Atan) bit for bit, over every argument
// range of the arctangent, zeros of both signs and a scalar tail.
func TestGradPolar(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	const n = 4003
	gx, gy := make([]float64, n), make([]float64, n)
	for i := range gx {
		scale := math.Pow(10, float64(rnd.IntN(12)-6))
		gx[i], gy[i] = rnd.NormFloat64()*scale, rnd.NormFloat64()*scale
		switch i % 7 {
		case 0:
			gx[i] = 0
		case 1:
			gy[i] = math.Copysign(0, rnd.NormFloat64())
		case 2:
			gx[i] = math.Copysign(0, -1)
		}
	}
	g, a := make([]float64, n), make([]float64, n)
	wg, wa := make([]float64, n), make([]float64, n)
	gradPolar(g, a, gx, gy)
	gradPolarGo(wg, wa, gx, gy)
	for i := range g {
		if math.Float64bits(g[i]) != math.Float64bits(wg[i]) || math.Float64bits(a[i]) != math.Float64bits(wa[i]) {
			t.Fatalf("(%v, %v): got g=%v a=%v, want g=%v a=%v", gx[i], gy[i], g[i], a[i], wg[i], wa[i])
		}
	}
}

// TestQabfKernels checks Qabf.m's kernels in use against the portable
// ones: the orientations bit for bit (zero x responses included), the
// accumulated sums to a few ulps (the vector exponential), and the
// G = gF branch where the magnitudes are equal (zero included).
func TestQabfKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(21, 22))
	const n = 2051
	gx, gy := make([]float64, n), make([]float64, n)
	gs, gf := make([]float64, n), make([]float64, n)
	for i := range gx {
		gx[i], gy[i] = float64(rnd.IntN(2041)-1020), float64(rnd.IntN(2041)-1020)
		gs[i], gf[i] = math.Abs(rnd.NormFloat64())*300, math.Abs(rnd.NormFloat64())*300
		switch i % 6 {
		case 0:
			gx[i] = 0
		case 1:
			gx[i] = math.Copysign(0, -1)
		case 2:
			gf[i] = gs[i]
		case 3:
			gs[i], gf[i] = 0, 0
		case 4:
			gs[i] = 0
		}
	}
	as, wa := make([]float64, n), make([]float64, n)
	qabfAngles(as, gx, gy)
	qabfAnglesGo(wa, gx, gy)
	for i := range as {
		if math.Float64bits(as[i]) != math.Float64bits(wa[i]) {
			t.Fatalf("angle (%v, %v): %v, want %v", gx[i], gy[i], as[i], wa[i])
		}
	}
	af := make([]float64, n)
	for i := range af {
		af[i] = as[(i*7+3)%n]
	}
	num, den := make([]float64, n), make([]float64, n)
	wnum, wden := make([]float64, n), make([]float64, n)
	for pass := 0; pass < 2; pass++ { // the second pass adds to the first
		qabfAcc(num, den, gs, gf, as, af)
		qabfAccGo(wnum, wden, gs, gf, as, af)
	}
	for i := range num {
		if math.Abs(num[i]-wnum[i]) > 1e-14*math.Abs(wnum[i]) || den[i] != wden[i] {
			t.Fatalf("pixel %d (gs %v, gf %v): num %v den %v, want %v %v", i, gs[i], gf[i], num[i], den[i], wnum[i], wden[i])
		}
	}
}

// TestMapKernels checks the per-pixel kernels in use against the portable
// ones: bit for bit where the order of operations is the same, and to a
// few ulps for the sums that the vector versions accumulate in 4 lanes.
func TestMapKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 4, 7, 8, 9, 1001} {
		x, y, z, u := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = math.Round(rnd.Float64()*255) + []float64{0, 0.5, 0.25}[i%3]
			y[i] = rnd.Float64()*255 + 1
			z[i], u[i] = rnd.NormFloat64()*50, rnd.NormFloat64()*50
		}
		lo, hi := minMax(x)
		wlo, whi := minMaxGo(x)
		if lo != wlo || hi != whi {
			t.Errorf("n=%d minMax = %v, %v, want %v, %v", n, lo, hi, wlo, whi)
		}
		same := func(name string, got, want []float64) {
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%s n=%d: element %d = %v, want %v", name, n, i, got[i], want[i])
				}
			}
		}
		got, want := make([]float64, n), make([]float64, n)
		// d = 255 keeps the exact halves of x, so both rounding branches run.
		stretch(got, x, 0, 255)
		stretchGo(want, x, 0, 255)
		same("stretch", got, want)
		stretch(got, y, 0.75, 300)
		stretchGo(want, y, 0.75, 300)
		same("stretch", got, want)
		got, want = append([]float64(nil), z...), append([]float64(nil), z...)
		cbMaskMap(got, y)
		cbMaskedGo(want, y)
		same("cbMask", got, want)
		close := func(name string, got, want float64) {
			if math.Abs(got-want) > 1e-14*math.Abs(want) {
				t.Errorf("%s n=%d = %v, want %v", name, n, got, want)
			}
		}
		close("sqDiffSum", sqDiffSum(z, u), sqDiffSumGo(z, u))
		close("maxDiffSqSum", maxDiffSqSum(z, u, x, y), maxDiffSqSumGo(z, u, x, y))
	}
}

// TestShuffleKernels checks the vector transpose and complex split against
// the portable ones on even and odd sizes.
func TestShuffleKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, sz := range [][2]int{{1, 1}, {2, 2}, {3, 5}, {64, 33}, {35, 70}, {520, 66}} {
		w, h := sz[0], sz[1]
		x := make([]complex128, w*h)
		for i := range x {
			x[i] = complex(rnd.NormFloat64(), rnd.NormFloat64())
		}
		got, want := make([]complex128, w*h), make([]complex128, w*h)
		transpose(got, x, w, h)
		transposeC(want, x, w, h)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("transpose %dx%d: element %d = %v, want %v", w, h, i, got[i], want[i])
			}
		}
		re, im := make([]float64, len(x)), make([]float64, len(x))
		deinterleave(re, im, x)
		for i, v := range x {
			if re[i] != real(v) || im[i] != imag(v) {
				t.Fatalf("deinterleave n=%d: element %d = (%v, %v), want %v", len(x), i, re[i], im[i], v)
			}
		}
	}
}

// TestEdgeQKernel checks the edge-preservation kernel in use against the
// portable one (to 1e-14 relative: the vector exp is not math.Exp) for
// both parameter sets, zero magnitudes and copied gradients (G = A = 1).
func TestEdgeQKernel(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 14))
	const n = 2051
	gs, gf, as, af := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range gs {
		gs[i], gf[i] = math.Abs(rnd.NormFloat64())*100, math.Abs(rnd.NormFloat64())*100
		as[i], af[i] = (rnd.Float64()-0.5)*math.Pi, (rnd.Float64()-0.5)*math.Pi
		switch i % 5 {
		case 0:
			gf[i], af[i] = gs[i], as[i]
		case 1:
			gs[i] = 0
		case 2:
			gf[i] = 0
		}
	}
	params := []xydeasParams{
		{gg: 1, kg: -10, dg: 0.5, ga: 1, ka: -20, da: 0.75},
		{gg: 0.9994, kg: -15, dg: 0.5, ga: 0.9879, ka: -22, da: 0.8, paperAngle: true},
	}
	for _, p := range params {
		for _, adj := range []bool{false, true} {
			got, want := make([]float64, n), make([]float64, n)
			edgeQ(got, gs, gf, as, af, &p, adj)
			edgeQGo(want, gs, gf, as, af, &p, adj)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-14*math.Abs(want[i]) {
					t.Fatalf("%+v adj=%v pixel %d: %v, want %v", p, adj, i, got[i], want[i])
				}
			}
		}
	}
}

// TestJointLevels checks the integer-level joint histogram against the
// general one on normalize1-style input.
func TestJointLevels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(15, 16))
	x, y := make([]float64, 3000), make([]float64, 3000)
	for i := range x {
		x[i], y[i] = float64(rnd.IntN(256)), float64(rnd.IntN(40)+200)
	}
	a, b := newJointLevels(x, y), newJoint(x, y)
	for k := range a.p {
		if a.p[k] != b.p[k] || a.cnt[k] != b.cnt[k] {
			t.Fatalf("bin %d: %v/%d, want %v/%d", k, a.p[k], a.cnt[k], b.p[k], b.cnt[k])
		}
	}
	if a.px != b.px || a.py != b.py {
		t.Error("marginals differ")
	}
}

// TestSobelRow checks the Sobel row kernel in use against the portable one.
func TestSobelRow(t *testing.T) {
	rnd := rand.New(rand.NewPCG(17, 18))
	for _, w := range []int{1, 3, 4, 9, 520} {
		rows := make([][]float64, 3)
		for i := range rows {
			rows[i] = make([]float64, w+2)
			for k := range rows[i] {
				rows[i][k] = rnd.Float64() * 255
			}
		}
		gx, gy, wx, wy := make([]float64, w), make([]float64, w), make([]float64, w), make([]float64, w)
		sobelRow(gx, gy, rows[0], rows[1], rows[2])
		sobelRowGo(wx, wy, rows[0], rows[1], rows[2])
		for i := range gx {
			if math.Float64bits(gx[i]) != math.Float64bits(wx[i]) || math.Float64bits(gy[i]) != math.Float64bits(wy[i]) {
				t.Fatalf("w=%d x=%d: (%v,%v), want (%v,%v)", w, i, gx[i], gy[i], wx[i], wy[i])
			}
		}
	}
}

// TestSSIMKernels checks the SSIM and Piella pixel kernels in use against
// the portable ones bit for bit, including flat windows (zero variances).
func TestSSIMKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(19, 20))
	const n = 1031
	v := func() []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rnd.Float64() * 100
			if i%6 == 0 {
				x[i] = 0
			}
		}
		return x
	}
	mx, my, vx, vy, cxy, m0, m1 := v(), v(), v(), v(), v(), v(), v()
	same := func(name string, got, want []float64) {
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s: element %d = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	got, want := make([]float64, n), make([]float64, n)
	subProd(got, mx, my, vx)
	subProdGo(want, mx, my, vx)
	same("subProd", got, want)
	ssimPix(got, mx, my, vx, vy, cxy, 6.5025, 58.5225)
	ssimPixGo(want, mx, my, vx, vy, cxy, 6.5025, 58.5225)
	same("ssimPix", got, want)
	gw, ww := make([]float64, n), make([]float64, n)
	piella2(got, gw, vx, vy, m0, m1)
	piella2Go(want, ww, vx, vy, m0, m1)
	same("piella2 q", got, want)
	same("piella2 cw", gw, ww)
}

// TestCBQ2 checks the two-source Chen-Blum pixel sum against the portable
// one and that a zero contrast is found at the right index.
func TestCBQ2(t *testing.T) {
	rnd := rand.New(rand.NewPCG(21, 22))
	const n = 1029
	c0, c1, cf := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range cf {
		c0[i], c1[i], cf[i] = rnd.Float64()+1e-3, rnd.Float64()+1e-3, rnd.Float64()+1e-3
	}
	got, bad := cbQ2(c0, c1, cf)
	want, _ := cbQ2Go(c0, c1, cf)
	if bad >= 0 || math.Abs(got-want) > 1e-13*want {
		t.Errorf("sum = %v (bad %d), want %v", got, bad, want)
	}
	for _, at := range []int{0, 517, n - 1} {
		c := append([]float64(nil), c1...)
		c[at] = 0
		if _, bad := cbQ2(c0, c, cf); bad != at {
			t.Errorf("zero at %d reported at %d", at, bad)
		}
	}
}

// TestBorderSums checks the folded 31-tap kernels in use against the
// portable ones bit for bit, for the band lengths cbBorder uses.
func TestBorderSums(t *testing.T) {
	rnd := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{1, 15, 16, 520} {
		p1, p2 := make([]float64, n+30), make([]float64, n+30)
		for i := range p1 {
			p1[i], p2[i] = rnd.NormFloat64(), rnd.NormFloat64()
		}
		g1, g2, w1, w2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		check := func(name string) {
			for i := range g1 {
				if math.Float64bits(g1[i]) != math.Float64bits(w1[i]) || math.Float64bits(g2[i]) != math.Float64bits(w2[i]) {
					t.Fatalf("%s n=%d: output %d = (%v,%v), want (%v,%v)", name, n, i, g1[i], g2[i], w1[i], w2[i])
				}
			}
		}
		rowDot2(g1, g2, p1, &cbH1, &cbH2)
		rowDot2Go(w1, w2, p1, &cbH1, &cbH2)
		check("rowDot2")
		rowDotPair(g1, g2, p1, p2, &cbH1, &cbH2)
		rowDotPairGo(w1, w2, p1, p2, &cbH1, &cbH2)
		check("rowDotPair")
	}
}

// TestCmulv checks the complex product kernel in use against Go's complex
// multiplication bit for bit.
func TestCmulv(t *testing.T) {
	rnd := rand.New(rand.NewPCG(25, 26))
	for _, n := range []int{1, 2, 5, 64} {
		a, b := make([]complex128, n), make([]complex128, n)
		for i := range a {
			a[i] = complex(rnd.NormFloat64(), rnd.NormFloat64())
			b[i] = complex(rnd.NormFloat64(), rnd.NormFloat64())
		}
		got, want := make([]complex128, n), make([]complex128, n)
		cmulv(got, a, b)
		cmulvGo(want, a, b)
		for i := range got {
			if math.Float64bits(real(got[i])) != math.Float64bits(real(want[i])) || math.Float64bits(imag(got[i])) != math.Float64bits(imag(want[i])) {
				t.Fatalf("n=%d: %d = %v, want %v", n, i, got[i], want[i])
			}
		}
	}
}

// TestQGKernels checks Q_G's weighting kernels in use against the portable
// ones: the accumulation bit for bit, the ratio sum to a few ulps.
func TestQGKernels(t *testing.T) {
	rnd := rand.New(rand.NewPCG(27, 28))
	const n = 1030
	num, den, q, g := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range num {
		num[i], den[i], q[i], g[i] = rnd.Float64(), rnd.Float64()+0.5, rnd.Float64(), rnd.Float64()*10
		if i%4 == 1 {
			g[i] = 0
		}
	}
	n1, d1 := append([]float64(nil), num...), append([]float64(nil), den...)
	weighAdd(num, den, q, g)
	weighAddGo(n1, d1, q, g)
	for i := range num {
		if math.Float64bits(num[i]) != math.Float64bits(n1[i]) || math.Float64bits(den[i]) != math.Float64bits(d1[i]) {
			t.Fatalf("weighAdd %d: (%v,%v), want (%v,%v)", i, num[i], den[i], n1[i], d1[i])
		}
	}
	if got, want := ratioSum(num, den), ratioSumGo(num, den); math.Abs(got-want) > 1e-13*want {
		t.Errorf("ratioSum = %v, want %v", got, want)
	}
}
