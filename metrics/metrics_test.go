package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

// gray makes a gray image from rows of samples.
func gray(rows [][]float64) *data.Image {
	h, w := len(rows), len(rows[0])
	m := data.NewImage(w, h, 1)
	for y, r := range rows {
		copy(m.Planes[0][y*w:], r)
	}
	return m
}

func constant(w, h int, v float64) *data.Image {
	m := data.NewImage(w, h, 1)
	for i := range m.Planes[0] {
		m.Planes[0][i] = v
	}
	return m
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func TestNormalize1(t *testing.T) {
	tests := []struct {
		in, want []float64
		degen    bool
	}{
		{in: []float64{0, 1, 2, 3}, want: []float64{0, 85, 170, 255}},
		{in: []float64{10, 20}, want: []float64{0, 255}},
		{in: []float64{0, 1, 2}, want: []float64{0, 128, 255}}, // 127.5 rounds away from 0
		{in: []float64{0, 0, 0}, want: []float64{0, 0, 0}},     // all-zero: unchanged
		{in: []float64{5, 5}, degen: true},                     // 0/0 in the reference
	}
	for _, tc := range tests {
		got, err := normalize1(tc.in)
		if tc.degen {
			if !errors.Is(err, ErrDegenerate) {
				t.Errorf("normalize1(%v): err %v, want ErrDegenerate", tc.in, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("normalize1(%v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// fourLevels is a 4x4 image with levels 0, 85, 170, 255 four times each:
// H = 2 bits exactly.
func fourLevels() *data.Image {
	return gray([][]float64{
		{0, 85, 170, 255},
		{85, 170, 255, 0},
		{170, 255, 0, 85},
		{255, 0, 85, 170},
	})
}

func TestHistogramHandWorked(t *testing.T) {
	x := fourLevels().Planes[0]
	j := newJoint(x, x)
	mi, hx, hy := j.mi()
	if !near(hx, 2, 1e-15) || !near(hy, 2, 1e-15) || !near(mi, 2, 1e-15) {
		t.Errorf("H = %v, %v, MI = %v; want 2, 2, 2", hx, hy, mi)
	}
	// Diagonal joint p_i = 1/4: S = sum p_i^q / (p_i p_i)^(q-1) = 4 (1/4)^(2-q).
	for _, q := range []float64{qNava, qCvejic} {
		s := 4 * math.Pow(0.25, 2-q)
		want := (1 - s) / (1 - q)
		if got := j.tsallis(q); !near(got, want, 1e-14) {
			t.Errorf("tsallis q=%v: got %v want %v", q, got, want)
		}
	}
	// A constant second image: MI = 0 and the joint entropy equals H(x).
	z := make([]float64, len(x))
	mi, _, hz := newJoint(x, z).mi()
	if mi != 0 || hz != 0 {
		t.Errorf("MI with constant = %v, H = %v; want 0, 0", mi, hz)
	}
}

// TestIdentical checks the values every metric must take when F = A = B.
func TestIdentical(t *testing.T) {
	m := texture(64, 64, 1, 3)
	in := Inputs{Sources: []*data.Image{m, m.Clone()}, Fused: m.Clone(), Reference: m.Clone()}
	got, err := Evaluate([]string{"Q_NMI", "Q_TE", "Q_G", "Q_G_yuliu", "Q_ABF_qabf", "Q_CB", "Q_SF", "Q_Piella",
		"Q_W_zl", "Q_Piella_yuliu", "Q_W_yuliu", "Q_E_yuliu", "SSIM", "MI", "EN", "VIF"}, in)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(k, x float64) float64 { return 1 / (1 + math.Exp(k*x)) }
	// Q_G: G = 1 and A = |0 - pi/2| 2/pi = 1 at every pixel.
	qg := sig(-10, 0.5) * sig(-20, 0.25)
	qgYL := 0.9994 * sig(-15, 0.5) * 0.9879 * sig(-22, 0.2)
	want := map[string]float64{
		"Q_NMI": 2, "Q_G": qg, "Q_G_yuliu": qgYL, "Q_CB": 1, "Q_SF": 0, "Q_Piella": 1, "Q_W_zl": 1,
		"Q_Piella_yuliu": 1, "Q_W_yuliu": 1, "Q_E_yuliu": 1, "SSIM": 1, "VIF": 2,
		"MI": 2 * got["EN"],
	}
	for k, w := range want {
		tol := 1e-12
		if k == "VIF" {
			tol = 1e-9 // the 1e-10 guard in g = s12/(s1 + 1e-10)
		}
		if !near(got[k], w, tol) {
			t.Errorf("%s = %.15g, want %.15g", k, got[k], w)
		}
	}
	// Q_ABF_qabf: G = gF where gA == gF (the Qabf.m quirk), so it is not
	// the ideal value; it must still be in (0, 1).
	if v := got["Q_ABF_qabf"]; !(v > 0 && v < 1) {
		t.Errorf("Q_ABF_qabf = %v, want in (0,1)", v)
	}
	// Q_TE = 2 I / (2 H^q + I) with I = tsallis(a,a).
	n, _ := normalize1(m.Planes[0])
	j := newJoint(n, n)
	_, h, _ := j.mi()
	i := j.tsallis(qNava)
	if w := 2 * i / (2*math.Pow(h, qNava) + i); !near(got["Q_TE"], w, 1e-13) {
		t.Errorf("Q_TE = %v, want %v", got["Q_TE"], w)
	}
	if _, err := Evaluate([]string{"PSNR"}, in); !errors.Is(err, ErrDegenerate) {
		t.Errorf("PSNR of identical images: err %v, want ErrDegenerate", err)
	}
}

// TestQSFHandWorked: F(i,j) = j on 4x4 gives row sum 12, column sum 0 and
// diagonal sums 9; with sources F and 2F the reference SF is 2 SF_F, so
// Q_SF = -1/2 exactly, and SF = sqrt(12/16).
func TestQSFHandWorked(t *testing.T) {
	f := gray([][]float64{{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}})
	f2 := f.Clone()
	for i := range f2.Planes[0] {
		f2.Planes[0][i] *= 2
	}
	sums := sfSums([][]float64{f.Planes[0]}, 4, 4)
	if sums != [4]float64{12, 0, 9, 9} {
		t.Errorf("sfSums = %v, want [12 0 9 9]", sums)
	}
	got, err := Evaluate([]string{"Q_SF", "SF"}, Inputs{Sources: []*data.Image{f, f2}, Fused: f})
	if err != nil {
		t.Fatal(err)
	}
	if !near(got["Q_SF"], -0.5, 1e-15) || !near(got["SF"], math.Sqrt(0.75), 1e-15) {
		t.Errorf("Q_SF = %v, SF = %v; want -0.5, %v", got["Q_SF"], got["SF"], math.Sqrt(0.75))
	}
	// A third source equal to A leaves the per-pixel maximum unchanged.
	got3, err := Evaluate([]string{"Q_SF"}, Inputs{Sources: []*data.Image{f, f2, f.Clone()}, Fused: f})
	if err != nil || got3["Q_SF"] != got["Q_SF"] {
		t.Errorf("3-source Q_SF = %v, %v; want %v", got3["Q_SF"], err, got["Q_SF"])
	}
}

// TestDegenerate: constant images give ErrDegenerate where the reference
// divides 0/0, and finite values elsewhere.
func TestDegenerate(t *testing.T) {
	c := constant(20, 20, 100)
	in := Inputs{Sources: []*data.Image{c, c.Clone()}, Fused: c.Clone()}
	for _, name := range []string{"Q_NMI", "Q_TE", "Q_CB", "Q_SF", "Q_TE_cvejic", "SCD"} {
		_, err := Evaluate([]string{name}, in)
		if !errors.Is(err, ErrDegenerate) {
			t.Errorf("%s on constant images: err %v, want ErrDegenerate", name, err)
		}
	}
	// Zero padding makes the borders edges, so Q_G is finite; Piella's 0.5
	// rule keeps its weights finite where all variances are 0.
	got, err := Evaluate([]string{"Q_G", "Q_Piella", "Q_ABF_qabf", "EN", "SD"}, in)
	if err != nil {
		t.Fatalf("finite metrics on constant images: %v", err)
	}
	if got["Q_Piella"] != 1 || got["EN"] != 0 || got["SD"] != 0 {
		t.Errorf("constant images: %v", got)
	}
	zero := constant(20, 20, 0)
	zin := Inputs{Sources: []*data.Image{zero, zero}, Fused: zero}
	for _, name := range []string{"Q_NMI", "Q_ABF_qabf", "Q_SF"} {
		if _, err := Evaluate([]string{name}, zin); !errors.Is(err, ErrDegenerate) {
			t.Errorf("%s on all-zero images: err %v, want ErrDegenerate", name, err)
		}
	}
	// Zero gradients everywhere: Q_G's 1e-5 guards give a finite value,
	// G = 1e-5/1e-5 = 1 and atan(0) = 0 so A = 1 at every pixel.
	got, err = Evaluate([]string{"Q_G"}, zin)
	if w := 1 / (1 + math.Exp(-5)) / (1 + math.Exp(-5)); err != nil || !near(got["Q_G"], w, 1e-13) {
		t.Errorf("Q_G on all-zero images = %v, %v; want %v", got["Q_G"], err, w)
	}
}

func TestInputErrors(t *testing.T) {
	a := texture(16, 16, 1, 1)
	rgb := texture(16, 16, 3, 2)
	two := data.NewImage(16, 16, 2)
	small := texture(15, 16, 1, 1)
	tests := []struct {
		name string
		in   Inputs
		want string
	}{
		{"one source", Inputs{Sources: []*data.Image{a}, Fused: a}, "at least 2 source"},
		{"nil fused", Inputs{Sources: []*data.Image{a, a}}, "fused image is nil"},
		{"size", Inputs{Sources: []*data.Image{a, small}, Fused: a}, "size mismatch"},
		{"planes", Inputs{Sources: []*data.Image{a, two}, Fused: a}, "2 planes"},
		{"empty", Inputs{Sources: []*data.Image{a, a}, Fused: data.NewImage(0, 0, 1)}, "empty"},
		{"nil source", Inputs{Sources: []*data.Image{a, nil}, Fused: a}, "source 2 is nil"},
		{"short plane", Inputs{Sources: []*data.Image{a, {W: 16, H: 16, Planes: [][]float64{{1}}}}, Fused: a}, "samples"},
		{"reference size", Inputs{Sources: []*data.Image{a, rgb}, Fused: a, Reference: small}, "reference"},
	}
	for _, tc := range tests {
		_, err := Evaluate(Primary(), tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
	if _, err := Evaluate([]string{"PSNR"}, Inputs{Sources: []*data.Image{a, a}, Fused: a}); err == nil ||
		!strings.Contains(err.Error(), "reference") {
		t.Errorf("PSNR without reference: err %v", err)
	}
	_, err := Evaluate([]string{"Q_NOPE"}, Inputs{Sources: []*data.Image{a, a}, Fused: a})
	if err == nil || !strings.Contains(err.Error(), "Q_Piella") {
		t.Errorf("unknown metric: err %v, want the known names listed", err)
	}
	tiny := texture(8, 8, 1, 1)
	if _, err := Evaluate([]string{"Q_Piella"}, Inputs{Sources: []*data.Image{tiny, tiny}, Fused: tiny}); !errors.Is(err, ErrDegenerate) {
		t.Errorf("Q_Piella on 8x8: err %v, want ErrDegenerate (smaller than window)", err)
	}
}

func TestRegistry(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names not sorted: %v", names)
	}
	for _, n := range append(Primary(), "Q_G_yuliu", "Q_ABF_qabf", "Q_TE_cvejic", "Q_Piella_yuliu", "Q_W_zl",
		"Q_W_yuliu", "Q_E_yuliu", "EN", "SD", "SF", "AG", "MI", "PSNR", "SSIM", "VIF", "SCD") {
		m, err := Lookup(n)
		if err != nil {
			t.Errorf("Lookup(%s): %v", n, err)
			continue
		}
		if m.Description == "" || m.Citation == "" || m.Compute == nil {
			t.Errorf("%s: incomplete registration", n)
		}
	}
	if m, _ := Lookup("Q_SF"); m.Better != CloserToZero {
		t.Errorf("Q_SF Better = %v, want CloserToZero", m.Better)
	}
	defer func() {
		if recover() == nil {
			t.Error("duplicate Register did not panic")
		}
	}()
	Register(Metric{Name: "Q_G", Compute: func(Inputs) (float64, error) { return 0, nil }})
}

func TestRegisterExternal(t *testing.T) {
	Register(Metric{Name: "test_mean_fused", Description: "mean", Citation: "test",
		Compute: func(in Inputs) (float64, error) { return mean2(in.Fused.Planes[0]), nil }})
	rgb := texture(12, 12, 3, 5)
	g, _ := rgb.Gray()
	got, err := Evaluate([]string{"test_mean_fused"}, Inputs{Sources: []*data.Image{rgb, rgb}, Fused: rgb})
	if err != nil || got["test_mean_fused"] != mean2(g.Planes[0]) {
		t.Errorf("external metric saw %v, %v; want the gray mean %v", got, err, mean2(g.Planes[0]))
	}
}

func TestRank(t *testing.T) {
	v := []float64{0.5, -0.1, 0.9, 0.02, -0.9}
	tests := []struct {
		b    Better
		want []int
	}{
		{HigherIsBetter, []int{2, 0, 3, 1, 4}},
		{LowerIsBetter, []int{4, 1, 3, 0, 2}},
		{CloserToZero, []int{3, 1, 0, 2, 4}},
	}
	for _, tc := range tests {
		if got := tc.b.Rank(v); !slices.Equal(got, tc.want) {
			t.Errorf("%v.Rank = %v, want %v", tc.b, got, tc.want)
		}
	}
	if got := HigherIsBetter.Rank([]float64{math.NaN(), 1, 1}); !slices.Equal(got, []int{1, 2, 0}) {
		t.Errorf("Rank with NaN and tie = %v, want [1 2 0]", got)
	}
}

// TestSwapSymmetry: exchanging the two sources changes no metric.
func TestSwapSymmetry(t *testing.T) {
	sharp := texture(64, 48, 1, 9)
	a, b := focusPair(sharp, 2)
	f := boxBlur(sharp, 1)
	names := []string{"Q_NMI", "Q_TE", "Q_G", "Q_G_yuliu", "Q_ABF_qabf", "Q_CB", "Q_SF", "Q_Piella", "Q_W_zl",
		"Q_Piella_yuliu", "Q_W_yuliu", "Q_E_yuliu", "Q_TE_cvejic", "MI", "SCD", "VIF"}
	ab, err := Evaluate(names, Inputs{Sources: []*data.Image{a, b}, Fused: f})
	if err != nil {
		t.Fatal(err)
	}
	ba, err := Evaluate(names, Inputs{Sources: []*data.Image{b, a}, Fused: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		tol := 1e-12
		if strings.HasPrefix(n, "Q_G") {
			// The reference replaces gF = 0 by 1e-5 only after the first
			// source, so G_AF = 0 but G_BF = 1e-5/gB there: a tiny,
			// genuine asymmetry.
			tol = 1e-9
		}
		if !near(ab[n], ba[n], tol) {
			t.Errorf("%s: %v with (A,B) but %v with (B,A)", n, ab[n], ba[n])
		}
	}
}

// TestSharperIsBetter: on a synthetic focus pair the all-in-focus image
// must beat a blurred one on the structural metrics.
func TestSharperIsBetter(t *testing.T) {
	sharp := texture(96, 80, 1, 4)
	a, b := focusPair(sharp, 3)
	blurred := boxBlur(sharp, 2)
	names := []string{"Q_G", "Q_G_yuliu", "Q_ABF_qabf", "Q_CB", "Q_SF", "Q_Piella", "Q_W_zl", "Q_Piella_yuliu",
		"Q_E_yuliu", "Q_NMI", "SSIM", "PSNR", "SF", "AG", "SD", "VIF"}
	good, err := Evaluate(names, Inputs{Sources: []*data.Image{a, b}, Fused: sharp, Reference: sharp.Clone()})
	if err == nil {
		t.Fatal("PSNR of the reference itself should be degenerate")
	}
	bad, err := Evaluate(names, Inputs{Sources: []*data.Image{a, b}, Fused: blurred, Reference: sharp})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == "PSNR" {
			continue
		}
		m, _ := Lookup(n)
		if r := m.Better.Rank([]float64{good[n], bad[n]}); r[0] != 0 {
			t.Errorf("%s: sharp %v not better than blurred %v", n, good[n], bad[n])
		}
	}
	if bad["PSNR"] <= 0 || math.IsInf(bad["PSNR"], 0) {
		t.Errorf("PSNR = %v", bad["PSNR"])
	}
}

// TestMultiSource checks the documented N-source definitions.
func TestMultiSource(t *testing.T) {
	sharp := texture(40, 40, 1, 6)
	in3 := Inputs{Sources: []*data.Image{sharp, sharp.Clone(), sharp.Clone()}, Fused: sharp.Clone()}
	got, err := Evaluate([]string{"Q_NMI", "Q_CB", "Q_Piella", "MI"}, in3)
	if err != nil {
		t.Fatal(err)
	}
	if !near(got["Q_NMI"], 2, 1e-12) || !near(got["Q_CB"], 1, 1e-12) || !near(got["Q_Piella"], 1, 1e-12) {
		t.Errorf("3 identical sources: %v", got)
	}
	for _, n := range []string{"Q_TE", "SCD"} {
		if _, err := Evaluate([]string{n}, in3); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s with 3 sources: err %v, want ErrUnsupported", n, err)
		}
	}
}

// TestColourEqualsGray: RGB inputs give exactly the values of their Gray().
func TestColourEqualsGray(t *testing.T) {
	sharp := texture(40, 36, 3, 8)
	a, b := focusPair(sharp, 2)
	g := func(m *data.Image) *data.Image { x, _ := m.Gray(); return x }
	rgb, err := Evaluate(Primary(), Inputs{Sources: []*data.Image{a, b}, Fused: sharp})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := Evaluate(Primary(), Inputs{Sources: []*data.Image{g(a), g(b)}, Fused: g(sharp)})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range Primary() {
		if rgb[n] != gr[n] {
			t.Errorf("%s: RGB %v vs gray %v", n, rgb[n], gr[n])
		}
	}
}

// TestComputeMatchesEvaluate: a metric's own Compute gives the value
// Evaluate gives with shared intermediates.
func TestComputeMatchesEvaluate(t *testing.T) {
	sharp := texture(72, 64, 1, 2)
	a, b := focusPair(sharp, 2)
	in := Inputs{Sources: []*data.Image{a, b}, Fused: boxBlur(sharp, 1), Reference: sharp}
	// Suite metrics whose toolkit cannot take these inputs (for example
	// MEFB's MEF_SSIM on gray images) fail with ErrUnsupported in both.
	all, _ := Evaluate(Names(), in)
	for _, n := range Names() {
		m, _ := Lookup(n)
		v, err := m.Compute(in)
		if _, ok := all[n]; !ok {
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: Evaluate failed; Compute %v, %v (only ErrUnsupported may fail here)", n, v, err)
			}
			continue
		}
		if err != nil || v != all[n] {
			t.Errorf("%s: Compute %v, %v; Evaluate %v", n, v, err, all[n])
		}
	}
}

func TestEvaluateMany(t *testing.T) {
	var ins []Inputs
	for i := 0; i < 5; i++ {
		sharp := texture(32, 32, 1, uint64(10+i))
		a, b := focusPair(sharp, 2)
		ins = append(ins, Inputs{Sources: []*data.Image{a, b}, Fused: boxBlur(sharp, i%2)})
	}
	load := func(i int) (Inputs, error) {
		if i == 3 {
			return Inputs{}, fmt.Errorf("broken file")
		}
		return ins[i], nil
	}
	res, err := EvaluateMany(len(ins), load, Primary(), 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if i == 3 {
			if r.Err == nil || !strings.Contains(r.Err.Error(), "broken file") {
				t.Errorf("input 3: err %v", r.Err)
			}
			continue
		}
		want, _ := Evaluate(Primary(), ins[i])
		for k, v := range want {
			if r.Values[k] != v {
				t.Errorf("input %d %s: %v vs sequential %v", i, k, r.Values[k], v)
			}
		}
	}
	if _, err := EvaluateMany(1, load, []string{"nope"}, 1, nil); err == nil {
		t.Error("unknown metric accepted")
	}
}
