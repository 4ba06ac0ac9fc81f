package siamese

import (
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data/padding"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"

	net "github.com/mfif/mfif/nets/siamese"
)

func tinyModel(t *testing.T) string {
	t.Helper()
	cfg := net.Config{Name: "siamese", Width: 4, Levels: 2, ResBlocks: 1, DFEBBlocks: 1,
		GCBDepth: 3, GCBWidth: 4, CGAHidden: 4, CBAMReduction: 2, Modules: net.AllModules}
	m, err := net.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.ckpt")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func randImage(seed int64, w, h, c int) *data.Image {
	r := rand.New(rand.NewSource(seed))
	m := data.NewImage(w, h, c)
	for _, p := range m.Planes {
		for i := range p {
			p[i] = float64(r.Intn(256))
		}
	}
	return m
}

func TestFuseOddSizes(t *testing.T) {
	ckpt := tinyModel(t)
	m, err := eval.New("siamese", eval.Options{"model": ckpt, "min_area_fraction": 0.0})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		w, h, c int
		n       int
	}{
		{"odd colour", 37, 29, 3, 2},
		{"gray", 20, 13, 1, 2},
		{"tiny", 3, 2, 1, 2},
		{"three sources", 17, 9, 3, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var srcs []*data.Image
			for k := 0; k < tc.n; k++ {
				srcs = append(srcs, randImage(int64(k+1), tc.w, tc.h, tc.c))
			}
			res, err := m.Fuse(srcs)
			if err != nil {
				t.Fatal(err)
			}
			for _, img := range []*data.Image{res.Fused, res.Map, res.RawMap} {
				if img.W != tc.w || img.H != tc.h {
					t.Fatalf("output %dx%d, want %dx%d", img.W, img.H, tc.w, tc.h)
				}
			}
			if res.Fused.C() != tc.c {
				t.Errorf("fused has %d planes, want %d", res.Fused.C(), tc.c)
			}
			if tc.n == 2 {
				// Binary map, no guided filter: every pixel is A's or B's.
				for i, d := range res.Map.Planes[0] {
					want := srcs[1].Planes[0][i]
					if d == 1 {
						want = srcs[0].Planes[0][i]
					}
					if res.Fused.Planes[0][i] != want {
						t.Fatalf("pixel %d: fused %v, map %v, want %v", i, res.Fused.Planes[0][i], d, want)
					}
				}
			}
		})
	}
}

func TestRawMapMatchesPaddedInput(t *testing.T) {
	// The map of an odd-size pair must be the top-left crop of the map of
	// the reflect-padded pair: padding and cropping must not shift pixels.
	ckpt := tinyModel(t)
	mm, err := New(eval.Options{"model": ckpt})
	if err != nil {
		t.Fatal(err)
	}
	a, b := randImage(1, 13, 6, 1), randImage(2, 13, 6, 1)
	pad := func(m *data.Image) *data.Image {
		g, _ := m.GrayUnit()
		p, w, h := padding.Reflect(g, m.W, m.H, 4)
		out := data.NewImage(w, h, 1)
		for i, v := range p {
			out.Planes[0][i] = float64(v) * 255
		}
		return out
	}
	small, err := mm.RawMap(a, b)
	if err != nil {
		t.Fatal(err)
	}
	big, err := mm.RawMap(pad(a), pad(b))
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 6; y++ {
		for x := 0; x < 13; x++ {
			s, g := small.Planes[0][y*13+x], big.Planes[0][y*big.W+x]
			if d := s - g; d > 1e-6 || d < -1e-6 {
				t.Fatalf("(%d,%d): %v vs %v", x, y, s, g)
			}
		}
	}
}

func TestOptionErrors(t *testing.T) {
	ckpt := tinyModel(t)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "bad.ckpt")
	raw, _ := os.ReadFile(ckpt)
	os.WriteFile(corrupt, raw[:len(raw)/2], 0o644)
	tests := []struct {
		name string
		opts eval.Options
		want string
	}{
		{"no model", eval.Options{}, "option model"},
		{"missing file", eval.Options{"model": filepath.Join(dir, "none.ckpt")}, "none.ckpt"},
		{"corrupt file", eval.Options{"model": corrupt}, "corrupt"},
		{"unknown option", eval.Options{"model": ckpt, "window": 3}, "unknown option(s) window"},
		{"bad threshold", eval.Options{"model": ckpt, "threshold": 2.0}, "threshold"},
		{"bad radius", eval.Options{"model": ckpt, "guided": 1.5}, "guided"},
		{"bad views", eval.Options{"model": ckpt, "views": 4}, "views"},
		{"bad exposure", eval.Options{"model": ckpt, "exposure": "yes please"}, "exposure"},
	}
	for _, tc := range tests {
		_, err := eval.New("siamese", tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %s", tc.name, err, tc.want)
		}
	}
	m, _ := New(eval.Options{"model": ckpt})
	if _, err := m.Fuse([]*data.Image{randImage(1, 8, 8, 1)}); err == nil {
		t.Error("one source accepted")
	}
	if _, err := m.Fuse([]*data.Image{randImage(1, 8, 8, 1), randImage(1, 8, 9, 1)}); err == nil {
		t.Error("size mismatch accepted")
	}
}

func TestGuidedOption(t *testing.T) {
	m, err := New(eval.Options{"model": tinyModel(t), "guided": 2, "guided_eps": 0.1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Fuse([]*data.Image{randImage(1, 16, 12, 3), randImage(2, 16, 12, 3)})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Map.Planes[0] {
		if v < 0 || v > 1 {
			t.Fatalf("guided map value %v outside [0,1]", v)
		}
	}
}

// A gray source beside a colour one (infrared with visible) is fused: the
// gray one is replicated across the colour planes and the result is colour.
func TestMixedGrayColour(t *testing.T) {
	m, err := eval.New("siamese", eval.Options{"model": tinyModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer eval.Close(m)
	gray, colour := data.NewImage(20, 16, 1), data.NewImage(20, 16, 3)
	for i := range gray.Planes[0] {
		gray.Planes[0][i] = float64(i % 256)
		for c := 0; c < 3; c++ {
			colour.Planes[c][i] = float64((i*3 + c*40) % 256)
		}
	}
	res, err := m.Fuse([]*data.Image{gray, colour})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fused.C() != 3 || res.Fused.W != 20 {
		t.Errorf("fused image is %dx%dx%d, want colour 20x16", res.Fused.W, res.Fused.H, res.Fused.C())
	}
}

// TestMinAreaRenamed: the old option name fails with the new one in the
// message, before any checkpoint is read.
func TestMinAreaRenamed(t *testing.T) {
	_, err := New(eval.Options{"model": "unused.ckpt", "min_area": 0.1})
	if err == nil || !strings.Contains(err.Error(), "renamed min_area_fraction") {
		t.Fatalf("min_area: %v, want an error naming min_area_fraction", err)
	}
}
