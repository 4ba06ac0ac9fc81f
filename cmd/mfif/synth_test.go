package main

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/report"
)

// bsdsTree writes n 64x48 photos with 8x8-tile region maps as a BSDS500
// test split.
func bsdsTree(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"images/test", "segments/test"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for k := 0; k < n; k++ {
		photo := image.NewRGBA(image.Rect(0, 0, 64, 48))
		seg := image.NewGray(photo.Rect)
		for y := 0; y < 48; y++ {
			for x := 0; x < 64; x++ {
				photo.Set(x, y, color.RGBA{uint8(x*4 + k), uint8((x * y) % 251), uint8(255 * ((x/3 + y/3) % 2)), 255})
				seg.SetGray(x, y, color.Gray{uint8(1 + x/8 + 8*(y/8))})
			}
		}
		for _, f := range []struct {
			path string
			enc  func(*os.File) error
		}{
			{filepath.Join(root, "images/test", fmt.Sprint(100+k)+".jpg"), func(w *os.File) error { return jpeg.Encode(w, photo, nil) }},
			{filepath.Join(root, "segments/test", fmt.Sprint(100+k)+".png"), func(w *os.File) error { return png.Encode(w, seg) }},
		} {
			w, err := os.Create(f.path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.enc(w); err != nil {
				t.Fatal(err)
			}
			w.Close()
		}
	}
	return root
}

// TestSynthFuseMetrics writes a BSDS benchmark with mfif synth, fuses it
// with a map method and a method without maps, and checks that metrics
// scores the decision maps.
func TestSynthFuseMetrics(t *testing.T) {
	set := filepath.Join(t.TempDir(), "bench")
	if _, _, err := run(t, "--quiet", "synth", "bsds", "--root", bsdsTree(t, 3), "--n", "3", "--seed", "2", "--out", set); err != nil {
		t.Fatal(err)
	}
	pairs, err := data.DiscoverPairs(set)
	if err != nil || len(pairs) != 3 || pairs[0].Mask == "" || pairs[0].Reference == "" {
		t.Fatalf("benchmark set: %v %v", pairs, err)
	}
	fused := t.TempDir()
	for _, m := range []string{"average", "sf-map"} {
		if _, _, err := run(t, "--quiet", "fuse", "--method", m, "--pairs", set, "--out", fused); err != nil {
			t.Fatalf("fuse %s: %v", m, err)
		}
	}
	if _, err := os.Stat(filepath.Join(fused, pairs[0].Name+"_sf-map_map.png")); err != nil {
		t.Errorf("decision map: %v", err)
	}
	out := t.TempDir()
	stdout, _, err := run(t, "--quiet", "metrics", "--pairs", set, "--fused", fused, "--metrics", "PSNR,SSIM", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "| Method | PSNR ↑ | SSIM ↑ | MapAcc ↑ | BoundaryF ↑ |") {
		t.Errorf("table:\n%s", stdout)
	}
	res, err := report.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Summary["sf-map"]["MapAcc"]; st.N != 3 || st.Mean <= 0.5 {
		t.Errorf("sf-map MapAcc %+v", st)
	}
	if _, ok := res.Summary["average"]["MapAcc"]; ok {
		t.Error("average has no decision map but got MapAcc")
	}
}

func TestSynthErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"synth", "bsds", "--out", t.TempDir()}, "--root"},
		{[]string{"synth", "bsds", "--root", t.TempDir()}, "--out"},
		{[]string{"synth", "clouds", "--out", t.TempDir()}, "unknown kind"},
		{[]string{"synth", "scenes", "--n", "0", "--out", t.TempDir()}, "--n 0"},
		{[]string{"synth", "bsds", "--root", t.TempDir(), "--out", t.TempDir()}, filepath.Join("images", "test")},
	} {
		if _, _, err := run(t, append([]string{"--quiet"}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
	dir := filepath.Join(t.TempDir(), "scenes")
	if _, _, err := run(t, "--quiet", "synth", "scenes", "--n", "2", "--size", "24", "--out", dir); err != nil {
		t.Fatal(err)
	}
	if pairs, err := data.DiscoverPairs(dir); err != nil || len(pairs) != 2 || pairs[1].Mask == "" {
		t.Errorf("scenes: %v %v", pairs, err)
	}
}
