package data_test

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"github.com/mfif/mfif/data"
)

// writeRegionPhoto writes a 96x64 photo and a region map of six 32x32
// segments, BSDS style, as images/SPLIT/ID.jpg and segments/SPLIT/ID.png.
func writeRegionPhoto(root, split, id string) error {
	photo := image.NewRGBA(image.Rect(0, 0, 96, 64))
	seg := image.NewGray(photo.Rect)
	for y := 0; y < 64; y++ {
		for x := 0; x < 96; x++ {
			photo.Set(x, y, color.RGBA{uint8(x * 2), uint8(y * 3), uint8(x * y), 255})
			seg.SetGray(x, y, color.Gray{uint8(1 + x/32 + 3*(y/32))})
		}
	}
	for _, f := range []struct {
		dir, ext string
		enc      func(*os.File) error
	}{
		{"images", ".jpg", func(w *os.File) error { return jpeg.Encode(w, photo, nil) }},
		{"segments", ".png", func(w *os.File) error { return png.Encode(w, seg) }},
	} {
		dir := filepath.Join(root, f.dir, split)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		w, err := os.Create(filepath.Join(dir, id+f.ext))
		if err != nil {
			return err
		}
		if err := f.enc(w); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
	}
	return nil
}

func ExampleNewBSDSDataset() {
	root, err := os.MkdirTemp("", "bsds")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	for _, p := range []struct{ split, id string }{{"train", "101"}, {"train", "102"}, {"val", "201"}} {
		if err := writeRegionPhoto(root, p.split, p.id); err != nil {
			log.Fatal(err)
		}
	}
	// Training and validation sets from disjoint photos: two variants per
	// photo, 48x48 crops at native resolution.
	cfg := data.BSDSConfig{Size: 48, Variants: 2}
	train, err := data.NewBSDSDataset(root, "train", cfg, 1)
	if err != nil {
		log.Fatal(err)
	}
	val, err := data.NewBSDSDataset(root, "val", cfg, 1)
	if err != nil {
		log.Fatal(err)
	}
	s, err := train.Get(3)
	if err != nil {
		log.Fatal(err)
	}
	ones := 0.0
	for _, v := range s.Target.Planes[0] {
		ones += v
	}
	cover := ones / float64(len(s.Target.Planes[0]))
	fmt.Println(train.Len(), val.Len(), data.GroupOf(train, 3), data.GroupOf(val, 0))
	fmt.Println(s.Target.W, s.Target.H, len(s.Sources), cover >= 0.25 && cover <= 0.75)
	// Output:
	// 4 2 102 201
	// 48 48 2 true
}
