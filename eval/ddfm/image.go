package ddfm

import (
	"fmt"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/layout"
)

// grayPlane returns the image's gray plane mapped to [-1, 1].
func grayPlane(m *data.Image) ([]float64, error) {
	g, err := layout.SignedGray(m)
	if err != nil {
		return nil, fmt.Errorf("ddfm: %w", err)
	}
	return g, nil
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
