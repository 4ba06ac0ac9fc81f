package metrics

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mfif/mfif/data"
)

func TestMEFBSuiteMatchesToolkit(t *testing.T) {
	logWorst(t, "mefb", checkToolkitSuite(t, "mefb", mefbOmitted))
	s, _ := LookupSuite("mefb")
	if len(s.Metrics)+len(mefbOmitted) != 20 {
		t.Errorf("mefb has %d metrics and %d omitted, want MEFB's 20", len(s.Metrics), len(mefbOmitted))
	}
}

func TestMEFBColourHandling(t *testing.T) {
	dir := filepath.Join("testdata", "suites", "mefb", "m3")
	a, b, f := readPNG(t, filepath.Join(dir, "under.png")), readPNG(t, filepath.Join(dir, "over.png")), readPNG(t, filepath.Join(dir, "avg.png"))
	keys, err := SuiteKeys("mefb")
	if err != nil {
		t.Fatal(err)
	}
	gray, err := Evaluate(keys, Inputs{Sources: []*data.Image{a, b}, Fused: f})
	if err == nil || !errors.Is(err, ErrUnsupported) {
		t.Fatalf("gray triple: want MEF_SSIM to fail (rgb2gray of gray images), got %v", err)
	}
	// Gray sources with a colour fused image: MEFB keeps the fused
	// image's first channel, so the other channels do not matter
	// (Avg_gradient takes rgb2gray; MEF_SSIM fails on gray sources).
	odd := rgbOf(f, [3]float64{})
	for i := range odd.Planes[1] {
		odd.Planes[1][i] = 255 - odd.Planes[1][i]
		odd.Planes[2][i] = float64(i % 256)
	}
	col, _ := Evaluate(keys, Inputs{Sources: []*data.Image{a, b}, Fused: odd})
	for _, k := range keys {
		switch k {
		case "mefb.MEF_SSIM":
			continue
		case "mefb.Avg_gradient":
			if col[k] == gray[k] {
				t.Errorf("%s: want rgb2gray of the colour fused image, got the red channel's value", k)
			}
			continue
		}
		if col[k] != gray[k] {
			t.Errorf("%s: colour fused image gives %.17g, want its first channel's %.17g", k, col[k], gray[k])
		}
	}
	// Colour images: each per-channel metric is the mean over channels,
	// so three equal channels give the gray value; Spatial_frequency goes
	// per channel too (unlike VIFB's H x 3W plane).
	rgb := func(m *data.Image) *data.Image { return rgbOf(m, [3]float64{}) }
	same, err := Evaluate(keys, Inputs{Sources: []*data.Image{rgb(a), rgb(b)}, Fused: rgb(f)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k == "mefb.MEF_SSIM" {
			continue
		}
		if math.Abs(same[k]-gray[k]) > 1e-12*math.Abs(gray[k]) {
			t.Errorf("%s: three equal channels give %.17g, gray %.17g", k, same[k], gray[k])
		}
	}
	if _, err := Evaluate([]string{"mefb.VIF"}, Inputs{Sources: []*data.Image{rgb(a), rgb(b)}, Fused: f}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("VIF with colour sources and a gray fused image (srgb2lab in MEFB): got %v, want ErrUnsupported", err)
	}
	// One colour and one gray source with a colour fused image: MEFB's
	// wrappers index channel 2 of the gray source and fail, in either
	// order; Avg_gradient and Edge_intensity look at the fused image only
	// and give a value.
	for _, srcs := range [][]*data.Image{{rgb(a), b}, {a, rgb(b)}} {
		for _, k := range keys {
			_, err := Evaluate([]string{k}, Inputs{Sources: srcs, Fused: rgb(f)})
			if k == "mefb.Avg_gradient" || k == "mefb.Edge_intensity" {
				if err != nil {
					t.Errorf("%s, mixed sources: %v", k, err)
				}
				continue
			}
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s, colour fused image, source channels %d and %d: got %v, want ErrUnsupported", k, srcs[0].C(), srcs[1].C(), err)
			}
		}
	}
}

// BenchmarkToolkitSuites times each suite on every triple of its test
// vectors (go test -bench ToolkitSuites ./metrics).
func BenchmarkToolkitSuites(b *testing.B) {
	for _, suite := range []string{"vifb", "mefb"} {
		dir := filepath.Join("testdata", "suites", suite)
		keys, err := SuiteKeys(suite)
		if err != nil {
			b.Fatal(err)
		}
		var ins []Inputs
		for _, set := range []string{"s1", "s2", "s3", "m1", "m2", "m3"} {
			d := filepath.Join(dir, set)
			x, y := "vi.png", "ir.png"
			if suite == "mefb" {
				x, y = "under.png", "over.png"
			}
			for _, f := range []string{"avg.png", "max.png", "wt.png", "mid.png"} {
				if _, err := os.Stat(filepath.Join(d, f)); err != nil {
					continue
				}
				ins = append(ins, Inputs{Sources: []*data.Image{readPNG(b, filepath.Join(d, x)), readPNG(b, filepath.Join(d, y))},
					Fused: readPNG(b, filepath.Join(d, f))})
			}
		}
		b.Run(fmt.Sprintf("%s/%dtriples", suite, len(ins)), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for _, in := range ins {
					Evaluate(keys, in) // gray triples make MEF_SSIM fail, as in MEFB
				}
			}
		})
	}
}
