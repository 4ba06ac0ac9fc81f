package fusiondiff

import (
	"math"
	"strings"
	"testing"
)

// FocusBase takes each side of a focus boundary from the sharp source: a
// checkerboard texture sharp on the left in source 1 and on the right in
// source 2 (flat gray elsewhere) gives back the texture on both sides away
// from the boundary, where the mean halves its contrast.
func TestFocusBase(t *testing.T) {
	const w, h = 96, 40
	n := w * h
	s1, s2, sharp := make([]float32, 3*n), make([]float32, 3*n), make([]float32, 3*n)
	for c := range 3 {
		for y := range h {
			for x := range w {
				v := float32(0.5)
				if (x+y)%2 == 1 {
					v = -0.5
				}
				i := c*n + y*w + x
				sharp[i] = v
				if x < w/2 {
					s1[i] = v
				} else {
					s2[i] = v
				}
			}
		}
	}
	focus := FocusBase(s1, s2, w, h)
	mean := MeanBase(s1, s2)
	for c := range 3 {
		for y := range h {
			for _, x := range []int{2, 20, 75, 93} { // at least 27 px from the boundary
				i := c*n + y*w + x
				if math.Abs(float64(focus[i]-sharp[i])) > 1e-6 {
					t.Fatalf("focus base at (%d,%d,%d) = %v, want %v", c, x, y, focus[i], sharp[i])
				}
				if math.Abs(float64(mean[i])) != 0.25 {
					t.Fatalf("mean base at (%d,%d,%d) = %v, want ±0.25", c, x, y, mean[i])
				}
			}
		}
	}
	d := DiffusionConfig{Residual: 16, Base: BaseFocus}
	if got := d.BaseOf(s1, s2, w, h); got[2] != focus[2] {
		t.Errorf("BaseOf(focus) differs from FocusBase")
	}
	b := d.Bounds(s1, s2, focus)
	for i := range focus {
		if b.Lo[i] > 1e-6 || b.Hi[i] < -1e-6 {
			t.Fatalf("bounds [%v, %v] at %d exclude the base itself", b.Lo[i], b.Hi[i], i)
		}
	}
}

func TestBaseValidate(t *testing.T) {
	base := DiffusionConfig{Timesteps: 10, MaxBeta: 0.999, LossScale: 1}
	for _, tc := range []struct {
		base     string
		residual float64
		want     string
	}{
		{"", 0, ""}, {BaseMean, 16, ""}, {BaseFocus, 16, ""},
		{BaseFocus, 0, "needs diffusion.residual"}, {"median", 16, `diffusion.base "median"`},
	} {
		d := base
		d.Base, d.Residual = tc.base, tc.residual
		err := d.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("base %q residual %g: err %v, want %q", tc.base, tc.residual, err, tc.want)
		}
	}
}
