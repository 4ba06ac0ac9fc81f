package eval

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

// scene returns a textured ground truth and the two-source pair made from it:
// A is sharp on the left half and blurred on the right, B the opposite.
func scene(w, h, c int, seed uint64) (gt, a, b *data.Image) {
	rng := rand.New(rand.NewPCG(seed, 7))
	gt = data.NewImage(w, h, c)
	a, b = data.NewImage(w, h, c), data.NewImage(w, h, c)
	for p := range c {
		for i := range gt.Planes[p] {
			gt.Planes[p][i] = float64(rng.IntN(256))
		}
		bl := gaussianBlur(gt.Planes[p], w, h, 2, 6)
		for y := range h {
			for x := range w {
				i := y*w + x
				if x < w/2 {
					a.Planes[p][i], b.Planes[p][i] = gt.Planes[p][i], bl[i]
				} else {
					a.Planes[p][i], b.Planes[p][i] = bl[i], gt.Planes[p][i]
				}
			}
		}
	}
	return gt, a, b
}

func mse(x, y *data.Image) float64 {
	s, n := 0.0, 0
	for c := range x.Planes {
		for i, v := range x.Planes[c] {
			d := v - y.Planes[c][i]
			s += d * d
			n++
		}
	}
	return s / float64(n)
}

func mustNew(t testing.TB, name string, opts Options) Method {
	t.Helper()
	m, err := New(name, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMethodsBeatSources(t *testing.T) {
	for _, name := range Names() {
		for _, planes := range []int{1, 3} {
			t.Run(name+"/"+map[int]string{1: "gray", 3: "colour"}[planes], func(t *testing.T) {
				// Odd sizes exercise partial DCT blocks and pyramid levels.
				w, h := 64, 48
				if planes == 3 {
					w, h = 61, 45
				}
				gt, a, b := scene(w, h, planes, 11)
				res, err := mustNew(t, name, nil).Fuse([]*data.Image{a, b})
				if err != nil {
					t.Fatal(err)
				}
				f := res.Fused
				if f.W != w || f.H != h || f.C() != planes {
					t.Fatalf("fused is %dx%dx%d", f.W, f.H, f.C())
				}
				ef, ea, eb := mse(f, gt), mse(a, gt), mse(b, gt)
				t.Logf("MSE fused %.1f, A %.1f, B %.1f", ef, ea, eb)
				if !(ef < ea && ef < eb) {
					t.Fatalf("fused MSE %.1f not below sources %.1f, %.1f", ef, ea, eb)
				}
				info, _ := Lookup(name)
				if info.HasMap != (res.Map != nil) {
					t.Fatalf("HasMap %v but Map %v", info.HasMap, res.Map != nil)
				}
				if res.Map != nil {
					checkHalfMap(t, res.Map, 8, 0)
				}
			})
		}
	}
}

// checkHalfMap requires 1 on the left and 0 on the right (within tol),
// margin pixels away from the vertical boundary.
func checkHalfMap(t *testing.T, m *data.Image, margin int, tol float64) {
	t.Helper()
	for y := range m.H {
		for x := range m.W {
			v := m.At(0, x, y)
			if x < m.W/2-margin && v < 1-tol || x >= m.W/2+margin && v > tol {
				t.Fatalf("map(%d,%d) = %v", x, y, v)
			}
		}
	}
}

func TestMapMethodsWithOptions(t *testing.T) {
	gt, a, b := scene(64, 64, 3, 12)
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"dct-variance", Options{"cv": false}},
		{"dct-variance", Options{"cv": "true", "cv_window": 3}},
		{"sf-map", Options{"window": 5, "min_area_fraction": 0.02}},
		{"sf-map", Options{"guided_radius": 4, "guided_eps": 0.1}},
		{"laplacian", Options{"levels": 2}},
		{"gff", Options{"r1": 20.0, "eps1": 0.1, "r2": 3, "eps2": "1e-5"}},
	} {
		res, err := mustNew(t, tc.name, tc.opts).Fuse([]*data.Image{a, b})
		if err != nil {
			t.Fatalf("%s %v: %v", tc.name, tc.opts, err)
		}
		if mse(res.Fused, gt) >= min(mse(a, gt), mse(b, gt)) {
			t.Errorf("%s %v: not better than sources", tc.name, tc.opts)
		}
		if res.Map != nil {
			checkHalfMap(t, res.Map, 8, 0.05)
			for _, v := range res.Map.Planes[0] {
				if v < 0 || v > 1 {
					t.Fatalf("%s %v: map value %v", tc.name, tc.opts, v)
				}
			}
		}
	}
}

func TestDCTConsistencyVerificationRemovesIsolatedBlock(t *testing.T) {
	_, a, b := scene(64, 64, 1, 13)
	// Make one block in B's blurred half sharper than A there: without CV
	// it is chosen from B, with CV the majority returns it to A.
	for y := 16; y < 24; y++ {
		for x := 8; x < 16; x++ {
			b.Set(0, x, y, 255*float64((x+y)%2))
		}
	}
	for _, tc := range []struct {
		cv   bool
		want float64
	}{{false, 0}, {true, 1}} {
		res, err := mustNew(t, "dct-variance", Options{"cv": tc.cv}).Fuse([]*data.Image{a, b})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Map.At(0, 12, 20); got != tc.want {
			t.Errorf("cv=%v: map at block = %v, want %v", tc.cv, got, tc.want)
		}
		if got := res.RawMap.At(0, 12, 20); got != 0 {
			t.Errorf("cv=%v: raw map at block = %v, want 0", tc.cv, got)
		}
	}
}

func TestAverageOfIdenticalIsSource(t *testing.T) {
	_, a, _ := scene(17, 9, 3, 14)
	res, err := mustNew(t, "average", nil).Fuse([]*data.Image{a, a.Clone(), a.Clone()})
	if err != nil {
		t.Fatal(err)
	}
	if e := mse(res.Fused, a); e > 1e-20 {
		t.Fatalf("MSE %v", e)
	}
}

func TestIdenticalSourcesAreFixedPoints(t *testing.T) {
	_, a, _ := scene(40, 33, 3, 15)
	for _, name := range Names() {
		res, err := mustNew(t, name, nil).Fuse([]*data.Image{a, a.Clone()})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e := mse(res.Fused, a); e > 1e-6 {
			t.Errorf("%s: fusing a source with itself changed it (MSE %v)", name, e)
		}
	}
}

func TestThreeSources(t *testing.T) {
	const w, h = 48, 48
	gt, a, b := scene(w, h, 1, 16)
	// A third source that is blurred everywhere adds nothing.
	c := &data.Image{W: w, H: h, Planes: [][]float64{gaussianBlur(gt.Planes[0], w, h, 2, 6)}}
	for _, name := range Names() {
		res, err := mustNew(t, name, nil).Fuse([]*data.Image{a, b, c})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ef := mse(res.Fused, gt)
		if name != "average" && ef >= min(mse(a, gt), mse(b, gt)) {
			t.Errorf("%s: N=3 fused MSE %.1f not below the sources", name, ef)
		}
		if name == "average" {
			want := (a.At(0, 3, 4) + b.At(0, 3, 4) + c.At(0, 3, 4)) / 3
			if d := res.Fused.At(0, 3, 4) - want; d*d > 1e-18 {
				t.Errorf("average of 3: %v want %v", res.Fused.At(0, 3, 4), want)
			}
		}
		if res.Map != nil {
			// Source 0 keeps its weight only where it won both rounds.
			checkHalfMap(t, res.Map, 8, 0)
		}
	}
}

func TestFuseInputErrors(t *testing.T) {
	_, a, b := scene(16, 16, 3, 17)
	small := data.NewImage(16, 12, 3)
	twoPlanes := data.NewImage(16, 16, 2)
	for _, name := range Names() {
		m := mustNew(t, name, nil)
		for _, tc := range []struct {
			what string
			srcs []*data.Image
			want string
		}{
			{"size", []*data.Image{a, small}, "size mismatch: 16x16 vs 16x12"},
			{"size-3rd", []*data.Image{a, b, small}, "source 2"},
			{"planes", []*data.Image{a, twoPlanes}, "planes"},
			{"one", []*data.Image{a}, "at least 2"},
			{"nil", []*data.Image{a, nil}, "source 1 is nil"},
		} {
			_, err := m.Fuse(tc.srcs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s/%s: error %v, want mention of %q", name, tc.what, err, tc.want)
			}
		}
	}
}

func TestOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"average", Options{"levels": 3}, "unknown option(s) levels"},
		{"laplacian", Options{"level": 3}, "unknown option(s) level (accepted: levels)"},
		{"laplacian", Options{"levels": 0}, "levels"},
		{"laplacian", Options{"levels": 2.5}, "not an integer"},
		{"dct-variance", Options{"cv_window": 4}, "odd"},
		{"dct-variance", Options{"cv": "maybe"}, "boolean"},
		{"gff", Options{"eps1": -1}, "eps1"},
		{"gff", Options{"r3": 1, "r4": 2}, "r3, r4"},
		{"sf-map", Options{"window": 0}, "window"},
		{"sf-map", Options{"guided_radius": 2, "guided_eps": 0}, "eps"},
		{"sf-map", Options{"min_area_fraction": "x"}, "number"},
		{"nope", nil, "unknown fusion method \"nope\" (known: average, dct-variance, gff, laplacian, sf-map)"},
	} {
		_, err := New(tc.name, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want mention of %q", tc.name, tc.opts, err, tc.want)
		}
	}
}

func TestLaplacianTooSmall(t *testing.T) {
	a, b := data.NewImage(6, 6, 1), data.NewImage(6, 6, 1)
	_, err := mustNew(t, "laplacian", Options{"levels": 4}).Fuse([]*data.Image{a, b})
	if err == nil || !strings.Contains(err.Error(), "too small") {
		t.Fatalf("error %v", err)
	}
}

func TestLaplacianPyramidReconstructs(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, sz := range [][2]int{{31, 17}, {32, 32}, {5, 9}} {
		w, h := sz[0], sz[1]
		p := randPlane(rng, w*h, 255)
		got := buildPyramid(p, w, h, 2).collapse()
		for i := range p {
			if d := got[i] - p[i]; d*d > 1e-18 {
				t.Fatalf("%dx%d pixel %d: %v vs %v", w, h, i, got[i], p[i])
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	want := []string{"average", "dct-variance", "gff", "laplacian", "sf-map"}
	if got := Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Names() = %v", got)
	}
	for _, n := range want {
		info, err := Lookup(n)
		if err != nil || info.Name != n || info.Citation == "" || info.Description == "" {
			t.Errorf("Lookup(%s) = %+v, %v", n, info, err)
		}
	}
	if _, err := Lookup("x"); err == nil {
		t.Error("Lookup of unknown name succeeded")
	}
}
