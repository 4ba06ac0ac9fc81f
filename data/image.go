// Package data holds mfif's image type, image file I/O, pair discovery for
// the public multi-focus datasets, and the synthetic and real training-pair
// generators. It never imports the tensor binding.
//
// JPEG files are decoded with libjpeg-turbo through cgo (package
// libjpeg62-turbo-dev on Debian), which gives the same pixels as MATLAB,
// OpenCV and Pillow. Building with -tags purego, or with CGO_ENABLED=0,
// switches to Go's image/jpeg, whose colour output differs by a few levels
// (up to tens of levels at sharp chroma edges); JPEGDecoder reports which
// decoder is compiled in.
package data

import "fmt"

// Image is a planar image with float64 samples on the 8-bit scale: an 8-bit
// file gives integers 0..255 exactly; a 16-bit file is divided by 257 so that
// every consumer (metrics, fusion, networks) sees one scale.
type Image struct {
	W, H int
	// Planes holds C planes (1 = gray, 3 = RGB), each H*W values in
	// row-major order: sample (x, y) of plane c is Planes[c][y*W+x].
	Planes [][]float64
	// Depth is the bit depth of the file the image came from (8 or 16), or 0
	// for images computed in memory; writers use it as their default.
	Depth int
}

// NewImage returns a zeroed image of c planes.
func NewImage(w, h, c int) *Image {
	planes := make([][]float64, c)
	for i := range planes {
		planes[i] = make([]float64, w*h)
	}
	return &Image{W: w, H: h, Planes: planes}
}

// C is the number of planes.
func (m *Image) C() int { return len(m.Planes) }

// At returns sample (x, y) of plane c.
func (m *Image) At(c, x, y int) float64 { return m.Planes[c][y*m.W+x] }

// Set stores sample (x, y) of plane c.
func (m *Image) Set(c, x, y int, v float64) { m.Planes[c][y*m.W+x] = v }

// Clone returns a deep copy.
func (m *Image) Clone() *Image {
	out := &Image{W: m.W, H: m.H, Depth: m.Depth, Planes: make([][]float64, len(m.Planes))}
	for i, p := range m.Planes {
		out.Planes[i] = append([]float64(nil), p...)
	}
	return out
}

// SameSize reports an error naming both sizes when a and b differ in width
// or height.
func SameSize(a, b *Image) error {
	if a.W != b.W || a.H != b.H {
		return fmt.Errorf("size mismatch: %dx%d vs %dx%d", a.W, a.H, b.W, b.H)
	}
	return nil
}

// MATLAB's rgb2gray weights: the first row of the inverse of the NTSC
// YIQ matrix, to full double precision (not Octave's 6-digit rounding).
const (
	grayR = 0.29893602129377539
	grayG = 0.58704307445112125
	grayB = 0.11402090425510325
)

// GrayWeights returns MATLAB's rgb2gray weights (R, G, B), for code that
// needs the unrounded weighted sum, as rgb2gray gives for double input.
func GrayWeights() (r, g, b float64) { return grayR, grayG, grayB }

// Gray returns the image as one plane. A gray image is returned as is (not
// copied). RGB goes through MATLAB's rgb2gray for integer images: the
// weighted sum rounded half away from zero and saturated to 0..255, which is
// the MFIF convention applied before every metric; a 16-bit image (Depth
// 16) is rounded on the 16-bit scale instead, as MATLAB does for uint16. Other plane counts (for
// example RGBA already stripped of alpha elsewhere) are an error.
func (m *Image) Gray() (*Image, error) {
	if m.C() == 1 {
		return m, nil
	}
	out := &Image{W: m.W, H: m.H, Depth: m.Depth, Planes: [][]float64{make([]float64, m.W*m.H)}}
	if err := m.GrayTo(out.Planes[0]); err != nil {
		return nil, err
	}
	return out, nil
}

// GrayUnit returns Gray's plane scaled to [0, 1] as float32, the input of
// the decision-map networks.
func (m *Image) GrayUnit() ([]float32, error) {
	g, err := m.Gray()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(g.Planes[0]))
	for i, v := range g.Planes[0] {
		out[i] = float32(v / 255)
	}
	return out, nil
}

// GrayTo writes Gray's plane into dst (len W*H) without allocating; a gray
// image is copied.
func (m *Image) GrayTo(dst []float64) error {
	n := m.W * m.H
	if len(dst) != n {
		return fmt.Errorf("gray: destination has %d samples, want %d", len(dst), n)
	}
	switch m.C() {
	case 1:
		copy(dst, m.Planes[0])
	case 3:
		r, g, b := m.Planes[0][:n], m.Planes[1][:n], m.Planes[2][:n]
		if m.Depth != 16 {
			gray8(dst, r, g, b)
			return nil
		}
		for i := range dst {
			// uint16 input: MATLAB rounds on the 16-bit scale.
			dst[i] = float64(round16(grayR*r[i]+grayG*g[i]+grayB*b[i])) / 257
		}
	default:
		return fmt.Errorf("gray: image has %d planes, want 1 or 3", m.C())
	}
	return nil
}

// gray8 is rgb2gray on the 8-bit scale; gray_simd.go may replace it with a
// vector version that gives the same bits.
var gray8 = gray8Go

func gray8Go(dst, r, g, b []float64) {
	r, g, b = r[:len(dst)], g[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = RoundSat255(grayR*r[i] + grayG*g[i] + grayB*b[i])
	}
}

// RoundSat255 rounds half away from zero (MATLAB round) and saturates to
// 0..255, as MATLAB does when storing a double into uint8.
func RoundSat255(v float64) float64 {
	switch {
	case v != v: // NaN maps to 0 in MATLAB's uint8 conversion
		return 0
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return float64(int64(v + 0.5))
}
