package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// scene is one validated evaluation: gray planes of the sources, the fused
// image and the optional reference, plus lazily computed maps shared by
// several metrics. It is used by one goroutine at a time.
type scene struct {
	w, h int
	src  [][]float64
	fus  []float64
	ref  []float64
	in   Inputs
	orig Inputs // the caller's images, unconverted (for suite metrics)

	norm    [][]float64 // normalize1 of image i (sources, then fused)
	normErr []error
	grad    []*gradMaps // Sobel maps of image i (sources, then fused)
	stats   map[ssimKey]*ssimStats
	vars    map[ssimKey][]float64 // local variances (see variance)

	edgeImgs [][]float64 // Prewitt magnitudes (sources, then fused)
	joints   map[[2]int]*joint
	suite    map[string]any // maps private to one suite (suite_*.go)

	ar *arena // buffers of the maps above, released after the evaluation
}

// newScene validates in and converts every image to one gray plane.
func newScene(in Inputs) (*scene, error) {
	if len(in.Sources) < 2 {
		return nil, fmt.Errorf("need at least 2 source images, got %d", len(in.Sources))
	}
	if in.Fused == nil {
		return nil, fmt.Errorf("fused image is nil")
	}
	s := &scene{w: in.Fused.W, h: in.Fused.H, ar: &arena{}, orig: in}
	gray := func(what string, m *data.Image) ([]float64, error) {
		if m == nil {
			return nil, fmt.Errorf("%s is nil", what)
		}
		if m.W <= 0 || m.H <= 0 {
			return nil, fmt.Errorf("%s is empty (%dx%d)", what, m.W, m.H)
		}
		if err := data.SameSize(in.Fused, m); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		for c, p := range m.Planes {
			if len(p) != m.W*m.H {
				return nil, fmt.Errorf("%s: plane %d has %d samples, want %d", what, c, len(p), m.W*m.H)
			}
		}
		g := s.ar.floats(m.W * m.H)
		if err := m.GrayTo(g); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if m.C() == 1 { // rgb2gray saturates; gray input is taken as is
			for _, v := range g {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%s: %w: non-finite sample", what, ErrDegenerate)
				}
			}
		}
		return g, nil
	}
	var err error
	if s.fus, err = gray("fused image", in.Fused); err != nil {
		return nil, err
	}
	s.src = make([][]float64, len(in.Sources))
	for i, m := range in.Sources {
		if s.src[i], err = gray(fmt.Sprintf("source %d", i+1), m); err != nil {
			return nil, err
		}
	}
	if in.Reference != nil {
		if s.ref, err = gray("reference image", in.Reference); err != nil {
			return nil, err
		}
	}
	n := len(s.src) + 1
	s.norm = make([][]float64, n)
	s.normErr = make([]error, n)
	s.grad = make([]*gradMaps, n)
	s.stats = map[ssimKey]*ssimStats{}
	s.joints = map[[2]int]*joint{}
	return s, nil
}

// grayInputs returns the gray planes as Inputs, for registered metrics from
// outside the package.
func (s *scene) grayInputs() Inputs {
	if s.in.Fused != nil {
		return s.in
	}
	wrap := func(p []float64) *data.Image {
		if p == nil {
			return nil
		}
		return &data.Image{W: s.w, H: s.h, Planes: [][]float64{p}}
	}
	s.in.Fused = wrap(s.fus)
	s.in.Reference = wrap(s.ref)
	s.in.Sources = make([]*data.Image, len(s.src))
	for i, p := range s.src {
		s.in.Sources[i] = wrap(p)
	}
	return s.in
}

// nsrc is the number of sources.
func (s *scene) nsrc() int { return len(s.src) }

// plane returns gray image i: sources 0..n-1, then the fused image at n.
func (s *scene) plane(i int) []float64 {
	if i == len(s.src) {
		return s.fus
	}
	return s.src[i]
}

// imageName names image i in error messages.
func (s *scene) imageName(i int) string {
	if i == len(s.src) {
		return "fused image"
	}
	return fmt.Sprintf("source %d", i+1)
}

// normalized returns normalize1 of image i (cached).
func (s *scene) normalized(i int) ([]float64, error) {
	if s.norm[i] == nil && s.normErr[i] == nil {
		s.norm[i], s.normErr[i] = normalize1Into(s.ar, s.plane(i))
		if s.normErr[i] != nil {
			s.normErr[i] = fmt.Errorf("%s: %w", s.imageName(i), s.normErr[i])
		}
	}
	return s.norm[i], s.normErr[i]
}

// need2 returns ErrUnsupported unless there are exactly two sources.
func (s *scene) need2() error {
	if len(s.src) != 2 {
		return fmt.Errorf("%w: defined for exactly 2 sources, got %d", ErrUnsupported, len(s.src))
	}
	return nil
}

// normalize1 stretches x to 0..255 and rounds half away from zero, as Zheng
// Liu's normalize1.m: an all-zero image is returned unchanged, and a
// constant non-zero image (0/0 in the reference) is ErrDegenerate.
func normalize1(x []float64) ([]float64, error) { return normalize1Into(nil, x) }

// normalize1Into is normalize1 with the result taken from ar.
func normalize1Into(ar *arena, x []float64) ([]float64, error) {
	lo, hi := minMax(x) // samples are finite (checked in newScene)
	if lo == 0 && hi == 0 {
		return ar.zeros(len(x)), nil
	}
	if lo == hi {
		return nil, fmt.Errorf("%w: constant image (value %g) cannot be stretched by normalize1", ErrDegenerate, lo)
	}
	d := hi - lo
	out := ar.floats(len(x))
	stretch(out, x, lo, d)
	return out, nil
}

// mean2 is MATLAB's mean2: the plain sum divided by the count.
func mean2(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// sum is the plain sum of x.
func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}
