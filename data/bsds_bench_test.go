package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDiskKernel(t *testing.T) {
	for _, r := range []float64{0, 0.4, 0.5, 1, 2.5, 6} {
		k, side := DiskKernel(r)
		if r < 0.5 {
			if side != 1 || k[0] != 1 {
				t.Errorf("radius %v: want identity, got side %d", r, side)
			}
			continue
		}
		if side != 2*int(math.Ceil(r))+1 || len(k) != side*side {
			t.Fatalf("radius %v: side %d", r, side)
		}
		sum, c := 0.0, side/2
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				v := k[y*side+x]
				sum += v
				if v != k[x*side+y] || v != k[y*side+side-1-x] {
					t.Fatalf("radius %v: kernel not symmetric at (%d,%d)", r, x, y)
				}
				if d := math.Hypot(float64(x-c), float64(y-c)); d > r+0.75 && v != 0 {
					t.Fatalf("radius %v: weight %v at distance %v", r, v, d)
				}
			}
		}
		if math.Abs(sum-1) > 1e-12 || k[c*side+c] < k[0] {
			t.Errorf("radius %v: sum %v, centre %v", r, sum, k[c*side+c])
		}
	}
}

func TestDiskBlur(t *testing.T) {
	// An impulse spreads into the kernel; a constant stays constant.
	m := NewImage(15, 15, 2)
	m.Set(0, 7, 7, 1)
	for i := range m.Planes[1] {
		m.Planes[1][i] = 42
	}
	out := DiskBlur(m, 3)
	k, side := DiskKernel(3)
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			if d := out.At(0, 4+x, 4+y) - k[y*side+x]; math.Abs(d) > 1e-15 {
				t.Fatalf("impulse response differs at (%d,%d) by %v", x, y, d)
			}
		}
	}
	for _, v := range out.Planes[1] {
		if math.Abs(v-42) > 1e-12 {
			t.Fatalf("constant plane changed to %v", v)
		}
	}
	if b := (Blur{Kind: BlurDisk, Radius: 3}).Apply(m); !reflect.DeepEqual(b, out) {
		t.Error("Blur.Apply(disk) differs from DiskBlur")
	}
	if b := (Blur{Sigma: 2}).Apply(m); !reflect.DeepEqual(b, GaussianBlur(m, 2, 0)) {
		t.Error("Blur.Apply(gauss) differs from GaussianBlur")
	}
}

func TestWriteBSDSBenchmark(t *testing.T) {
	root := fakeBSDS(t, 3, 45, 33, "test")
	out := t.TempDir()
	pairs, err := WriteBSDSBenchmark(root, "test", out, 5, BSDSBenchConfig{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	found, err := DiscoverPairs(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 5 || !reflect.DeepEqual(found, pairs) {
		t.Fatalf("discovered %v, written %v", found, pairs)
	}
	names := map[string]bool{}
	for _, p := range found {
		names[p.Name] = true
		if p.Mask == "" || p.Reference == "" {
			t.Fatalf("pair %s lacks mask or reference", p.Name)
		}
		src, ref, err := LoadPair(p)
		if err != nil {
			t.Fatal(err)
		}
		mask, err := ReadMask(p.Mask)
		if err != nil {
			t.Fatal(err)
		}
		if ref.W != 45 || ref.H != 33 || mask.W != 45 {
			t.Fatalf("pair %s is %dx%d, want the native 45x33", p.Name, ref.W, ref.H)
		}
		if c := share(mask); c < 0.25 || c > 0.75 {
			t.Errorf("pair %s: mask covers %.3f", p.Name, c)
		}
		checkComposite(t, Sample{Sources: src, Target: mask, Truth: ref})
	}
	// 5 pairs from 3 photos: every photo's variant 0, two photos' variant 1.
	for _, want := range []string{"bsds_3000_0", "bsds_3001_0", "bsds_3002_0"} {
		if !names[want] {
			t.Errorf("no pair %s in %v", want, names)
		}
	}
	f, err := os.Open(filepath.Join(out, BSDSBenchManifest))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 6 || strings.Join(rows[0], ",") != "name,photo,split,cover,blur_1,blur_2" {
		t.Fatalf("manifest: %v %v", rows, err)
	}
	// The same seed reproduces the set bit for bit.
	again := t.TempDir()
	if _, err := WriteBSDSBenchmark(root, "test", again, 5, BSDSBenchConfig{}, 1); err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		for _, path := range append(append([]string{}, p.Sources...), p.Reference, p.Mask) {
			rel, _ := filepath.Rel(out, path)
			a, _ := os.ReadFile(path)
			b, _ := os.ReadFile(filepath.Join(again, rel))
			if len(a) == 0 || string(a) != string(b) {
				t.Fatalf("%s differs between two runs with one seed", rel)
			}
		}
	}
	if _, err := WriteBSDSBenchmark(root, "test", t.TempDir(), 0, BSDSBenchConfig{}, 1); err == nil {
		t.Error("n = 0 accepted")
	}
	if _, err := WriteBSDSBenchmark(root, "test", t.TempDir(), 1, BSDSBenchConfig{SigmaMin: -1, SigmaMax: 2}, 1); err == nil {
		t.Error("negative sigma accepted")
	}
}

func TestReadMask(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		vals []float64
		want []float64
	}{
		{"0-255", []float64{0, 255, 127, 128}, []float64{0, 1, 0, 1}},
		{"0-1", []float64{0, 1, 1, 0}, []float64{0, 1, 1, 0}},
		{"all zero", []float64{0, 0, 0, 0}, []float64{0, 0, 0, 0}},
	} {
		path := filepath.Join(dir, tc.name+".png")
		if err := WriteImage(path, &Image{W: 2, H: 2, Planes: [][]float64{tc.vals}}, 8); err != nil {
			t.Fatal(err)
		}
		m, err := ReadMask(path)
		if err != nil {
			t.Fatal(err)
		}
		approxEq(t, tc.name, m.Planes[0], tc.want, 0)
	}
	if _, err := ReadMask(filepath.Join(dir, "absent.png")); err == nil || !strings.Contains(err.Error(), "absent.png") {
		t.Errorf("missing file: %v", err)
	}
}

func TestDiscoverPairsMasks(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"missing mask", func(d string) { os.Remove(filepath.Join(d, "mask", "synth_00001.png")) }, "no mask"},
		{"extra mask", func(d string) {
			WriteImage(filepath.Join(d, "mask", "other.png"), NewImage(2, 2, 1), 8)
		}, "other.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ProgressOutput = io.Discard
			if _, err := WriteSyntheticSet(dir, 2, SynthConfig{W: 16, H: 16}, 1); err != nil {
				t.Fatal(err)
			}
			pairs, err := DiscoverPairs(dir)
			if err != nil || pairs[1].Mask != filepath.Join(dir, "mask", "synth_00001.png") {
				t.Fatalf("mask not attached: %v %v", pairs, err)
			}
			tc.edit(dir)
			if _, err := DiscoverPairs(dir); err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrUnmatched) {
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// With RandomBlur the two sides of a sample get their own blur, drawn per
// sample from the ranges: the sources differ from the photo on opposite
// sides by different amounts, and different samples differ.
func TestBSDSRandomBlur(t *testing.T) {
	root := fakeBSDS(t, 3, 60, 40, "train")
	cfg := BSDSConfig{Size: 32, Variants: 4, RandomBlur: &BSDSBenchConfig{SigmaMin: 0.5, SigmaMax: 5, RadiusMin: 1, RadiusMax: 8}}
	ds, err := NewBSDSDataset(root, "train", cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]bool{}
	for i := 0; i < ds.Len(); i++ {
		s, err := ds.Get(i)
		if err != nil {
			t.Fatal(err)
		}
		var e1, e2 float64 // blur energy of each source off its focus side
		for k, f := range s.Target.Planes[0] {
			d1 := s.Sources[0].Planes[0][k] - s.Truth.Planes[0][k]
			d2 := s.Sources[1].Planes[0][k] - s.Truth.Planes[0][k]
			if f > 0.5 {
				e2 += d2 * d2
				if d1 != 0 {
					t.Fatalf("sample %d: source 1 differs from the photo inside its focus region", i)
				}
			} else {
				e1 += d1 * d1
			}
		}
		errs[fmt.Sprintf("%.3g/%.3g", e1, e2)] = true
	}
	if len(errs) < ds.Len() {
		t.Errorf("%d distinct blur energies over %d samples: blurs are not drawn per sample", len(errs), ds.Len())
	}
	bad := cfg
	bad.RandomBlur = &BSDSBenchConfig{SigmaMin: 3, SigmaMax: 1}
	if _, err := NewBSDSDataset(root, "train", bad, 7); err == nil {
		t.Error("inverted sigma range accepted")
	}
}

// TestLayeredSources checks the defocus-spread composite on a 24x8 scene
// whose left half (the focus region) is bright texture over a flat dark
// background: the near layer keeps its pixels in source 1 and the far
// layer far from the edge keeps its pixels in source 2, while at the edge
// the blurred near layer spreads over the background in source 2 only
// with spread, and source 1's blurred background gets no light from the
// sharp near layer only with spread.
func TestLayeredSources(t *testing.T) {
	const w, h = 24, 8
	img, fg := NewImage(w, h, 1), NewImage(w, h, 1)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			img.Planes[0][i] = 50
			if x < w/2 {
				fg.Planes[0][i] = 1
				img.Planes[0][i] = float64(180 + (x*7+y*3)%60)
			}
		}
	}
	blur := Blur{Kind: BlurGaussian, Sigma: 2}
	for _, tc := range []struct {
		spread                bool
		wantSpread, wantBleed bool
	}{{false, false, true}, {true, true, false}} {
		s := regionSample(img, fg, nil, blur, blur, tc.spread)
		a, b := s.Sources[0].Planes[0], s.Sources[1].Planes[0]
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				if x < w/2 && a[i] != img.Planes[0][i] {
					t.Fatalf("spread=%v: source 1 at (%d,%d) = %v, want the sharp near layer %v", tc.spread, x, y, a[i], img.Planes[0][i])
				}
				if x >= w/2+8 && b[i] != 50 {
					t.Fatalf("spread=%v: source 2 at (%d,%d) = %v, far from the edge, want the sharp background 50", tc.spread, x, y, b[i])
				}
			}
		}
		edge := 3*w + w/2 // first background pixel of row 3
		if got := b[edge] > 60; got != tc.wantSpread {
			t.Errorf("spread=%v: source 2 beside the edge = %v; near layer spreads over the background: %v, want %v", tc.spread, b[edge], got, tc.wantSpread)
		}
		if got := a[edge] > 51; got != tc.wantBleed {
			t.Errorf("spread=%v: source 1 beside the edge = %v; sharp near layer bleeds into the blurred background: %v, want %v", tc.spread, a[edge], got, tc.wantBleed)
		}
		if s.Target != fg || s.Truth != img {
			t.Errorf("spread=%v: target and truth must be the region and the photo", tc.spread)
		}
	}
}
