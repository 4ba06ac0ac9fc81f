package ddfm

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Official hyper-parameters of the EM step (sample.py passes lambda = 0.5
// and rho = 0.001; the function's own default rho is 0.01).
const (
	DefaultLambda = 0.5
	DefaultRho    = 0.001
)

// Small constants of the E-step, as in the reference code: epsX guards the
// Laplace weight of x, epsTau the reciprocal of the weights.
const (
	epsX   = 1e-6
	epsTau = 1e-10
)

// EM is the state of DDFM's hierarchical-Bayes model that one diffusion step
// hands to the next (HP in the reference code): the E-step weights C and D,
// the total-variation auxiliaries F1, F2, the last M-step estimate Hk and
// the scale hyper-parameters TauA and TauB. All planes are row-major H x W.
type EM struct {
	W, H       int
	C, D       []float64
	F1, F2     []float64
	Hk         []float64
	TauA, TauB float64

	den      []float64 // 1 + |K1|^2 + |K2|^2 per frequency
	row, col *fourier.CmplxFFT
	buf      []complex128
	lineIn   []complex128
	lineOut  []complex128
}

// NewEM returns the initial state for w x h images (EM_Initial): C = D = 1,
// F1 = F2 = Hk = 0, TauA = TauB = 1.
func NewEM(w, h int) (*EM, error) {
	if w < 2 || h < 2 {
		return nil, fmt.Errorf("ddfm em: image %dx%d, need at least 2x2", w, h)
	}
	n := w * h
	e := &EM{
		W: w, H: h,
		C: fill(n, 1), D: fill(n, 1),
		F1: make([]float64, n), F2: make([]float64, n), Hk: make([]float64, n),
		TauA: 1, TauB: 1,
		den: make([]float64, n),
		row: fourier.NewCmplxFFT(w), col: fourier.NewCmplxFFT(h),
		buf:    make([]complex128, n),
		lineIn: make([]complex128, max(w, h)), lineOut: make([]complex128, max(w, h)),
	}
	// psf2otf of [1 -1] and [1; -1] has |K|^2 = 2 - 2 cos(2 pi k / n).
	for u := 0; u < h; u++ {
		ku := 2 - 2*math.Cos(2*math.Pi*float64(u)/float64(h))
		for v := 0; v < w; v++ {
			e.den[u*w+v] = 1 + ku + 2 - 2*math.Cos(2*math.Pi*float64(v)/float64(w))
		}
	}
	return e, nil
}

func fill(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// Step runs one EM iteration (EM_onestep) on the current estimate f of the
// fused image given the sources i and v, all row-major W x H in the same
// value range, and returns the updated fused estimate. The state is updated
// in place, so successive calls carry it as the reference sampler does.
//
// Model (Zhao et al., "DDFM: Denoising Diffusion Model for Multi-Modality
// Image Fusion", ICCV 2023, Sec. 3.3): with x = f - v and y = i - v, the
// residual y - x is Laplace-distributed with scale 1/tauA and x with scale
// 1/tauB; a total-variation term on the auxiliary h couples them. The
// E-step updates the expected inverse scales C, D; the M-step solves for h
// in the Fourier domain and then for x in closed form. As the reference
// code does, the returned image is i - x (not v + x): the golden vectors of
// the official EM_onestep pin this down.
func (e *EM) Step(f, i, v []float64, lambda, rho float64) ([]float64, error) {
	n := e.W * e.H
	if len(f) != n || len(i) != n || len(v) != n {
		return nil, fmt.Errorf("ddfm em: planes of %d, %d, %d values for a %dx%d state", len(f), len(i), len(v), e.W, e.H)
	}
	if !(lambda > 0) || !(rho > 0) {
		return nil, fmt.Errorf("ddfm em: lambda = %g and rho = %g must be > 0", lambda, rho)
	}
	y := make([]float64, n)
	x := make([]float64, n)
	for k := range y {
		y[k] = i[k] - v[k]
		x[k] = f[k] - v[k]
	}
	e.eStep(x, y)
	e.mStep(x, y, lambda, rho)
	out := make([]float64, n)
	for k := range out {
		out[k] = i[k] - x[k]
		if math.IsNaN(out[k]) || math.IsInf(out[k], 0) {
			return nil, fmt.Errorf("ddfm em: non-finite result at pixel %d (x %g, y %g)", k, x[k], y[k])
		}
	}
	return out, nil
}

// eStep updates C, D and the tau hyper-parameters from the previous ones.
func (e *EM) eStep(x, y []float64) {
	var sa, sb float64
	for k := range x {
		d := math.Sqrt(2 / e.TauB / (x[k]*x[k] + epsX))
		r := y[k] - x[k] + epsX
		c := math.Sqrt(2 / e.TauA / (r * r))
		if d > 2*c {
			d = 2 * c
		}
		e.C[k], e.D[k] = c, d
		sa += 1/(c+epsTau) + e.TauA/2
		sb += 1/(d+epsTau) + e.TauB/2
	}
	n := float64(len(x))
	e.TauA, e.TauB = sa/n, sb/n
}

// mStep solves (1 + K1'K1 + K2'K2) h = (y - x) + K1' F1 + K2' F2 with the
// circular difference kernels, refreshes the auxiliaries from the
// (non-circular) differences of h and updates x in place.
func (e *EM) mStep(x, y []float64, lambda, rho float64) {
	w, h := e.W, e.H
	// conj(K1) fft(F1) is the circular correlation F1[i][j-1] - F1[i][j].
	for r := 0; r < h; r++ {
		for c := 0; c < w; c++ {
			k := r*w + c
			a1 := e.F1[r*w+(c+w-1)%w] - e.F1[k]
			a2 := e.F2[((r+h-1)%h)*w+c] - e.F2[k]
			e.buf[k] = complex(y[k]-x[k]+a1+a2, 0)
		}
	}
	e.fft2(false)
	for k, d := range e.den {
		e.buf[k] /= complex(d, 0)
	}
	e.fft2(true)
	for k := range e.Hk {
		e.Hk[k] = real(e.buf[k])
	}
	s := rho / (2*lambda + rho)
	for r := 0; r < h; r++ {
		for c := 0; c < w; c++ {
			k := r*w + c
			a1, a2 := e.Hk[k], e.Hk[k]
			if c < w-1 {
				a1 -= e.Hk[k+1]
			}
			if r < h-1 {
				a2 -= e.Hk[k+w]
			}
			e.F1[k], e.F2[k] = s*a1, s*a2
		}
	}
	for k := range x {
		c2 := 2 * e.C[k]
		x[k] = (c2*y[k] + rho*(y[k]-e.Hk[k])) / (c2 + 2*e.D[k] + rho)
	}
}

// fft2 transforms e.buf in place (inverse: normalised by 1/(W H)).
func (e *EM) fft2(inverse bool) {
	w, h := e.W, e.H
	tr := func(p *fourier.CmplxFFT, dst, src []complex128) {
		if inverse {
			p.Sequence(dst, src)
		} else {
			p.Coefficients(dst, src)
		}
	}
	for r := 0; r < h; r++ {
		line := e.buf[r*w : (r+1)*w]
		copy(e.lineIn[:w], line)
		tr(e.row, line, e.lineIn[:w])
	}
	for c := 0; c < w; c++ {
		for r := 0; r < h; r++ {
			e.lineIn[r] = e.buf[r*w+c]
		}
		tr(e.col, e.lineOut[:h], e.lineIn[:h])
		for r := 0; r < h; r++ {
			e.buf[r*w+c] = e.lineOut[r]
		}
	}
	if inverse {
		s := complex(1/float64(w*h), 0)
		for k := range e.buf {
			e.buf[k] *= s
		}
	}
}
