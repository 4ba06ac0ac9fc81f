package ddfm

import (
	"errors"
	"math"
	"testing"

	"github.com/mfif/mfif/nets/diffusion"
)

func linear1000(t *testing.T) *diffusion.Schedule {
	t.Helper()
	s, err := diffusion.Linear(1000)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSampler(t *testing.T) {
	s := linear1000(t)
	sm, err := NewSampler(s, "ddim", 0, DefaultLambda, DefaultRho)
	if err != nil {
		t.Fatal(err)
	}
	ts := sm.Timesteps
	if len(ts) != 100 || ts[0] != 999 || ts[1] != 989 || ts[93] != 61 || ts[94] != 50 || ts[99] != 0 {
		t.Errorf("respaced steps %v... want 999, 989, ..., 61, 50, ..., 0", ts[:3])
	}
	bad := []struct {
		name        string
		steps       int
		lambda, rho float64
	}{
		{"euler", 10, 0.5, 0.001},
		{"ddim", 1001, 0.5, 0.001},
		{"ddim", 10, 0, 0.001},
		{"ddpm", 10, 0.5, -1},
	}
	for _, b := range bad {
		if _, err := NewSampler(s, b.name, b.steps, b.lambda, b.rho); err == nil {
			t.Errorf("NewSampler(%q, %d, %g, %g): no error", b.name, b.steps, b.lambda, b.rho)
		}
	}
}

// oracle returns the predictor that knows the clean image x0: its noise
// estimate makes the x0 prediction exact at every step.
func oracle(s *diffusion.Schedule, x0 []float32) diffusion.Predictor {
	return func(x []float32, t int) ([]float32, error) {
		a, b := s.QSampleCoeffs(t)
		eps := make([]float32, len(x))
		for j := range x {
			eps[j] = float32((float64(x[j]) - a*float64(x0[j])) / b)
		}
		return eps, nil
	}
}

// When both sources already equal the luminance the prior predicts, the
// EM step is a fixed point and both samplers must return the clean image.
func TestSampleFixedPoint(t *testing.T) {
	s := linear1000(t)
	w, h := 32, 32
	n := w * h
	x0 := make([]float32, 3*n)
	src := make([]float64, n)
	for p := range n {
		g := 0.8 * math.Sin(float64(p)*0.05)
		for c := range 3 {
			x0[c*n+p] = float32(g)
		}
		src[p] = yOffset + yScale*float64(float32(g))
	}
	for _, name := range []string{"ddim", "ddpm"} {
		sm, err := NewSampler(s, name, 25, DefaultLambda, DefaultRho)
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		out, err := sm.Sample(src, src, w, h, diffusion.GaussianNoise(3*n, 7), oracle(s, x0), 1, func() { calls++ })
		if err != nil {
			t.Fatal(err)
		}
		if calls != 25 {
			t.Errorf("%s: %d step callbacks, want 25", name, calls)
		}
		worst := 0.0
		for j := range out {
			worst = math.Max(worst, math.Abs(float64(out[j]-x0[j])))
		}
		if worst > 1e-4 {
			t.Errorf("%s: final sample deviates from x0 by %g", name, worst)
		}
	}
}

func correlation(a, b []float64) float64 {
	var ma, mb float64
	for j := range a {
		ma += a[j]
		mb += b[j]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for j := range a {
		sab += (a[j] - ma) * (b[j] - mb)
		saa += (a[j] - ma) * (a[j] - ma)
		sbb += (b[j] - mb) * (b[j] - mb)
	}
	return sab / math.Sqrt(saa*sbb)
}

// With an uninformative prior (eps = 0) the EM guidance alone must drive
// the sample towards the sources.
func TestSampleFollowsSources(t *testing.T) {
	s := linear1000(t)
	w, h := 64, 32
	n := w * h
	i, v := make([]float64, n), make([]float64, n)
	for p := range n {
		x, y := p%w, p/w
		i[p] = 0.7 * math.Sin(float64(x)*0.2)
		v[p] = 0.5 * math.Cos(float64(y)*0.3)
	}
	zero := func(x []float32, _ int) ([]float32, error) { return make([]float32, len(x)), nil }
	for _, name := range []string{"ddim", "ddpm"} {
		sm, _ := NewSampler(s, name, 20, DefaultLambda, DefaultRho)
		out, err := sm.Sample(i, v, w, h, diffusion.GaussianNoise(3*n, 3), zero, 5, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := make([]float64, n)
		for p := range sum {
			sum[p] = i[p] + v[p]
		}
		g := MinMax255(Luma(out, n))
		if r := correlation(g, sum); r < 0.9 {
			t.Errorf("%s: correlation with I + V is %.3f, want > 0.9", name, r)
		}
	}
}

func TestSampleErrors(t *testing.T) {
	s := linear1000(t)
	sm, _ := NewSampler(s, "ddim", 5, DefaultLambda, DefaultRho)
	n := 16 * 16
	src := make([]float64, n)
	zero := func(x []float32, _ int) ([]float32, error) { return make([]float32, len(x)), nil }
	boom := errors.New("boom")
	tests := []struct {
		name string
		i    []float64
		xT   []float32
		pred diffusion.Predictor
	}{
		{"source size", src[:10], make([]float32, 3*n), zero},
		{"planes", src, make([]float32, 2*n), zero},
		{"predictor error", src, make([]float32, 3*n), func([]float32, int) ([]float32, error) { return nil, boom }},
		{"predictor length", src, make([]float32, 3*n), func(x []float32, _ int) ([]float32, error) { return x[:3], nil }},
		{"nan", src, make([]float32, 3*n), func(x []float32, _ int) ([]float32, error) {
			e := make([]float32, len(x))
			e[4] = float32(math.NaN())
			return e, nil
		}},
	}
	for _, tc := range tests {
		if _, err := sm.Sample(tc.i, src, 16, 16, tc.xT, tc.pred, 0, nil); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestMinMax255(t *testing.T) {
	got := MinMax255([]float64{-1, 0, 3})
	want := []float64{0, 255.0 / 4, 255}
	for j := range want {
		if math.Abs(got[j]-want[j]) > 1e-12 {
			t.Errorf("MinMax255[%d] = %g, want %g", j, got[j], want[j])
		}
	}
	for _, v := range MinMax255([]float64{2, 2}) {
		if v != 0 {
			t.Errorf("constant input gave %g", v)
		}
	}
}
