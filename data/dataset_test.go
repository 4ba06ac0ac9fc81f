package data

import (
	"context"
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

// trace renders an epoch as strings: per sample the two sources and target.
func trace(t *testing.T, l *Loader, epoch int) []string {
	t.Helper()
	var out []string
	for b := range l.Epoch(epoch) {
		if b.Err != nil {
			t.Fatal(b.Err)
		}
		s := ""
		for _, x := range b.Samples {
			s += fmt.Sprint(x.Sources[0].Planes[0], x.Sources[1].Planes[0], x.Target.Planes[0], ";")
		}
		out = append(out, s)
	}
	return out
}

func TestLoaderDeterminism(t *testing.T) {
	ds := countingDataset{n: 23, fail: -1}
	l := NewLoader(ds, 4, true, true, 9, 3)
	e0, e1 := trace(t, l, 0), trace(t, l, 1)
	if len(e0) != 6 || l.NumBatches() != 6 {
		t.Fatalf("%d batches, want 6", len(e0))
	}
	if reflect.DeepEqual(e0, e1) {
		t.Error("epochs 0 and 1 identical")
	}
	// Resuming: a fresh loader with the same seed, different worker count,
	// starting at epoch 1, reproduces the uninterrupted run.
	r := NewLoader(ds, 4, true, true, 9, 1)
	if !reflect.DeepEqual(trace(t, r, 1), e1) {
		t.Error("resumed epoch 1 differs")
	}
	if reflect.DeepEqual(trace(t, NewLoader(ds, 4, true, true, 10, 2), 0), e0) {
		t.Error("different seed gave the same epoch")
	}
	// Every sample appears exactly once per epoch.
	seen := map[int]int{}
	for b := range l.Epoch(3) {
		for _, s := range b.Samples {
			v := s.Sources[0].Planes[0][0] + s.Sources[0].Planes[0][1] // flip may move it
			if v >= 1000 {
				v -= 1000 // swapped
			}
			seen[int(v)]++
		}
	}
	if len(seen) != 23 {
		t.Errorf("epoch covered %d distinct samples", len(seen))
	}
	// Without shuffling or augmentation the order is the identity.
	plain := NewLoader(ds, 5, false, false, 1, 2)
	plain.DropLast = true
	got := trace(t, plain, 0)
	if len(got) != 4 || !strings.HasPrefix(got[0], "[0 0] [1000 0] [1 0];[1 0]") {
		t.Errorf("plain order: %d batches, first %q", len(got), got[0])
	}
}

func TestApplyAug(t *testing.T) {
	a := &Image{W: 2, H: 2, Planes: [][]float64{{1, 2, 3, 4}}}
	b := &Image{W: 2, H: 2, Planes: [][]float64{{5, 6, 7, 8}}}
	tg := &Image{W: 2, H: 2, Planes: [][]float64{{1, 0, 0.25, 1}}}
	s := Sample{Sources: []*Image{a, b}, Target: tg}
	out := ApplyAug(s, Aug{FlipH: true, FlipV: true, Swap: true})
	approxEq(t, "source 1", out.Sources[0].Planes[0], []float64{8, 7, 6, 5}, 0)
	approxEq(t, "source 2", out.Sources[1].Planes[0], []float64{4, 3, 2, 1}, 0)
	approxEq(t, "target", out.Target.Planes[0], []float64{0, 0.75, 1, 0}, 0)
	if out.Ignore != nil || out.Truth != nil {
		t.Error("nil images must stay nil")
	}
	approxEq(t, "input untouched", tg.Planes[0], []float64{1, 0, 0.25, 1}, 0)
	approxEq(t, "flip V only", ApplyAug(s, Aug{FlipV: true}).Sources[0].Planes[0], []float64{3, 4, 1, 2}, 0)
}

func TestLoaderErrorAndCancel(t *testing.T) {
	l := NewLoader(countingDataset{n: 40, fail: 13}, 4, false, false, 1, 2)
	var errs, batches int
	for b := range l.Epoch(0) {
		batches++
		if b.Err != nil {
			errs++
			if !strings.Contains(b.Err.Error(), "sample 13") {
				t.Errorf("error %q should name the sample", b.Err)
			}
		}
	}
	if errs != 1 || batches != 4 {
		t.Errorf("%d batches, %d errors; want the epoch to end at the failing batch 4", batches, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := NewLoader(countingDataset{n: 400, fail: -1}, 2, true, true, 1, 2).EpochContext(ctx, 0)
	<-ch
	cancel()
	for range ch { // must terminate
	}
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

func BenchmarkLoaderSynth256(b *testing.B) {
	l := NewLoader(NewSynthDataset(16, 256, 1), 8, true, true, 1, 0)
	for i := 0; b.Loop(); i++ {
		for bt := range l.Epoch(i) {
			if bt.Err != nil {
				b.Fatal(bt.Err)
			}
		}
	}
}
