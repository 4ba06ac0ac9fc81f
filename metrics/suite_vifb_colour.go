package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// Colour handling shared by the VIFB and MEFB suites. Both toolkits read
// 8-bit files with imread and hand the uint8 arrays to wrappers
// metrics<Name>(img1, img2, fused) that work per colour channel: when the
// fused image is colour, the metric runs on channel k of img1, of img2 (or
// on img2 itself when img2 is gray) and of the fused image, and the mean
// over the three channels is reported; when the fused image is gray the
// metric runs once and converts colour sources with rgb2gray, on uint8 or
// on double data depending on the metric.

// tkGray says what a toolkit function does with a colour source when the
// fused image is gray.
type tkGray int

const (
	// tkGrayUint8 is rgb2gray of the uint8 source: rounded to integers.
	tkGrayUint8 tkGray = iota
	// tkGrayDouble is rgb2gray of double(source): the unrounded weighted sum.
	tkGrayDouble
	// tkGrayNone marks functions without rgb2gray: the toolkit fails on a
	// colour source with a gray fused image.
	tkGrayNone
)

// tkImages are the images of one two-source toolkit call, quantised to
// uint8 as the toolkit's imread of 8-bit files gives them.
type tkImages struct {
	a, b, f *data.Image // img1, img2, fused
	w, h    int
}

// tkShared returns the toolkit images of s's evaluation, prepared (validated
// and quantised) once per evaluation and kept in the scene's cache.
func (s *scene) tkShared() (*tkImages, error) {
	type prepared struct {
		t   *tkImages
		err error
	}
	const key = "tk.images"
	if c, ok := s.suite[key].(prepared); ok {
		return c.t, c.err
	}
	if s.suite == nil {
		s.suite = map[string]any{}
	}
	t, err := tkPrepare(s.orig)
	s.suite[key] = prepared{t, err}
	return t, err
}

// tkPrepare validates a two-source evaluation and quantises every image to
// uint8 (round half away from zero, saturate to 0..255).
func tkPrepare(in Inputs) (*tkImages, error) {
	if len(in.Sources) != 2 {
		return nil, fmt.Errorf("%w: the toolkit takes exactly 2 source images, got %d", ErrUnsupported, len(in.Sources))
	}
	if in.Fused == nil {
		return nil, fmt.Errorf("fused image is nil")
	}
	q := func(what string, m *data.Image) (*data.Image, error) {
		if m == nil {
			return nil, fmt.Errorf("%s is nil", what)
		}
		if m.W <= 0 || m.H <= 0 {
			return nil, fmt.Errorf("%s is empty (%dx%d)", what, m.W, m.H)
		}
		if err := data.SameSize(in.Fused, m); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if m.C() != 1 && m.C() != 3 {
			return nil, fmt.Errorf("%s has %d planes, want 1 (gray) or 3 (RGB)", what, m.C())
		}
		out := &data.Image{W: m.W, H: m.H, Depth: 8, Planes: make([][]float64, m.C())}
		for c, p := range m.Planes {
			if len(p) != m.W*m.H {
				return nil, fmt.Errorf("%s: plane %d has %d samples, want %d", what, c, len(p), m.W*m.H)
			}
			if isUint8(p) { // 8-bit files: used as they are, read only
				out.Planes[c] = p
				continue
			}
			o := make([]float64, len(p))
			for i, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%s: %w: non-finite sample", what, ErrDegenerate)
				}
				o[i] = data.RoundSat255(v)
			}
			out.Planes[c] = o
		}
		return out, nil
	}
	t := &tkImages{w: in.Fused.W, h: in.Fused.H}
	var err error
	if t.f, err = q("fused image", in.Fused); err != nil {
		return nil, err
	}
	if t.a, err = q("source 1", in.Sources[0]); err != nil {
		return nil, err
	}
	if t.b, err = q("source 2", in.Sources[1]); err != nil {
		return nil, err
	}
	return t, nil
}

// gray returns the one plane a toolkit function sees of m when the fused
// image is gray.
func (t *tkImages) gray(m *data.Image, what string, mode tkGray) ([]float64, error) {
	if m.C() == 1 {
		return m.Planes[0], nil
	}
	switch mode {
	case tkGrayUint8:
		g := make([]float64, t.w*t.h)
		if err := m.GrayTo(g); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return g, nil
	case tkGrayDouble:
		wr, wg, wb := data.GrayWeights()
		g := make([]float64, t.w*t.h)
		r, gg, b := m.Planes[0], m.Planes[1], m.Planes[2]
		for i := range g {
			g[i] = wr*r[i] + wg*gg[i] + wb*b[i]
		}
		return g, nil
	}
	return nil, fmt.Errorf("%w: the fused image is gray but %s is colour, which the toolkit's function does not convert (it fails)", ErrUnsupported, what)
}

// perChannel evaluates one(a, b, f) as the toolkits' wrappers do: once on
// the gray fused image (colour sources converted as mode says), or on each
// of the three channels of a colour fused image, reporting their mean.
func (t *tkImages) perChannel(mode tkGray, one func(a, b, f []float64) (float64, error)) (float64, error) {
	if t.f.C() == 1 {
		a, err := t.gray(t.a, "source 1", mode)
		if err != nil {
			return 0, err
		}
		b, err := t.gray(t.b, "source 2", mode)
		if err != nil {
			return 0, err
		}
		return one(a, b, t.f.Planes[0])
	}
	if t.a.C() != 3 {
		return 0, fmt.Errorf("%w: the fused image is colour but source 1 is gray (the toolkit indexes img1(:,:,k) and fails)", ErrUnsupported)
	}
	acc := 0.0
	for k := 0; k < 3; k++ {
		b := t.b.Planes[0]
		if t.b.C() == 3 {
			b = t.b.Planes[k]
		}
		v, err := one(t.a.Planes[k], b, t.f.Planes[k])
		if err != nil {
			return 0, fmt.Errorf("channel %d: %w", k+1, err)
		}
		acc += v
	}
	return acc / 3, nil
}

// planeScene is a scene of single planes (sources, then the fused plane
// last), so the toolkits' per-channel functions reuse the gray metrics of
// this package. The caller releases s.ar.
func planeScene(w, h int, planes ...[]float64) (*scene, error) {
	imgs := make([]*data.Image, len(planes))
	for i, p := range planes {
		imgs[i] = &data.Image{W: w, H: h, Planes: [][]float64{p}}
	}
	n := len(imgs) - 1
	return newScene(Inputs{Sources: imgs[:n], Fused: imgs[n]})
}

// onScene runs f on the scene of planes.
func onScene(w, h int, f func(*scene) (float64, error), planes ...[]float64) (float64, error) {
	s, err := planeScene(w, h, planes...)
	if err != nil {
		return 0, err
	}
	defer s.ar.release()
	return f(s)
}

// wide lays the planes of m side by side as one h x (C*w) plane: MATLAB's
// view of an h x w x C array indexed as a 2-D matrix (column-major, so the
// channels follow each other along the second index).
func wide(m *data.Image) (p []float64, w int) {
	c := m.C()
	if c == 1 {
		return m.Planes[0], m.W
	}
	w = c * m.W
	p = make([]float64, w*m.H)
	for y := 0; y < m.H; y++ {
		for k, pl := range m.Planes {
			copy(p[y*w+k*m.W:y*w+(k+1)*m.W], pl[y*m.W:(y+1)*m.W])
		}
	}
	return p, w
}

// tkMetric wraps a toolkit metric as a suite metric's Compute.
func tkMetric(f func(t *tkImages) (float64, error)) func(Inputs) (float64, error) {
	return func(in Inputs) (float64, error) {
		if in.scene != nil {
			t, err := in.scene.tkShared()
			if err != nil {
				return 0, err
			}
			return f(t)
		}
		t, err := tkPrepare(in)
		if err != nil {
			return 0, err
		}
		return f(t)
	}
}

// isUint8 reports whether every sample is an integer in 0..255.
func isUint8(p []float64) bool {
	for _, v := range p {
		if !(v >= 0 && v <= 255 && v == math.Trunc(v)) {
			return false
		}
	}
	return true
}
