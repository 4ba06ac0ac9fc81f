package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGray8Kernel checks the rgb2gray kernel in use (a vector one in a
// GOEXPERIMENT=simd build) against the portable loop bit for bit, on 8-bit
// values, out-of-range and non-finite samples, and a scalar tail.
func TestGray8Kernel(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	const n = 1027
	r, g, b := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range r {
		r[i], g[i], b[i] = float64(rnd.IntN(256)), float64(rnd.IntN(256)), float64(rnd.IntN(256))
	}
	r[0], g[1], b[2], r[3], r[4] = math.NaN(), -40, 900, math.Inf(1), math.Inf(-1)
	got, want := make([]float64, n), make([]float64, n)
	gray8(got, r, g, b)
	gray8Go(want, r, g, b)
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("sample %d (%v,%v,%v) = %v, want %v", i, r[i], g[i], b[i], got[i], want[i])
		}
	}
}

func TestGrayToErrors(t *testing.T) {
	m := NewImage(3, 2, 3)
	if err := m.GrayTo(make([]float64, 5)); err == nil {
		t.Error("short destination accepted")
	}
	if err := NewImage(3, 2, 2).GrayTo(make([]float64, 6)); err == nil {
		t.Error("2-plane image accepted")
	}
}

func TestGrayUnit(t *testing.T) {
	m := NewImage(2, 1, 3)
	for c := range 3 {
		m.Planes[c][0], m.Planes[c][1] = 255, 51
	}
	g, err := m.GrayUnit()
	if err != nil || len(g) != 2 || g[0] != 1 || g[1] != float32(51.0/255) {
		t.Errorf("GrayUnit = %v, %v; want [1 0.2]", g, err)
	}
}
