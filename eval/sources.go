package eval

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// checkImage reports a malformed image: nil, empty, planes of the wrong
// length, or non-finite samples (which would otherwise turn into NaN output).
func checkImage(m *data.Image, what string) error {
	if m == nil {
		return fmt.Errorf("%s is nil", what)
	}
	if m.W <= 0 || m.H <= 0 || m.C() == 0 {
		return fmt.Errorf("%s is empty (%dx%d, %d planes)", what, m.W, m.H, m.C())
	}
	for c, p := range m.Planes {
		if len(p) != m.W*m.H {
			return fmt.Errorf("%s plane %d has %d samples, want %dx%d", what, c, len(p), m.W, m.H)
		}
		for i, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s plane %d has non-finite sample %v at (%d,%d)", what, c, v, i%m.W, i/m.W)
			}
		}
	}
	return nil
}

// checkSources requires at least two well-formed sources of equal size and
// returns them with equal plane counts (MatchPlanes).
func checkSources(srcs []*data.Image) ([]*data.Image, error) {
	if len(srcs) < 2 {
		return nil, fmt.Errorf("need at least 2 sources, got %d", len(srcs))
	}
	for i, s := range srcs {
		if err := checkImage(s, fmt.Sprintf("source %d", i)); err != nil {
			return nil, err
		}
		if i == 0 {
			continue
		}
		if err := data.SameSize(srcs[0], s); err != nil {
			return nil, fmt.Errorf("source 0 vs source %d: %w", i, err)
		}
	}
	return MatchPlanes(srcs)
}

// MatchPlanes returns the sources with one plane count for a method that
// fuses plane by plane: a gray source beside colour ones (a gray infrared
// image with a colour visible image) is replicated across the colour
// planes, so the fused image is colour, as is usual for infrared-visible
// fusion. Sources that already agree are returned unchanged; replicated
// sources are copies, the inputs are never modified. Any other mix (for
// example 2 planes beside 3) is an error naming the sources.
func MatchPlanes(srcs []*data.Image) ([]*data.Image, error) {
	c := 0
	for _, s := range srcs {
		if s == nil {
			return nil, fmt.Errorf("match planes: nil source")
		}
		c = max(c, s.C())
	}
	same := true
	for i, s := range srcs {
		switch s.C() {
		case c:
		case 1:
			same = false
		default:
			return nil, fmt.Errorf("source %d has %d planes beside %d-plane sources: only a gray (1-plane) source can be matched to colour ones", i, s.C(), c)
		}
	}
	if same {
		return srcs, nil
	}
	out := make([]*data.Image, len(srcs))
	for i, s := range srcs {
		if s.C() == c {
			out[i] = s
			continue
		}
		r := &data.Image{W: s.W, H: s.H, Depth: s.Depth, Planes: make([][]float64, c)}
		for k := range r.Planes {
			r.Planes[k] = append([]float64(nil), s.Planes[0]...)
		}
		out[i] = r
	}
	return out, nil
}

// pairFunc fuses two checked sources.
type pairFunc func(a, b *data.Image) (*Result, error)

// fuseSequential checks the sources and fuses them pairwise from the left.
// The returned Map (if any) is the product of the pairwise maps: the weight
// that source 0 keeps in the final image.
func fuseSequential(srcs []*data.Image, f pairFunc) (*Result, error) {
	srcs, err := checkSources(srcs)
	if err != nil {
		return nil, err
	}
	res, err := f(srcs[0], srcs[1])
	if err != nil {
		return nil, err
	}
	for k := 2; k < len(srcs); k++ {
		next, err := f(res.Fused, srcs[k])
		if err != nil {
			return nil, fmt.Errorf("fusing source %d: %w", k, err)
		}
		res.Fused = next.Fused
		if res.Map != nil && next.Map != nil {
			for i, v := range next.Map.Planes[0] {
				res.Map.Planes[0][i] *= v
			}
		}
	}
	return res, nil
}

// grayPlane returns the focus-measure plane of m: the plane itself for gray
// images, MATLAB rgb2gray (data.Image.Gray) for colour.
func grayPlane(m *data.Image) ([]float64, error) {
	g, err := m.Gray()
	if err != nil {
		return nil, err
	}
	return g.Planes[0], nil
}

// clamp255 limits every sample to the 0..255 range of data.Image.
func clamp255(m *data.Image) {
	for _, p := range m.Planes {
		for i, v := range p {
			p[i] = min(max(v, 0), 255)
		}
	}
}

// mapImage wraps a plane as a one-plane image.
func mapImage(p []float64, w, h int) *data.Image {
	return &data.Image{W: w, H: h, Planes: [][]float64{p}}
}
