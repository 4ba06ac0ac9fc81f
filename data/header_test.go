package data

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadHeader gives the size ReadImage decodes for every format, and the
// sentinel ReadImage gives for files whose header is at fault, without
// decoding pixels.
func TestReadHeader(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 30, 20))
	png := encodeWith(t, img, pngEnc)
	jpg := encodeWith(t, img, jpegEnc)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		b    []byte
		want error // nil: a 30x20 image
	}{
		{"a.png", png, nil},
		{"a.jpg", jpg, nil},
		{"a.bmp", encodeWith(t, img, bmpEnc), nil},
		{"a.tif", encodeWith(t, img, tiffEnc), nil},
		{"empty.png", nil, ErrEmpty},
		{"text.png", []byte("not an image at all"), ErrUnsupported},
		{"cut.png", png[:20], ErrTruncated},
		{"cut.jpg", jpg[:4], ErrTruncated},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, tc.b, 0o644); err != nil {
			t.Fatal(err)
		}
		w, h, err := ReadHeader(path)
		if tc.want == nil {
			m, rerr := ReadImage(path)
			if err != nil || rerr != nil || w != m.W || h != m.H || w != 30 || h != 20 {
				t.Errorf("%s: header %dx%d (%v), image (%v)", tc.name, w, h, err, rerr)
			}
			continue
		}
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want %v naming the file", tc.name, err, tc.want)
		}
		if _, rerr := ReadImage(path); !errors.Is(rerr, tc.want) {
			t.Errorf("%s: ReadImage gives %v, ReadHeader %v", tc.name, rerr, err)
		}
	}
	if _, _, err := ReadHeader(filepath.Join(dir, "missing.png")); err == nil || !strings.Contains(err.Error(), "unreadable") {
		t.Errorf("missing file: %v", err)
	}
	old := MaxPixels
	MaxPixels = 599
	defer func() { MaxPixels = old }()
	for _, name := range []string{"a.png", "a.jpg", "a.bmp", "a.tif"} {
		if _, _, err := ReadHeader(filepath.Join(dir, name)); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "30x20") {
			t.Errorf("%s over MaxPixels: %v", name, err)
		}
	}
}

// CheckInputs names every photo or map of a dataset whose header is
// broken, once each, and passes intact ones (variants share their files).
func TestCheckInputs(t *testing.T) {
	root := fakeBSDS(t, 3, 40, 32, "train", "val")
	cfg := BSDSConfig{Size: 16, Variants: 2}
	open := func(split string) Dataset {
		ds, err := NewBSDSDataset(root, split, cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	if err := CheckInputs(open("train")); err != nil {
		t.Errorf("intact set: %v", err)
	}
	photo := filepath.Join(root, "images", "val", "2001.jpg")
	os.WriteFile(photo, []byte("broken"), 0o644)
	err := CheckInputs(open("val"))
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), photo) || strings.Count(err.Error(), photo) != 1 {
		t.Errorf("broken photo: %v", err)
	}
	sub, _ := Subset(open("val"), []int{0, 1}) // photo 2000 only
	if err := CheckInputs(sub); err != nil {
		t.Errorf("subset without the broken photo: %v", err)
	}
	for k := 0; k < 3; k++ {
		os.WriteFile(filepath.Join(root, "segments", "val", fmt.Sprintf("2%03d.png", k)), nil, 0o644)
	}
	if err := CheckInputs(open("val")); err == nil || !strings.Contains(err.Error(), "4 of 6 input files") {
		t.Errorf("four broken files: %v", err)
	}
	if err := CheckInputs(NewSynthDataset(2, 16, 1)); err != nil {
		t.Errorf("synthetic set: %v", err)
	}
}
