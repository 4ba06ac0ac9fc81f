package metrics

import (
	"math"
	"unsafe"
)

// Elementwise kernels of the filters, the FFT and the per-pixel maps. The
// portable versions are below; vec_simd.go swaps in AVX2 versions when the
// module is built with GOEXPERIMENT=simd on amd64 and the CPU has AVX2.
// Both perform the same IEEE operations in the same order on every element
// (no fused multiply-add), so they give identical bits; TestVecKernels
// checks that.
var (
	axpy = axpyGo // dst[i] += c * src[i]
	scal = scalGo // dst[i] = c * src[i]
	mulv = mulvGo // dst[i] = a[i] * b[i]
	// dotTaps: dst[i] = sum_j k[j] p[j*stride+i], j ascending from k[0]*p[i]
	dotTaps = dotTapsGo
	// gradPolar: g = sqrt(gx^2 + gy^2), alpha = atan(gy/gx') with gx' =
	// 1e-5 where gx == 0 (metricXydeas.m's guard)
	gradPolar = gradPolarGo
	minMax    = minMaxGo    // smallest and largest sample (exact in any order)
	stretch   = stretchGo   // dst = round((x - lo)/d * 255), x >= lo
	cbMaskMap = cbMaskedGo  // z1 = C^3/(C^2 + Z), C = |z1/z2 - 1| (Chen-Blum)
	sqDiffSum = sqDiffSumGo // sum (a - b)^2; the vector version sums in 4 lanes
	// maxDiffSqSum: sum max(|a-an|, |b-bn|)^2, 4 lanes in the vector version
	maxDiffSqSum = maxDiffSqSumGo
	// deinterleave: re[k], im[k] = real(c[k]), imag(c[k])
	deinterleave = deinterleaveGo
	// edgeQ: Xydeas-Petrovic edge preservation per pixel (gradient.go);
	// the vector version's exp differs from math.Exp by an ulp or so.
	edgeQ = edgeQGo
	// sobelRow: one row of the Sobel responses from three padded rows
	sobelRow = sobelRowGo
	subProd  = subProdGo // dst = a - b*c
	ssimPix  = ssimPixGo // ssim_index.m's map from local moments
	// piella2: Piella's per-pixel quality and weight for two sources
	piella2 = piella2Go
	// cbQ2: Chen-Blum's per-pixel quality summed over the image for two
	// sources, or the index of a pixel with a zero contrast (the caller
	// reports it); the vector version sums in 4 lanes.
	cbQ2 = cbQ2Go
	// rowDot2 and rowDotPair: Chen-Blum's folded 31-tap Gaussian sums
	rowDot2    = rowDot2Go
	rowDotPair = rowDotPairGo
	cmulv      = cmulvGo // dst[i] = a[i] * b[i], complex
	// weighAdd: num += q*w, den += w with w = eps5(g) (Q_G's weights)
	weighAdd = weighAddGo
	ratioSum = ratioSumGo // sum num[i]/den[i]; 4 lanes in the vector version
	// qabfAngles and qabfAcc: Qabf.m's orientations and its per-pixel
	// accumulation (gradient.go); the vector exp differs by an ulp or so.
	qabfAngles = qabfAnglesGo
	qabfAcc    = qabfAccGo
)

// simdKernels names the kernel set in use, for benchmarks and provenance.
var simdKernels = "go"

// Kernels names the elementwise kernels this build uses: "avx2" (built with
// GOEXPERIMENT=simd on an AVX2 CPU) or "go" (portable). Both give the same
// metric values to within a few ulps.
func Kernels() string { return simdKernels }

func axpyGo(dst, src []float64, c float64) {
	src = src[:len(dst)]
	for i, s := range src {
		dst[i] += c * s
	}
}

func scalGo(dst, src []float64, c float64) {
	src = src[:len(dst)]
	for i, s := range src {
		dst[i] = c * s
	}
}

func mulvGo(dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i, v := range a {
		dst[i] = v * b[i]
	}
}

func dotTapsGo(dst, p []float64, stride int, k []float64) {
	scalGo(dst, p[:len(dst)], k[0])
	for j := 1; j < len(k); j++ {
		axpyGo(dst, p[j*stride:j*stride+len(dst)], k[j])
	}
}

func gradPolarGo(g, alpha, gx, gy []float64) {
	alpha, gx, gy = alpha[:len(g)], gx[:len(g)], gy[:len(g)]
	for k, x := range gx {
		y := gy[k]
		g[k] = math.Sqrt(x*x + y*y)
		if x == 0 {
			x = 1e-5
		}
		alpha[k] = math.Atan(y / x)
	}
}

func minMaxGo(x []float64) (lo, hi float64) {
	lo, hi = x[0], x[0]
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

func stretchGo(dst, x []float64, lo, d float64) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = math.Round((v - lo) / d * 255)
	}
}

func cbMaskedGo(z1, z2 []float64) {
	z2 = z2[:len(z1)]
	for i, a := range z1 {
		c := math.Abs(a/z2[i] - 1)
		z1[i] = c * c * c / (c*c + cbZ)
	}
}

func sqDiffSumGo(a, an []float64) float64 {
	an = an[:len(a)]
	acc := 0.0
	for i, v := range a {
		d := v - an[i]
		acc += d * d
	}
	return acc
}

func maxDiffSqSumGo(a, an, b, bn []float64) float64 {
	an, b, bn = an[:len(a)], b[:len(a)], bn[:len(a)]
	acc := 0.0
	for i, v := range a {
		da, db := math.Abs(v-an[i]), math.Abs(b[i]-bn[i])
		if db > da {
			da = db
		}
		acc += da * da
	}
	return acc
}

func deinterleaveGo(re, im []float64, c []complex128) {
	re, im = re[:len(c)], im[:len(c)]
	for k, v := range c {
		re[k], im[k] = real(v), imag(v)
	}
}

func subProdGo(dst, a, b, c []float64) {
	a, b, c = a[:len(dst)], b[:len(dst)], c[:len(dst)]
	for i, v := range a {
		dst[i] = v - b[i]*c[i]
	}
}

func ssimPixGo(out, mx, my, vx, vy, cxy []float64, c1, c2 float64) {
	n := len(out)
	mx, my, vx, vy, cxy = mx[:n], my[:n], vx[:n], vy[:n], cxy[:n]
	for i := range out {
		out[i] = ((2*(mx[i]*my[i]) + c1) * (2*cxy[i] + c2)) /
			((mx[i]*mx[i] + my[i]*my[i] + c1) * (vx[i] + vy[i] + c2))
	}
}

// piella2Go is piellaMaps' pixel loop for two sources, in the same order
// of operations as the general loop.
func piella2Go(q, cw, v0, v1, m0, m1 []float64) {
	n := len(q)
	cw, v0, v1, m0, m1 = cw[:n], v0[:n], v1[:n], m0[:n], m1[:n]
	for k := range q {
		s0, s1 := v0[k], v1[k]
		tot := 0 + s0 + s1
		if tot == 0 {
			s0, s1 = s0+0.5, s1+0.5
			tot = 0 + s0 + s1
		}
		l := s0 / tot
		q[k] = (0 + l*m0[k]) + (1-l)*m1[k]
		cw[k] = math.Max(s0, s1)
	}
}

func cbQ2Go(c0, c1, cf []float64) (sum float64, bad int) {
	c0, c1 = c0[:len(cf)], c1[:len(cf)]
	for k, f := range cf {
		a, b := c0[k], c1[k]
		if a == 0 || b == 0 || f == 0 {
			return 0, k
		}
		den := 0 + a*a + b*b
		sum += (0 + a*a/den*cbRatio(a, f)) + b*b/den*cbRatio(b, f)
	}
	return sum, -1
}

func cmulvGo(dst, a, b []complex128) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i, v := range a {
		dst[i] = v * b[i]
	}
}

// floatsOf views c as its interleaved real and imaginary parts.
func floatsOf(c []complex128) []float64 {
	if len(c) == 0 {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(&c[0])), 2*len(c))
}

func weighAddGo(num, den, q, g []float64) {
	den, q, g = den[:len(num)], q[:len(num)], g[:len(num)]
	for k, v := range g {
		wt := eps5(v)
		num[k] += q[k] * wt
		den[k] += wt
	}
}

func ratioSumGo(num, den []float64) float64 {
	den = den[:len(num)]
	acc := 0.0
	for k, v := range num {
		acc += v / den[k]
	}
	return acc
}
