package data

import (
	"io"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestSynthesizeDeterministic(t *testing.T) {
	cfg := SynthConfig{W: 64, H: 48}
	a, err := Synthesize(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Synthesize(cfg, 7)
	c, _ := Synthesize(cfg, 8)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different scenes")
	}
	if reflect.DeepEqual(a.Truth, c.Truth) || reflect.DeepEqual(a.Mask, c.Mask) {
		t.Error("different seeds gave the same scene")
	}
}

func TestSynthesizeStructure(t *testing.T) {
	for seed := int64(0); seed < 6; seed++ {
		cfg := SynthConfig{W: 80, H: 60, Gray: seed%2 == 1, CoverMin: 0.35, CoverMax: 0.6}
		sc, err := Synthesize(cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		wantC := 3
		if cfg.Gray {
			wantC = 1
		}
		if sc.Truth.C() != wantC || len(sc.Sources) != 2 || sc.Mask.C() != 1 || sc.Truth.W != 80 || sc.Truth.H != 60 {
			t.Fatalf("seed %d: bad shapes", seed)
		}
		ones, n := 0, len(sc.Mask.Planes[0])
		var sharpErr, blurErr [2]float64
		var sharpN, blurN [2]int
		for i, m := range sc.Mask.Planes[0] {
			if m != 0 && m != 1 {
				t.Fatalf("mask value %v", m)
			}
			ones += int(m)
			for s := 0; s < 2; s++ {
				inFocus := (m == 1) == (s == 0)
				for c := 0; c < wantC; c++ {
					v := sc.Sources[s].Planes[c][i]
					if v != math.Round(v) || v < 0 || v > 255 {
						t.Fatalf("source value %v not 8-bit", v)
					}
					d := math.Abs(v - sc.Truth.Planes[c][i])
					if inFocus {
						sharpErr[s] += d
						sharpN[s]++
					} else {
						blurErr[s] += d
						blurN[s]++
					}
				}
			}
		}
		cover := float64(ones) / float64(n)
		if cover < 0.35-0.01 || cover > 0.6+0.01 {
			t.Errorf("seed %d: coverage %.3f outside [0.35, 0.6]", seed, cover)
		}
		for s := 0; s < 2; s++ {
			// Hard edge: in-focus pixels equal the truth exactly; the
			// defocused region differs noticeably.
			if sharpErr[s] != 0 {
				t.Errorf("seed %d source %d: in-focus error %v", seed, s+1, sharpErr[s])
			}
			if blurErr[s]/float64(blurN[s]) < 1 {
				t.Errorf("seed %d source %d: defocused region barely blurred (%.3f)", seed, s+1, blurErr[s]/float64(blurN[s]))
			}
		}
	}
}

func TestSynthesizeSoftEdge(t *testing.T) {
	hard, _ := Synthesize(SynthConfig{W: 64, H: 64}, 3)
	soft, _ := Synthesize(SynthConfig{W: 64, H: 64, EdgeSigma: 2}, 3)
	if !reflect.DeepEqual(hard.Mask, soft.Mask) || !reflect.DeepEqual(hard.Truth, soft.Truth) {
		t.Fatal("edge softening must not change truth or mask")
	}
	if reflect.DeepEqual(hard.Sources, soft.Sources) {
		t.Error("soft edge left the sources unchanged")
	}
}

func TestSynthConfigErrors(t *testing.T) {
	tests := []struct {
		cfg SynthConfig
		msg string
	}{
		{SynthConfig{W: -1}, "size"},
		{SynthConfig{W: 1 << 20}, "size"},
		{SynthConfig{SigmaMin: 3, SigmaMax: 1}, "sigma"},
		{SynthConfig{SigmaMin: -1, SigmaMax: 1}, "sigma"},
		{SynthConfig{SigmaMin: math.NaN(), SigmaMax: 1}, "sigma"},
		{SynthConfig{CoverMin: 0.2, CoverMax: 1.5}, "coverage"},
		{SynthConfig{EdgeSigma: -1}, "edge"},
		{SynthConfig{Shapes: -2}, "shape"},
	}
	for _, tc := range tests {
		if _, err := Synthesize(tc.cfg, 1); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: error %v, want mention of %q", tc.cfg, err, tc.msg)
		}
	}
}

func TestWriteSyntheticSet(t *testing.T) {
	ProgressOutput = io.Discard
	dir := t.TempDir()
	cfg := SynthConfig{W: 32, H: 24}
	pairs, err := WriteSyntheticSet(dir, 3, cfg, 11)
	if err != nil {
		t.Fatal(err)
	}
	found, err := DiscoverPairs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pairs, found) {
		t.Fatalf("written %v\ndiscovered %v", pairs, found)
	}
	// Files hold exactly the in-memory scene of the derived seed.
	sc, _ := Synthesize(cfg, sceneSeed(11, 1))
	src, ref, err := LoadPair(found[1])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(src[0].Planes, sc.Sources[0].Planes) || !reflect.DeepEqual(ref.Planes, sc.Truth.Planes) {
		t.Error("written scene differs from Synthesize")
	}
	if _, err := WriteSyntheticSet(dir, 0, cfg, 1); err == nil {
		t.Error("n=0 accepted")
	}
}

func BenchmarkSynthesize256(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Synthesize(SynthConfig{EdgeSigma: 1.5}, int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKthSmallest(t *testing.T) {
	r := newRNG(3)
	for n := 1; n < 60; n += 7 {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(r.intn(10)) // many ties
		}
		sorted := append([]float64(nil), v...)
		sort.Float64s(sorted)
		for k := 0; k < n; k++ {
			if got := KthSmallest(append([]float64(nil), v...), k); got != sorted[k] {
				t.Fatalf("n=%d k=%d: got %v want %v", n, k, got, sorted[k])
			}
		}
	}
}
