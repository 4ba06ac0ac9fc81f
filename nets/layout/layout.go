// Package layout converts images to and from the planar layout the
// diffusion networks see: values x/255·2−1 in [-1, 1], one plane after
// another (CHW), float32. It holds no tensors.
package layout

import (
	"fmt"

	"github.com/mfif/mfif/data"
)

// Signed returns planes planes of m (8-bit scale) mapped to [-1, 1], one
// after another: a gray image is replicated, extra planes are dropped.
func Signed(m *data.Image, planes int) []float32 {
	n := m.W * m.H
	out := make([]float32, planes*n)
	for c := range planes {
		p := m.Planes[min(c, m.C()-1)]
		for i := range n {
			out[c*n+i] = float32(p[i]/255*2 - 1)
		}
	}
	return out
}

// SignedGray returns the gray plane of m (its only plane, or the luminance
// of a colour image) mapped to [-1, 1] in float64.
func SignedGray(m *data.Image) ([]float64, error) {
	g := m
	if m.C() > 1 {
		var err error
		if g, err = m.Gray(); err != nil {
			return nil, fmt.Errorf("gray conversion: %w", err)
		}
	}
	out := make([]float64, m.W*m.H)
	for k, v := range g.Planes[0] {
		out[k] = v/255*2 - 1
	}
	return out, nil
}

// Image converts 3 planes of w x h in [-1, 1] back to an 8-bit-scale image
// the way the FusionDiff reference code writes results: (x+1)/2·255,
// truncated toward zero and saturated to [0, 255].
func Image(x []float32, w, h int) *data.Image {
	m := data.NewImage(w, h, 3)
	n := w * h
	for c := range 3 {
		for i := range n {
			v := (float64(x[c*n+i]) + 1) / 2 * 255
			m.Planes[c][i] = float64(int(max(0, min(255, v))))
		}
	}
	return m
}
