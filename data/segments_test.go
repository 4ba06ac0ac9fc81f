package data

import (
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// regionTree writes one 64x48 photo (name photo, e.g. "121.JPG") and a
// 16-bit region map of two segments with ids 1000 and 1001 (left and right
// halves), which an 8-bit reading merges into one.
func regionTree(t *testing.T, photo string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"images/test", "segments/test"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	seg := image.NewGray16(img.Rect)
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8((x + y) % 2 * 255), 255})
			seg.SetGray16(x, y, color.Gray16{uint16(1000 + x/32)})
		}
	}
	write := func(path string, enc func(f *os.File) error) {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := enc(f); err != nil {
			t.Fatal(err)
		}
	}
	stem := photo[:len(photo)-len(filepath.Ext(photo))]
	write(filepath.Join(root, "images/test", photo), func(f *os.File) error { return jpeg.Encode(f, img, nil) })
	write(filepath.Join(root, "segments/test", stem+".png"), func(f *os.File) error { return png.Encode(f, seg) })
	return root
}

// TestBSDSUpperCaseAnd16BitMaps: a photo named 121.JPG is found and read,
// and a 16-bit region map keeps segment ids 1000 and 1001 apart, so a
// focus region of half the photo exists.
func TestBSDSUpperCaseAnd16BitMaps(t *testing.T) {
	for _, photo := range []string{"121.jpg", "121.JPG"} {
		t.Run(photo, func(t *testing.T) {
			root := regionTree(t, photo)
			out := filepath.Join(t.TempDir(), "set")
			pairs, err := WriteBSDSBenchmark(root, "test", out, 1, BSDSBenchConfig{CoverMin: 0.4, CoverMax: 0.6}, 1)
			if err != nil {
				t.Fatal(err)
			}
			mask, err := ReadLabels(pairs[0].Mask)
			if err != nil {
				t.Fatal(err)
			}
			on := 0
			for _, v := range mask.Planes[0] {
				if v > 127 {
					on++
				}
			}
			if share := float64(on) / float64(len(mask.Planes[0])); share != 0.5 {
				t.Errorf("focus region covers %.3f of the photo, want one of the two halves (0.5)", share)
			}
		})
	}
	lab, err := ReadSegments(filepath.Join(regionTree(t, "1.jpg"), "segments/test/1.png"))
	if err != nil {
		t.Fatal(err)
	}
	if lab.Planes[0][0] != 1000 || lab.Planes[0][63] != 1001 {
		t.Errorf("16-bit ids read as %v and %v, want 1000 and 1001", lab.Planes[0][0], lab.Planes[0][63])
	}
}
