package siamese

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/sugarme/gotch/ts"
	"gonum.org/v1/gonum/stat"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/backend"
)

// values copies a tensor to the host (the test fails on error).
func values(t *testing.T, x *ts.Tensor) []float32 {
	t.Helper()
	v, err := backend.Float32s(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// blobs copies every variable of m.
func blobs(t *testing.T, m *Model) map[string][]float32 {
	t.Helper()
	out := map[string][]float32{}
	for _, p := range backend.Variables(m.VS) {
		out[p.Name] = values(t, p.Tensor)
	}
	return out
}

// tiny is a small config with every module on.
func tiny() Config {
	return Config{Name: "siamese", Width: 4, Levels: 2, ResBlocks: 1, DFEBBlocks: 1,
		GCBDepth: 3, GCBWidth: 4, CGAHidden: 4, CBAMReduction: 2, Modules: append([]string(nil), AllModules...)}
}

func randInput(seed int64, dims ...int64) *ts.Tensor {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	r := rand.New(rand.NewSource(seed))
	v := make([]float32, n)
	for i := range v {
		v[i] = r.Float32()
	}
	return backend.MustFromFloat32(v, dims...)
}

func shapeOf(t *ts.Tensor) []int64 { return t.MustSize() }

func TestModuleShapes(t *testing.T) {
	vs := backend.NewVarStore()
	p := vs.Root()
	rng := rand.New(rand.NewSource(1))
	x := randInput(1, 2, 6, 12, 10)
	g := randInput(2, 2, 1, 12, 10)
	tests := []struct {
		name string
		run  func(s *backend.Scope) *ts.Tensor
		want []int64
	}{
		{"cbr 6->5", func(s *backend.Scope) *ts.Tensor { return newCBR(p.Sub("cbr"), rng, 6, 5, 3).fwd(s, x, true) }, []int64{2, 5, 12, 10}},
		{"resblock", func(s *backend.Scope) *ts.Tensor { return newResBlock(p.Sub("res"), rng, 6, true).fwd(s, x, true) }, []int64{2, 6, 12, 10}},
		{"resblock plain", func(s *backend.Scope) *ts.Tensor { return newResBlock(p.Sub("res2"), rng, 6, false).fwd(s, x, true) }, []int64{2, 6, 12, 10}},
		{"gcb", func(s *backend.Scope) *ts.Tensor { return s.Add(newGCB(p.Sub("gcb"), rng, 4, 8).fwd(s, g, true)) }, []int64{2, 1, 12, 10}},
		{"cga", func(s *backend.Scope) *ts.Tensor { return newCGA(p.Sub("cga"), rng, 6, 16).fwd(s, x) }, []int64{2, 6, 12, 10}},
		{"dfeb", func(s *backend.Scope) *ts.Tensor { return newDFEB(p.Sub("dfeb"), rng, 6, 16).fwd(s, x) }, []int64{2, 6, 12, 10}},
		{"dca", func(s *backend.Scope) *ts.Tensor { return newDCA(p.Sub("dca"), rng, 6, 2, true).fwd(s, x) }, []int64{2, 6, 12, 10}},
		{"dca no residual", func(s *backend.Scope) *ts.Tensor { return newDCA(p.Sub("dca2"), rng, 6, 8, false).fwd(s, x) }, []int64{2, 6, 12, 10}},
		{"channel stats", func(s *backend.Scope) *ts.Tensor { return channelStats(s, x) }, []int64{2, 2, 12, 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := backend.NewScope()
			defer s.Close()
			if got := shapeOf(tc.run(s)); !slices.Equal(got, tc.want) {
				t.Errorf("shape %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCGAIsPerChannelMap(t *testing.T) {
	vs := backend.NewVarStore()
	c := newCGA(vs.Root(), rand.New(rand.NewSource(3)), 3, 4)
	x := randInput(4, 1, 3, 9, 9)
	s := backend.NewScope()
	defer s.Close()
	w := values(t, c.fwd(s, x))
	for _, v := range w {
		if !(v > 0 && v < 1) {
			t.Fatalf("CGA weight %v outside (0,1)", v)
		}
	}
	// Channels must get different maps (a per-channel SIM, not one map).
	if w[0] == w[81] && w[1] == w[82] && w[2] == w[83] {
		t.Errorf("channels 0 and 1 share their attention map")
	}
}

// ablations are the rows of the paper's Table 7.
var ablations = map[string][]string{
	"baseline":          {},
	"+dca":              {ModDCA},
	"+siamese":          {ModDCA, ModSiamese},
	"+residual+dfeb":    {ModDCA, ModSiamese, ModResidual, ModDFEB},
	"+gcb (full model)": AllModules,
}

func TestNetForwardAblations(t *testing.T) {
	for name, mods := range ablations {
		t.Run(name, func(t *testing.T) {
			cfg := tiny()
			cfg.Modules = mods
			m, err := NewModel(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			a, b := randInput(1, 2, 1, 16, 24), randInput(2, 2, 1, 16, 24)
			if err := m.Net.CheckInput(a, b); err != nil {
				t.Fatal(err)
			}
			out := m.Net.Forward(a, b, true)
			defer out.Drop()
			for _, o := range []*ts.Tensor{out.Logits, out.CleanA, out.CleanB} {
				if got := shapeOf(o); !slices.Equal(got, []int64{2, 1, 16, 24}) {
					t.Errorf("output shape %v", got)
				}
			}
			_, hasB := m.VS.Variables()["enc_b.level0.cbr.conv.weight"]
			if hasB == cfg.Has(ModSiamese) {
				t.Errorf("siamese=%v but second encoder present=%v", cfg.Has(ModSiamese), hasB)
			}
		})
	}
}

func TestSeedReproducible(t *testing.T) {
	a, _ := NewModel(tiny(), 7)
	b, _ := NewModel(tiny(), 7)
	c, _ := NewModel(tiny(), 8)
	ba, bb, bc := blobs(t, a), blobs(t, b), blobs(t, c)
	same, diff := true, false
	for k, v := range ba {
		for i := range v {
			same = same && v[i] == bb[k][i]
			diff = diff || v[i] != bc[k][i]
		}
	}
	if !same || !diff {
		t.Errorf("same seed equal=%v, other seed differs=%v", same, diff)
	}
}

func TestCheckInput(t *testing.T) {
	m, _ := NewModel(tiny(), 1) // stride 4
	tests := []struct {
		name string
		a, b []int64
		ok   bool
	}{
		{"ok", []int64{1, 1, 8, 12}, []int64{1, 1, 8, 12}, true},
		{"odd size", []int64{1, 1, 9, 12}, []int64{1, 1, 9, 12}, false},
		{"mismatch", []int64{1, 1, 8, 12}, []int64{1, 1, 8, 8}, false},
		{"colour", []int64{1, 3, 8, 12}, []int64{1, 3, 8, 12}, false},
	}
	for _, tc := range tests {
		a, b := randInput(1, tc.a...), randInput(1, tc.b...)
		if err := m.Net.CheckInput(a, b); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}

func TestGCBRemovesNothingAtInit(t *testing.T) {
	// Sanity of the residual form: clean = x − noise, so the output stays
	// finite and close in scale to the input.
	cfg := tiny()
	m, _ := NewModel(cfg, 2)
	a, b := randInput(1, 1, 1, 8, 8), randInput(2, 1, 1, 8, 8)
	out := m.Net.Forward(a, b, false)
	defer out.Drop()
	for _, v := range values(t, out.CleanA) {
		if math.IsNaN(float64(v)) || math.Abs(float64(v)) > 10 {
			t.Fatalf("GCB output %v", v)
		}
	}
}

// A forward pass, in training and in inference mode, leaves no tensor
// handle behind for the garbage collector: every intermediate is dropped
// by the forward's scope and the caller drops the outputs.
func TestForwardLeavesNoHandles(t *testing.T) {
	m, err := NewModel(tiny(), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	err = backend.Run(func() error {
		a, b := randInput(1, 2, 1, 16, 16), randInput(2, 2, 1, 16, 16)
		defer backend.Drop(a, b)
		for _, train := range []bool{true, false} {
			n, err := backend.LeakedHandles(func() error {
				m.Net.Forward(a, b, train).Drop()
				return nil
			})
			if err != nil || n != 0 {
				t.Errorf("train=%v: %d tensor handles left after Forward and Drop (%v)", train, n, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// DecisionMap pads odd sizes, returns a map in [0,1] at the source size,
// and reports mismatched sources as an error.
func TestDecisionMap(t *testing.T) {
	m, err := NewModel(tiny(), 5)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	a, b := data.NewImage(13, 10, 3), data.NewImage(13, 10, 3)
	for i := range a.Planes[0] {
		for c := 0; c < 3; c++ {
			a.Planes[c][i] = float64((i * 37) % 256)
			b.Planes[c][i] = float64((i * 11) % 256)
		}
	}
	var d *data.Image
	n, err := backend.LeakedHandles(func() error {
		var err error
		d, err = m.DecisionMap(a, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.W != 13 || d.H != 10 || d.C() != 1 {
		t.Fatalf("map is %dx%dx%d, want 13x10x1", d.W, d.H, d.C())
	}
	for _, v := range d.Planes[0] {
		if v < 0 || v > 1 {
			t.Fatalf("map value %v outside [0,1]", v)
		}
	}
	if n != 0 {
		t.Errorf("%d tensor handles left after DecisionMap", n)
	}
	if _, err := m.DecisionMap(a, data.NewImage(12, 10, 3)); err == nil {
		t.Error("sources of different sizes accepted")
	}
}

// MapOptions.Views: 1 view is DecisionMap; 2 views average D(a,b) with
// 1 − D(b,a); the 8- and 16-view maps are equivariant, so the map of a
// transposed and mirrored pair is the same transform of the pair's map
// (which holds only if every view is brought back to the source geometry
// correctly); other view counts are errors.
func TestDecisionMapViews(t *testing.T) {
	m, err := NewModel(tiny(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	const w, h = 13, 10
	a, b := patternPair(w, h, 1)
	maps := func(x, y *data.Image, views int) []float64 {
		t.Helper()
		d, err := m.DecisionMapWith(x, y, MapOptions{Views: views})
		if err != nil {
			t.Fatal(err)
		}
		return d.Planes[0]
	}
	near := func(what string, got, want []float64) {
		t.Helper()
		closePlanes(t, what, got, want, 1e-5)
	}
	plain, swapped := maps(a, b, 1), maps(b, a, 1)
	d0, err := m.DecisionMap(a, b)
	if err != nil {
		t.Fatal(err)
	}
	near("1 view vs DecisionMap", plain, d0.Planes[0])
	two := make([]float64, len(plain))
	for i := range two {
		two[i] = (plain[i] + 1 - swapped[i]) / 2
	}
	near("2 views", maps(a, b, 2), two)
	const tf = 5 // transpose, then mirror x
	vw, vh := data.DihedralSize(tf, w, h)
	view := func(x *data.Image) *data.Image {
		v := data.NewImage(vw, vh, 1)
		for y := 0; y < vh; y++ {
			for xx := 0; xx < vw; xx++ {
				v.Planes[0][y*vw+xx] = x.Planes[0][data.DihedralIndex(tf, xx, y, w, h)]
			}
		}
		return v
	}
	for _, views := range []int{8, 16} {
		full := &data.Image{W: w, H: h, Planes: [][]float64{maps(a, b, views)}}
		near(fmt.Sprintf("%d views of the transformed pair", views), maps(view(a), view(b), views), view(full).Planes[0])
		if slices.Equal(full.Planes[0], plain) {
			t.Errorf("%d views give the plain map: no averaging happened", views)
		}
	}
	for _, bad := range []int{-1, 3, 4, 32} {
		if _, err := m.DecisionMapWith(a, b, MapOptions{Views: bad}); err == nil {
			t.Errorf("views = %d accepted", bad)
		}
	}
}

// MapOptions.EqualExposure: the brighter source is scaled down to the
// darker one's mean, so the map equals the plain map of the pair scaled by
// hand, and a pair with equal means is left alone.
func TestEqualExposure(t *testing.T) {
	m, err := NewModel(tiny(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	a, b := patternPair(13, 10, 2)
	ma, mb := stat.Mean(a.Planes[0], nil), stat.Mean(b.Planes[0], nil)
	scaled := a.Clone()
	for i, v := range scaled.Planes[0] {
		scaled.Planes[0][i] = v * mb / ma
	}
	eq := MapOptions{EqualExposure: true}
	for _, tc := range []struct {
		name       string
		x, y, refX *data.Image
	}{
		{"A brighter", a, b, scaled},
		{"equal means", b, b, b},
	} {
		got, err := m.DecisionMapWith(tc.x, tc.y, eq)
		if err != nil {
			t.Fatal(err)
		}
		want, err := m.DecisionMap(tc.refX, tc.y)
		if err != nil {
			t.Fatal(err)
		}
		closePlanes(t, tc.name, got.Planes[0], want.Planes[0], 1e-6)
	}
	plain, err := m.DecisionMap(a, b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.DecisionMapWith(a, b, eq)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(plain.Planes[0], got.Planes[0]) {
		t.Error("EqualExposure changed nothing on a pair with different means")
	}
}

func TestExposureGains(t *testing.T) {
	for _, tc := range []struct {
		name   string
		a, b   []float64
		ka, kb float64
	}{
		{"A brighter", []float64{100, 300}, []float64{50, 50}, 0.25, 1},
		{"B brighter", []float64{20, 40}, []float64{60, 60}, 1, 0.5},
		{"equal", []float64{10, 30}, []float64{20, 20}, 1, 1},
		{"black A", []float64{0, 0}, []float64{60, 60}, 1, 1},
	} {
		ka, kb := exposureGains(tc.a, tc.b)
		if math.Abs(ka-tc.ka) > 1e-15 || math.Abs(kb-tc.kb) > 1e-15 {
			t.Errorf("%s: gains %v, %v, want %v, %v", tc.name, ka, kb, tc.ka, tc.kb)
		}
	}
}

// patternPair returns two w x h gray sources with fixed, unrelated
// patterns; b's levels are divided by bDiv (a darker exposure for bDiv > 1).
func patternPair(w, h int, bDiv float64) (a, b *data.Image) {
	a, b = data.NewImage(w, h, 1), data.NewImage(w, h, 1)
	for i := range a.Planes[0] {
		a.Planes[0][i] = float64((i * 37) % 256)
		b.Planes[0][i] = float64((i*11+5)%256) / bDiv
	}
	return a, b
}

// closePlanes fails the test at the first pixel where got and want differ
// by more than tol.
func closePlanes(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s: pixel %d = %v, want %v", what, i, got[i], want[i])
		}
	}
}
