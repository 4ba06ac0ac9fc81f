package data

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mfif/mfif/internal/testshared"
)

// fakeBSDS writes a BSDS-style tree with n photos per split (w x h JPEGs,
// w, h < 80) and 8-bit gray region maps: 7x9 tiles (ids 1..) shifted with
// the photo index, and one large block (id 200) at the bottom right whose
// corner also moves with the index.
func fakeBSDS(t *testing.T, n, w, h int, splits ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, split := range splits {
		for _, d := range []string{"images", "segments"} {
			if err := os.MkdirAll(filepath.Join(root, d, split), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for k := 0; k < n; k++ {
			id := fmt.Sprintf("%s%03d", map[string]string{"train": "1", "val": "2", "test": "3"}[split], k)
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			seg := image.NewGray(image.Rect(0, 0, w, h))
			cx, cy := w/3+k%(w/3), h/3+(2*k)%(h/3)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					img.SetRGBA(x, y, color.RGBA{uint8(x*7 + k*11), uint8(y*5 + (x*y)%13), uint8((x ^ y) * 3), 255})
					v := 1 + (x+k)/7 + 9*((y+2*k)/9)
					if x >= cx && y >= cy {
						v = 200 // one large block
					}
					seg.SetGray(x, y, color.Gray{uint8(v)})
				}
			}
			writeStd(t, filepath.Join(root, "images", split, id+".jpg"), func(f *os.File) error {
				return jpeg.Encode(f, img, &jpeg.Options{Quality: 95})
			})
			writeStd(t, filepath.Join(root, "segments", split, id+".png"), func(f *os.File) error { return png.Encode(f, seg) })
		}
	}
	return root
}

func writeStd(t *testing.T, path string, enc func(*os.File) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// share is the mean of a one-plane image.
func share(m *Image) float64 {
	s := 0.0
	for _, v := range m.Planes[0] {
		s += v
	}
	return s / float64(len(m.Planes[0]))
}

// checkComposite requires source 1 to equal Truth where Target is 1 and
// source 2 to equal it where Target is 0, with both differing elsewhere.
func checkComposite(t *testing.T, s Sample) {
	t.Helper()
	var off1, off2 float64
	for c := range s.Truth.Planes {
		for i, tv := range s.Truth.Planes[c] {
			fg := s.Target.Planes[0][i] == 1
			d1, d2 := s.Sources[0].Planes[c][i]-tv, s.Sources[1].Planes[c][i]-tv
			if (fg && d1 != 0) || (!fg && d2 != 0) {
				t.Fatalf("in-focus pixel %d of plane %d differs from the truth", i, c)
			}
			off1 += math.Abs(d1)
			off2 += math.Abs(d2)
		}
	}
	if off1 == 0 || off2 == 0 {
		t.Fatalf("a source is not blurred anywhere (%v, %v)", off1, off2)
	}
}

func TestBSDSDataset(t *testing.T) {
	root := fakeBSDS(t, 4, 60, 40, "train", "val")
	for _, tc := range []struct {
		name string
		cfg  BSDSConfig
		size int
	}{
		{"crop", BSDSConfig{Size: 32, Variants: 4}, 32},
		{"resize", BSDSConfig{Size: 24, Variants: 2, Resize: true}, 24},
		{"band", BSDSConfig{Size: 32, IgnoreBand: 2, CoverMin: 0.3, CoverMax: 0.6}, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := NewBSDSDataset(root, "train", tc.cfg, 7)
			if err != nil {
				t.Fatal(err)
			}
			cfg, _ := tc.cfg.withDefaults()
			if ds.Len() != 4*cfg.Variants {
				t.Fatalf("Len %d, want 4 photos x %d variants", ds.Len(), cfg.Variants)
			}
			regions := map[string]bool{}
			for i := 0; i < ds.Len(); i++ {
				s, err := ds.Get(i)
				if err != nil {
					t.Fatal(err)
				}
				if s.Target.W != tc.size || s.Target.H != tc.size || s.Sources[0].W != tc.size || s.Truth.H != tc.size {
					t.Fatalf("sample %d is %dx%d, want %d", i, s.Target.W, s.Target.H, tc.size)
				}
				if c := share(s.Target); c < cfg.CoverMin || c > cfg.CoverMax {
					t.Errorf("sample %d: focus region covers %.3f, outside [%g, %g]", i, c, cfg.CoverMin, cfg.CoverMax)
				}
				checkComposite(t, s)
				if (s.Ignore != nil) != (cfg.IgnoreBand > 0) {
					t.Fatalf("Ignore set %v with band %d", s.Ignore != nil, cfg.IgnoreBand)
				}
				if s.Ignore != nil {
					checkBand(t, s.Target, s.Ignore, cfg.IgnoreBand)
				}
				again, _ := ds.Get(i)
				if !reflect.DeepEqual(s, again) {
					t.Fatalf("sample %d not reproducible", i)
				}
				if g, want := ds.(Grouped).Group(i), fmt.Sprintf("1%03d", i/cfg.Variants); g != want {
					t.Errorf("Group(%d) = %q, want %q", i, g, want)
				}
				regions[fmt.Sprint(s.Target.Planes[0])] = true
			}
			if len(regions) < ds.Len()/2 {
				t.Errorf("only %d distinct focus regions in %d samples", len(regions), ds.Len())
			}
		})
	}
}

// checkBand requires Ignore to mark exactly the pixels with both target
// values within Chebyshev distance r.
func checkBand(t *testing.T, target, ignore *Image, r int) {
	t.Helper()
	for y := 0; y < target.H; y++ {
		for x := 0; x < target.W; x++ {
			mixed := false
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					xx, yy := clampInt(x+dx, 0, target.W-1), clampInt(y+dy, 0, target.H-1)
					if target.At(0, xx, yy) != target.At(0, x, y) {
						mixed = true
					}
				}
			}
			if want := map[bool]float64{true: 1}[mixed]; ignore.At(0, x, y) != want {
				t.Fatalf("ignore(%d,%d) = %v, want %v", x, y, ignore.At(0, x, y), want)
			}
		}
	}
}

// TestBSDSSampleIndependentOfOtherPhotos: a sample depends on (photo,
// variant, seed) only, not on the rest of the split.
func TestBSDSSampleIndependentOfOtherPhotos(t *testing.T) {
	root := fakeBSDS(t, 3, 50, 40, "train")
	cfg := BSDSConfig{Size: 32, Variants: 2}
	full, err := NewBSDSDataset(root, "train", cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := full.Get(2*2 + 1) // photo 1002, variant 1
	for _, id := range []string{"1000", "1001"} {
		os.Remove(filepath.Join(root, "images", "train", id+".jpg"))
		os.Remove(filepath.Join(root, "segments", "train", id+".png"))
	}
	one, err := NewBSDSDataset(root, "train", cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := one.Get(1)
	if !reflect.DeepEqual(got, want) {
		t.Error("sample changed when other photos were removed")
	}
	if other, _ := NewBSDSDataset(root, "train", cfg, 4); reflect.DeepEqual(mustGet(t, other, 1), want) {
		t.Error("another seed gave the same sample")
	}
}

func mustGet(t *testing.T, ds Dataset, i int) Sample {
	t.Helper()
	s, err := ds.Get(i)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBSDSDatasetErrors(t *testing.T) {
	root := fakeBSDS(t, 2, 40, 30, "train")
	for _, tc := range []struct {
		name  string
		split string
		cfg   BSDSConfig
		edit  func(dir string)
		want  string
		is    error
	}{
		{"bad split", "../x", BSDSConfig{}, nil, "one folder name", nil},
		{"missing split", "val", BSDSConfig{}, nil, filepath.Join("images", "val"), nil},
		{"bad coverage", "train", BSDSConfig{CoverMin: 0.8, CoverMax: 0.2}, nil, "coverage", nil},
		{"negative band", "train", BSDSConfig{IgnoreBand: -1}, nil, "band", nil},
		{"photo without map", "train", BSDSConfig{}, func(d string) {
			os.Remove(filepath.Join(d, "segments", "train", "1001.png"))
		}, "1001.jpg", ErrUnmatched},
		{"map without photo", "train", BSDSConfig{}, func(d string) {
			os.Remove(filepath.Join(d, "images", "train", "1001.jpg"))
		}, "1001.png", ErrUnmatched},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := root
			if tc.edit != nil {
				dir = fakeBSDS(t, 2, 40, 30, "train")
				tc.edit(dir)
			}
			_, err := NewBSDSDataset(dir, tc.split, tc.cfg, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
	ds, err := NewBSDSDataset(root, "train", BSDSConfig{Size: 64}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ds.Get(0); err == nil || !strings.Contains(err.Error(), "1000.jpg") || !strings.Contains(err.Error(), "crop") {
		t.Errorf("crop larger than the photo: %v", err)
	}
	if _, err := ds.Get(ds.Len()); err == nil {
		t.Error("out-of-range index accepted")
	}
}

func TestFocusRegion(t *testing.T) {
	// Segment areas of a 10x10 label image, one run of pixels per id.
	labels := func(areas ...int) *Image {
		m := NewImage(10, 10, 1)
		i := 0
		for id, a := range areas {
			for ; a > 0; a-- {
				m.Planes[0][i] = float64(id + 1)
				i++
			}
		}
		return m
	}
	for _, tc := range []struct {
		name      string
		areas     []int
		lo, hi    float64
		wantLo    float64 // accepted share range of the result
		wantHi    float64
		wantNoReg bool
	}{
		{"many small", []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 0.25, 0.75, 0.25, 0.75, false},
		{"two halves", []int{50, 50}, 0.25, 0.75, 0.5, 0.5, false},
		{"narrow range", []int{5, 15, 20, 25, 35}, 0.38, 0.42, 0.40, 0.40, false},
		{"dominant segment", []int{90, 10}, 0.25, 0.75, 0.1, 0.1, false},
		{"small hi", []int{60, 40}, 0.1, 0.3, 0.4, 0.4, false},
		{"single segment", []int{100}, 0.25, 0.75, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := int64(0); seed < 20; seed++ {
				fg, cover := focusRegion(labels(tc.areas...), tc.lo, tc.hi, newRNG(seed))
				if tc.wantNoReg {
					if fg != nil {
						t.Fatal("a single segment gave a region")
					}
					return
				}
				if got := share(fg); got != cover || got < tc.wantLo-1e-12 || got > tc.wantHi+1e-12 {
					t.Fatalf("seed %d: share %v (reported %v), want [%v, %v]", seed, got, cover, tc.wantLo, tc.wantHi)
				}
			}
		})
	}
}

// TestBSDSShared checks the real BSDS500 tree when it is present.
func TestBSDSShared(t *testing.T) {
	root := testshared.Dir(t, "data", "bsds500")
	for _, tc := range []struct {
		split  string
		photos int
	}{{"train", 200}, {"val", 100}, {"test", 200}} {
		ds, err := NewBSDSDataset(root, tc.split, BSDSConfig{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Len() != 3*tc.photos {
			t.Errorf("%s: Len %d, want 3 x %d", tc.split, ds.Len(), tc.photos)
		}
	}
	// Coverage is reached unless one segment dominates the crop (about 8 %).
	ds, _ := NewBSDSDataset(root, "train", BSDSConfig{Variants: 2}, 1)
	var n, out int
	for i := 0; i < ds.Len(); i += 7 {
		s := mustGet(t, ds, i)
		if s.Target.W != 256 || s.Target.H != 256 {
			t.Fatalf("sample %d (%s): %dx%d", i, ds.(Grouped).Group(i), s.Target.W, s.Target.H)
		}
		if c := share(s.Target); c < 0.25 || c > 0.75 {
			out++
		}
		n++
		checkComposite(t, s)
	}
	if out > n/6 {
		t.Errorf("%d of %d samples outside the coverage range", out, n)
	}
	dir := t.TempDir()
	pairs, err := WriteBSDSBenchmark(root, "test", dir, 4, BSDSBenchConfig{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		m, err := ReadMask(p.Mask)
		if err != nil {
			t.Fatal(err)
		}
		if c := share(m); m.W*m.H != 481*321 || c < 0.25 || c > 0.75 {
			t.Errorf("%s: %dx%d, cover %.3f", p.Name, m.W, m.H, c)
		}
	}
}

// TestBSDSTurnedRegionMap: a region map stored a quarter turn from its
// photo (transposed size) is turned back whichever way it was turned.
func TestBSDSTurnedRegionMap(t *testing.T) {
	const w, h = 30, 20
	lab := NewImage(w, h, 1)
	img := NewImage(w, h, 3)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			id := 1.0 // tiles split at x = 7 and 19, y = 6: no symmetry
			if x >= 7 {
				id++
			}
			if x >= 19 {
				id++
			}
			if y >= 6 {
				id += 3
			}
			lab.Set(0, x, y, id)
			for c := 0; c < 3; c++ {
				img.Set(c, x, y, RoundSat255(id*37*float64(c+1)+float64((x*y)%5)))
			}
		}
	}
	for _, cw := range []bool{true, false} {
		root := t.TempDir()
		for _, d := range []string{"images/train", "segments/train"} {
			os.MkdirAll(filepath.Join(root, d), 0o755)
		}
		// PNG bytes under a .jpg name: ReadImage sniffs the format.
		tmp := filepath.Join(root, "photo.png")
		if err := WriteImage(tmp, img, 8); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(root, "images", "train", "1.jpg")); err != nil {
			t.Fatal(err)
		}
		if err := WriteImage(filepath.Join(root, "segments", "train", "1.png"), quarterTurn(lab, cw), 8); err != nil {
			t.Fatal(err)
		}
		_, got, err := readRegionPhoto(filepath.Join(root, "images", "train"), filepath.Join(root, "segments", "train"), "1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Planes, lab.Planes) {
			t.Errorf("map stored turned (clockwise %v) not turned back", cw)
		}
	}
}

// A photo dominated by one segment (a small second segment in a corner)
// still yields a crop with both segments, whatever the variant.
func TestBSDSCropFindsSmallSegment(t *testing.T) {
	lab := NewImage(300, 200, 1)
	for i := range lab.Planes[0] {
		lab.Planes[0][i] = 1
		if x, y := i%300, i/300; x > 280 && y > 185 {
			lab.Planes[0][i] = 2
		}
	}
	img := NewImage(300, 200, 3)
	for v := 0; v < 20; v++ {
		r := newRNG(3, 0xb5d5, uint64(v))
		c, fg := cropRegion(img, lab, 64, 0.25, 0.75, r)
		if c == nil || fg == nil {
			t.Fatalf("variant %d: no crop found", v)
		}
		n := 0
		for _, f := range fg.Planes[0] {
			if f > 0 {
				n++
			}
		}
		if n == 0 || n == len(fg.Planes[0]) {
			t.Fatalf("variant %d: crop holds one segment only", v)
		}
	}
}

// BSDSConfig.Spread reaches the synthesis: the same photo, region and blur
// give a different out-of-focus source, and the in-focus side is the photo.
func TestBSDSSpread(t *testing.T) {
	root := fakeBSDS(t, 2, 60, 40, "train")
	get := func(spread bool) Sample {
		ds, err := NewBSDSDataset(root, "train", BSDSConfig{Size: 32, Variants: 1, Spread: spread}, 3)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ds.Get(1)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	hard, soft := get(false), get(true)
	if !reflect.DeepEqual(hard.Target, soft.Target) || !reflect.DeepEqual(hard.Truth, soft.Truth) {
		t.Fatal("spread changed the region or the photo")
	}
	if reflect.DeepEqual(hard.Sources[1], soft.Sources[1]) {
		t.Error("spread left source 2 as the hard composite")
	}
	for k, f := range soft.Target.Planes[0] {
		if f == 1 && soft.Sources[0].Planes[0][k] != RoundSat255(soft.Truth.Planes[0][k]) {
			t.Fatalf("source 1 differs from the photo inside the focus region at %d", k)
		}
	}
}
