package diffusion

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func fusionSchedule(t *testing.T) *Schedule {
	t.Helper()
	s, err := Cosine(2000, 0.999)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCosineSchedule(t *testing.T) {
	s := fusionSchedule(t)
	if s.T != 2000 || len(s.Betas) != 2000 {
		t.Fatalf("T = %d, len = %d", s.T, len(s.Betas))
	}
	// The last beta hits the cap because abar(1) = cos^2(pi/2) = 0.
	if s.Betas[1999] != 0.999 {
		t.Errorf("beta[T-1] = %v, want capped 0.999", s.Betas[1999])
	}
	// First beta from the closed form, independently.
	f := func(u float64) float64 { c := math.Cos((u + 0.008) / 1.008 * math.Pi / 2); return c * c }
	if want := 1 - f(1.0/2000)/f(0); math.Abs(s.Betas[0]-want) > 1e-15 {
		t.Errorf("beta[0] = %v, want %v", s.Betas[0], want)
	}
	// Without the cap, abar_t telescopes to f(t+1/T)/f(0).
	for _, i := range []int{0, 10, 500, 1000, 1900} {
		want := f(float64(i+1)/2000) / f(0)
		if rel := math.Abs(s.AlphaBars[i]-want) / want; rel > 1e-9 {
			t.Errorf("abar[%d] = %v, want %v", i, s.AlphaBars[i], want)
		}
	}
	for i := 1; i < s.T; i++ {
		if !(s.AlphaBars[i] < s.AlphaBars[i-1]) || s.AlphaBarsPrev[i] != s.AlphaBars[i-1] {
			t.Fatalf("abar not strictly decreasing / prev mismatch at %d", i)
		}
	}
	if s.AlphaBarsPrev[0] != 1 {
		t.Errorf("abarPrev[0] = %v", s.AlphaBarsPrev[0])
	}
}

func TestScheduleErrors(t *testing.T) {
	cases := []struct {
		name string
		f    func() error
		want string
	}{
		{"T0", func() error { _, err := Cosine(0, 0.999); return err }, "T = 0"},
		{"cap", func() error { _, err := Cosine(10, 1); return err }, "maxBeta"},
		{"beta", func() error { _, err := FromBetas([]float64{0.1, 0}); return err }, "beta[1]"},
		{"empty", func() error { _, err := FromBetas(nil); return err }, "no betas"},
	}
	for _, c := range cases {
		if err := c.f(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want mention of %q", c.name, err, c.want)
		}
	}
}

func TestQSample(t *testing.T) {
	s := fusionSchedule(t)
	x0 := []float32{0.5, -1, 0.25}
	eps := []float32{1, 0.5, -2}
	out := make([]float32, 3)
	for _, tt := range []int{0, 999, 1999} {
		if err := s.QSample(x0, eps, tt, out); err != nil {
			t.Fatal(err)
		}
		ab := s.AlphaBars[tt]
		for i := range x0 {
			want := math.Sqrt(ab)*float64(x0[i]) + math.Sqrt(1-ab)*float64(eps[i])
			if math.Abs(float64(out[i])-want) > 1e-6 {
				t.Errorf("t=%d i=%d: %v want %v", tt, i, out[i], want)
			}
		}
	}
	if err := s.QSample(x0, eps, 2000, out); err == nil {
		t.Error("t = T accepted")
	}
	if err := s.QSample(x0, eps[:2], 0, out); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestTimesteps(t *testing.T) {
	cases := []struct {
		T, k int
		want []int
	}{
		{10, 1, []int{9}},
		{10, 2, []int{9, 0}},
		{10, 4, []int{9, 6, 3, 0}},
		{5, 5, []int{4, 3, 2, 1, 0}},
	}
	for _, c := range cases {
		got, err := Timesteps(c.T, c.k)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Timesteps(%d,%d) = %v, %v; want %v", c.T, c.k, got, err, c.want)
		}
	}
	for _, k := range []int{0, 11} {
		if _, err := Timesteps(10, k); err == nil {
			t.Errorf("k = %d accepted", k)
		}
	}
}

// oracle returns a noise predictor that knows x0 exactly.
func oracle(s *Schedule, x0 []float32) Predictor {
	return func(x []float32, t int) ([]float32, error) {
		a, b := s.QSampleCoeffs(t)
		eps := make([]float32, len(x))
		for i := range x {
			eps[i] = float32((float64(x[i]) - a*float64(x0[i])) / b)
		}
		return eps, nil
	}
}

func testImage(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.7)) * 0.95
	}
	return x
}

func TestSamplersRecoverX0WithPerfectPredictor(t *testing.T) {
	s := fusionSchedule(t)
	x0 := testImage(48)
	xT := GaussianNoise(len(x0), 7)
	cases := []struct {
		name string
		k    int
	}{
		{"fusiondiff", 0}, {"fusiondiff", 100}, {"fusiondiff", 7}, {"fusiondiff", 1}, {"ddim", 2000}, {"ddim", 250}, {"ddim", 50}, {"ddim", 10}, {"ddim", 2}, {"ddim", 1},
	}
	for _, c := range cases {
		smp, err := NewSampler(c.name, s, c.k)
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		got, err := smp.Sample(xT, oracle(s, x0), func() { calls++ })
		if err != nil {
			t.Fatalf("%s/%d: %v", c.name, c.k, err)
		}
		if calls != smp.Steps() {
			t.Errorf("%s/%d: %d steps reported, Steps() = %d", c.name, c.k, calls, smp.Steps())
		}
		// Float32 rounding of eps is amplified by 1/sqrt(abar) of the
		// first (noisiest) step when that step is also the last.
		tol := 1e-5
		if smp.Steps() == 1 {
			tol = 1e-6 / math.Sqrt(s.AlphaBars[s.T-1])
		}
		for i := range x0 {
			if d := math.Abs(float64(got[i] - x0[i])); d > tol {
				t.Fatalf("%s/%d: x0[%d] = %v, want %v", c.name, c.k, i, got[i], x0[i])
			}
		}
	}
	if xT[0] != GaussianNoise(len(x0), 7)[0] {
		t.Error("Sample modified xT")
	}
}

// TestFusionDiffStepIsPosteriorMean checks one step against the DDPM
// posterior mean written from scratch: mu = (sqrt(abar_{t-1}) beta_t x0 +
// sqrt(alpha_t) (1-abar_{t-1}) x_t) / (1-abar_t), x0 = (x_t - sqrt(1-abar_t)
// eps)/sqrt(abar_t), where abar is a product of (1-beta).
func TestFusionDiffStepIsPosteriorMean(t *testing.T) {
	s := fusionSchedule(t)
	xt := []float32{0.3, -0.2, 0.9, -1.4}
	eps := []float32{0.1, -0.5, 0.2, 0.05}
	f := &FusionDiff{S: s} // no clamp: exactly Eq. 7
	out := make([]float32, len(xt))
	for _, tt := range []int{1, 17, 1000, 1500} {
		if err := f.Step(xt, eps, tt, out); err != nil {
			t.Fatal(err)
		}
		abPrev := 1.0
		for i := 0; i < tt; i++ {
			abPrev *= 1 - s.Betas[i]
		}
		beta := s.Betas[tt]
		ab := abPrev * (1 - beta)
		for i := range xt {
			x0 := (float64(xt[i]) - math.Sqrt(1-ab)*float64(eps[i])) / math.Sqrt(ab)
			mu := (math.Sqrt(abPrev)*beta*x0 + math.Sqrt(1-beta)*(1-abPrev)*float64(xt[i])) / (1 - ab)
			// Eq. 7 form: (x_t - beta/sqrt(1-abar) eps)/sqrt(alpha) is the same mean.
			eq7 := (float64(xt[i]) - beta/math.Sqrt(1-ab)*float64(eps[i])) / math.Sqrt(1-beta)
			if math.Abs(mu-eq7) > 1e-9 {
				t.Fatalf("reference forms disagree: %v vs %v", mu, eq7)
			}
			if d := math.Abs(float64(out[i]) - mu); d > 1e-5*math.Max(1, math.Abs(mu)) {
				t.Errorf("t=%d i=%d: step %v, posterior mean %v", tt, i, out[i], mu)
			}
		}
	}
}

func TestClampedStepUsesClampedX0(t *testing.T) {
	s := fusionSchedule(t)
	f := &FusionDiff{S: s, Clip: true}
	xt := []float32{0.5}
	eps := []float32{-1000} // x0 estimate far above 1 at t = 0
	out := make([]float32, 1)
	if err := f.Step(xt, eps, 0, out); err != nil {
		t.Fatal(err)
	}
	if out[0] != 1 {
		t.Errorf("t=0 clamped step = %v, want 1", out[0])
	}
}

func TestSamplerErrors(t *testing.T) {
	s := fusionSchedule(t)
	if _, err := NewSampler("fusiondiff", s, 2001); err == nil {
		t.Error("fusiondiff with 2001 steps accepted")
	}
	if _, err := NewSampler("nope", s, 0); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown sampler: %v", err)
	}
	smp, _ := NewSampler("ddim", s, 5)
	nan := func(x []float32, t int) ([]float32, error) {
		e := make([]float32, len(x))
		e[1] = float32(math.NaN())
		return e, nil
	}
	if _, err := smp.Sample(make([]float32, 3), nan, nil); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("NaN predictor: %v", err)
	}
	short := func(x []float32, t int) ([]float32, error) { return x[:1], nil }
	if _, err := smp.Sample(make([]float32, 3), short, nil); err == nil {
		t.Error("short predictor output accepted")
	}
}

func TestGaussianNoiseDeterministic(t *testing.T) {
	a, b, c := GaussianNoise(1000, 1), GaussianNoise(1000, 1), GaussianNoise(1000, 2)
	var mean, sq float64
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed, different noise")
		}
		same = same && a[i] == c[i]
		mean += float64(a[i])
		sq += float64(a[i]) * float64(a[i])
	}
	if same {
		t.Error("different seeds, same noise")
	}
	mean /= 1000
	if math.Abs(mean) > 0.15 || math.Abs(sq/1000-1) > 0.15 {
		t.Errorf("mean %v, var %v: not standard normal", mean, sq/1000)
	}
}

func BenchmarkSamplerStepOverhead(b *testing.B) {
	s, _ := Cosine(2000, 0.999)
	n := 3 * 520 * 520
	x := GaussianNoise(n, 1)
	eps := GaussianNoise(n, 2)
	out := make([]float32, n)
	b.Run("fusiondiff", func(b *testing.B) {
		f := &FusionDiff{S: s, Clip: true}
		for i := 0; i < b.N; i++ {
			_ = f.Step(x, eps, 1000, out)
		}
	})
	b.Run("ddim", func(b *testing.B) {
		d := &DDIM{S: s, Clip: true}
		for i := 0; i < b.N; i++ {
			_ = d.Step(x, eps, 1000, 900, out)
		}
	})
}

// TestRespacedStepIsGaussianConditional checks the jump t -> prev against
// E[x_prev | x_t, x0] derived by Gaussian conditioning: x_prev and x_t are
// jointly normal given x0 with Cov = sqrt(abar_t/abar_prev)(1-abar_prev) and
// Var(x_t) = 1-abar_t.
func TestRespacedStepIsGaussianConditional(t *testing.T) {
	s := fusionSchedule(t)
	f := &FusionDiff{S: s}
	xt := []float32{0.7, -0.3}
	eps := []float32{0.2, 0.4}
	out := make([]float32, 2)
	for _, c := range [][2]int{{1999, 1500}, {1000, 400}, {50, 0}, {30, -1}} {
		if err := f.StepTo(xt, eps, c[0], c[1], out); err != nil {
			t.Fatal(err)
		}
		ab, abPrev := s.AlphaBars[c[0]], 1.0
		if c[1] >= 0 {
			abPrev = s.AlphaBars[c[1]]
		}
		for i := range xt {
			x0 := (float64(xt[i]) - math.Sqrt(1-ab)*float64(eps[i])) / math.Sqrt(ab)
			cov := math.Sqrt(ab/abPrev) * (1 - abPrev)
			want := math.Sqrt(abPrev)*x0 + cov/(1-ab)*(float64(xt[i])-math.Sqrt(ab)*x0)
			if d := math.Abs(float64(out[i]) - want); d > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("jump %v i=%d: %v, want %v", c, i, out[i], want)
			}
		}
	}
	if err := f.StepTo(xt, eps, 10, 10, out); err == nil {
		t.Error("prev == t accepted")
	}
}

// Per-element bounds replace [-1, 1]: an x0 estimate outside them is held
// at the bound, inside them it passes unchanged, for both samplers.
func TestSamplerBounds(t *testing.T) {
	s, err := Cosine(100, 0.999)
	if err != nil {
		t.Fatal(err)
	}
	x0 := []float32{3, -3, 0.2, 1.5}
	b := &Bounds{Lo: []float32{-4, -2, -1, 0}, Hi: []float32{2, 0, 1, 1}}
	want := []float32{2, -2, 0.2, 1}
	perfect := func(x []float32, t int) ([]float32, error) {
		// the eps that makes the x0 estimate equal x0 at every step
		sa, sb := s.QSampleCoeffs(t)
		out := make([]float32, len(x))
		for i := range x {
			out[i] = float32((float64(x[i]) - sa*float64(x0[i])) / sb)
		}
		return out, nil
	}
	xT := GaussianNoise(len(x0), 1)
	for _, smp := range []Sampler{
		&FusionDiff{S: s, Clip: true, Bounds: b},
		&DDIM{S: s, Timesteps: []int{99, 60, 30, 0}, Clip: true, Bounds: b},
	} {
		got, err := smp.Sample(xT, perfect, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-3 {
				t.Errorf("%s: element %d = %v, want %v", smp.Name(), i, got[i], want[i])
			}
		}
	}
	bad := &FusionDiff{S: s, Clip: true, Bounds: &Bounds{Lo: []float32{0}, Hi: []float32{1}}}
	if _, err := bad.Sample(xT, perfect, nil); err == nil {
		t.Error("bounds of the wrong length accepted")
	}
}
