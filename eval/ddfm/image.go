package ddfm

import (
	"fmt"

	"github.com/mfif/mfif/data"
)

// grayPlane returns the image's gray plane mapped to [-1, 1].
func grayPlane(m *data.Image) ([]float64, error) {
	g := m
	if m.C() > 1 {
		var err error
		if g, err = m.Gray(); err != nil {
			return nil, fmt.Errorf("ddfm: gray conversion: %w", err)
		}
	}
	out := make([]float64, m.W*m.H)
	for k, v := range g.Planes[0] {
		out[k] = v/255*2 - 1
	}
	return out, nil
}

func roundUp(v, m int) int { return (v + m - 1) / m * m }

// reflect maps i into [0, n) by mirror reflection without repeating the
// edge sample (OpenCV BORDER_REFLECT_101); n must be >= 2.
func reflect(i, n int) int {
	p := 2 * (n - 1)
	i %= p
	if i < 0 {
		i += p
	}
	if i >= n {
		i = p - i
	}
	return i
}

// padReflect pads a w x h plane to pw x ph at the right and bottom.
func padReflect(p []float64, w, h, pw, ph int) []float64 {
	out := make([]float64, pw*ph)
	for y := range ph {
		sy := reflect(y, h)
		for x := range pw {
			out[y*pw+x] = p[sy*w+reflect(x, w)]
		}
	}
	return out
}

// crop returns the top-left w x h part of a plane of width pw.
func crop(p []float64, pw, w, h int) []float64 {
	out := make([]float64, w*h)
	for y := range h {
		copy(out[y*w:(y+1)*w], p[y*pw:y*pw+w])
	}
	return out
}

// withChroma combines the luma y (0..255) with the chroma of an RGB image
// in full-range BT.601 YCbCr (JPEG), the usual colour re-insertion of
// infrared-visible fusion.
func withChroma(y []float64, rgb *data.Image) *data.Image {
	out := data.NewImage(rgb.W, rgb.H, 3)
	r, g, b := rgb.Planes[0], rgb.Planes[1], rgb.Planes[2]
	for k := range y {
		cb := -0.168736*r[k] - 0.331264*g[k] + 0.5*b[k]
		cr := 0.5*r[k] - 0.418688*g[k] - 0.081312*b[k]
		out.Planes[0][k] = data.RoundSat255(y[k] + 1.402*cr)
		out.Planes[1][k] = data.RoundSat255(y[k] - 0.344136*cb - 0.714136*cr)
		out.Planes[2][k] = data.RoundSat255(y[k] + 1.772*cb)
	}
	return out
}
