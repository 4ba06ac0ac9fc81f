package data

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeVOC writes n VOC-style images (40x30 JPEG) with palette labels: the
// left half background (0), a right block of class 3, and a 3-pixel 255
// border between them.
func fakeVOC(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"JPEGImages", "SegmentationClass"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for k := 0; k < n; k++ {
		name := fmt.Sprintf("2007_%06d", k)
		img := image.NewRGBA(image.Rect(0, 0, 40, 30))
		lab := image.NewPaletted(image.Rect(0, 0, 40, 30), vocLikePalette())
		for y := 0; y < 30; y++ {
			for x := 0; x < 40; x++ {
				img.SetRGBA(x, y, color.RGBA{uint8(x*6 + k), uint8(y * 8), uint8((x * y) % 256), 255})
				switch {
				case x >= 19 && x <= 21:
					lab.SetColorIndex(x, y, 255)
				case x > 21:
					lab.SetColorIndex(x, y, 3)
				}
			}
		}
		f, err := os.Create(filepath.Join(root, "JPEGImages", name+".jpg"))
		if err != nil {
			t.Fatal(err)
		}
		jpeg.Encode(f, img, &jpeg.Options{Quality: 95})
		f.Close()
		g, err := os.Create(filepath.Join(root, "SegmentationClass", name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(g, lab)
		g.Close()
	}
	return root
}

func TestVOCDataset(t *testing.T) {
	root := fakeVOC(t, 5)
	ds, err := NewVOCDataset(root, 3, 16, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 9 {
		t.Fatalf("Len %d, want 3 images x 3 blurs", ds.Len())
	}
	again, _ := NewVOCDataset(root, 3, 16, 1)
	if !reflect.DeepEqual(ds, again) {
		t.Error("same seed picked a different subset")
	}
	subsets := map[string]bool{}
	for seed := int64(0); seed < 10; seed++ {
		o, _ := NewVOCDataset(root, 3, 16, seed)
		subsets[fmt.Sprint(o.(*vocDataset).stems)] = true
	}
	if len(subsets) < 3 {
		t.Errorf("10 seeds picked only %d distinct subsets", len(subsets))
	}
	if all, _ := NewVOCDataset(root, 0, 16, 1); all.Len() != 15 {
		t.Errorf("n=0 (default, clamped to available): Len %d, want 15", all.Len())
	}
	var prevErr float64
	for level := 0; level < 3; level++ {
		s, err := ds.Get(level)
		if err != nil {
			t.Fatal(err)
		}
		if s.Target.W != 16 || s.Sources[0].W != 16 || s.Truth.H != 16 || s.Ignore == nil {
			t.Fatal("wrong sizes")
		}
		// Nearest resize of the 40-wide label: columns 0..7 background,
		// 8 the 255 border, 9..15 class 3.
		for x := 0; x < 16; x++ {
			wantT, wantI := 0.0, 0.0
			if x >= 8 {
				wantT = 1
			}
			if x == 8 {
				wantI = 1
			}
			if s.Target.At(0, x, 5) != wantT || s.Ignore.At(0, x, 5) != wantI {
				t.Fatalf("x=%d target %v ignore %v, want %v %v", x, s.Target.At(0, x, 5), s.Ignore.At(0, x, 5), wantT, wantI)
			}
		}
		// Source 1 is sharp on the foreground, source 2 on the background.
		var e1, e2 float64
		for c := range s.Truth.Planes {
			for i, tv := range s.Truth.Planes[c] {
				fg := s.Target.Planes[0][i] == 1
				d1, d2 := s.Sources[0].Planes[c][i]-tv, s.Sources[1].Planes[c][i]-tv
				if (fg && d1 != 0) || (!fg && d2 != 0) {
					t.Fatalf("in-focus pixel %d differs from truth", i)
				}
				e1 += d1 * d1
				e2 += d2 * d2
			}
		}
		if e1 <= prevErr {
			t.Errorf("blur level %d not stronger than the previous one (%v <= %v)", level, e1, prevErr)
		}
		prevErr = e1
	}
	if _, err := ds.Get(9); err == nil {
		t.Error("out-of-range index accepted")
	}
}

func TestVOCDatasetErrors(t *testing.T) {
	root := fakeVOC(t, 2)
	os.Remove(filepath.Join(root, "JPEGImages", "2007_000001.jpg"))
	if _, err := NewVOCDataset(root, 0, 16, 1); !errors.Is(err, ErrUnmatched) || !strings.Contains(err.Error(), "2007_000001") {
		t.Errorf("missing image: %v", err)
	}
	if _, err := NewVOCDataset(t.TempDir(), 0, 16, 1); err == nil || !strings.Contains(err.Error(), "SegmentationClass") {
		t.Errorf("empty root: %v", err)
	}
	if _, err := NewVOCDataset(root, 0, 0, 1); err == nil {
		t.Error("size 0 accepted")
	}
}

func TestTripletDataset(t *testing.T) {
	ProgressOutput = io.Discard
	dir := t.TempDir()
	cfg := SynthConfig{W: 48, H: 40}
	if _, err := WriteSyntheticSet(dir, 4, cfg, 5); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "mask"))
	ds, err := NewTripletDataset(dir, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 3 {
		t.Fatalf("limit 3: Len %d", ds.Len())
	}
	s, err := ds.Get(1)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := Synthesize(cfg, sceneSeed(5, 1))
	agree, decided := 0, 0
	for i, m := range sc.Mask.Planes[0] {
		if s.Ignore.Planes[0][i] == 1 {
			if s.Target.Planes[0][i] != 0.5 {
				t.Fatal("ignored pixel without 0.5 target")
			}
			continue
		}
		decided++
		if s.Target.Planes[0][i] == m {
			agree++
		}
	}
	if decided < len(sc.Mask.Planes[0])/2 || float64(agree) < 0.9*float64(decided) {
		t.Errorf("derived target agrees with the true mask on %d of %d decided pixels (%d total)", agree, decided, len(sc.Mask.Planes[0]))
	}
	r, err := NewTripletDataset(dir, 16, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := r.Get(0); err != nil || s.Sources[0].W != 16 || s.Target.H != 16 {
		t.Errorf("resized sample: %v", err)
	}
	if r.Len() != 4 {
		t.Errorf("limit 0: Len %d, want 4", r.Len())
	}
	os.RemoveAll(filepath.Join(dir, "full_clear"))
	if _, err := NewTripletDataset(dir, 0, 0); err == nil || !strings.Contains(err.Error(), "full_clear") {
		t.Errorf("no reference: %v", err)
	}
}

func TestTargetFromTruthHandWorked(t *testing.T) {
	ref := row(10, 10, 10, 10)
	a := row(10, 10, 10, 0) // wrong at x=3
	b := row(0, 10, 10, 10) // wrong at x=0
	tg, ig := TargetFromTruth(a, b, ref, 0, 0.5)
	approxEq(t, "target", tg.Planes[0], []float64{1, 0.5, 0.5, 0}, 0)
	approxEq(t, "ignore", ig.Planes[0], []float64{0, 1, 1, 0}, 0)
}

// countingDataset returns tiny samples whose pixel encodes the index, so
// batches can be compared cheaply; fail makes one index error.
type countingDataset struct {
	n    int
	fail int
}

func (d countingDataset) Len() int { return d.n }

func (d countingDataset) Get(i int) (Sample, error) {
	if i == d.fail {
		return Sample{}, fmt.Errorf("broken sample")
	}
	a, b, tg := NewImage(2, 1, 1), NewImage(2, 1, 1), NewImage(2, 1, 1)
	a.Planes[0][0], b.Planes[0][0], tg.Planes[0][0] = float64(i), float64(1000+i), 1
	return Sample{Sources: []*Image{a, b}, Target: tg}, nil
}

func TestSynthDataset(t *testing.T) {
	ds := NewSynthDataset(3, 24, 2)
	s, err := ds.Get(2)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := ds.Get(2)
	if !reflect.DeepEqual(s, s2) || s.Ignore != nil || s.Target.W != 24 {
		t.Error("synthetic sample not reproducible or malformed")
	}
	if _, err := ds.Get(3); err == nil {
		t.Error("out-of-range index accepted")
	}
}
