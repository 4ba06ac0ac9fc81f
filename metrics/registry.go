package metrics

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/internal/registry"
)

// Better says which direction of a metric's value is better.
type Better int

const (
	// HigherIsBetter ranks larger values first.
	HigherIsBetter Better = iota
	// LowerIsBetter ranks smaller values first.
	LowerIsBetter
	// CloserToZero ranks values by their absolute value (Q_SF: 0 is ideal).
	CloserToZero
)

// String names the direction for tables ("higher", "lower", "zero").
func (b Better) String() string {
	switch b {
	case HigherIsBetter:
		return "higher"
	case LowerIsBetter:
		return "lower"
	case CloserToZero:
		return "zero"
	}
	return fmt.Sprintf("Better(%d)", int(b))
}

// Rank returns the indices of values ordered best first. Ties keep their
// input order; NaN values (never produced by this package) go last.
func (b Better) Rank(values []float64) []int {
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	key := func(v float64) float64 {
		switch b {
		case LowerIsBetter:
			return v
		case CloserToZero:
			return math.Abs(v)
		}
		return -v
	}
	sort.SliceStable(idx, func(i, j int) bool {
		vi, vj := values[idx[i]], values[idx[j]]
		if math.IsNaN(vj) {
			return !math.IsNaN(vi)
		}
		if math.IsNaN(vi) {
			return false
		}
		return key(vi) < key(vj)
	})
	return idx
}

// Inputs are the images one metric evaluation sees. Images may be gray or
// RGB (converted with MATLAB's rgb2gray before any metric runs) and must all
// have the same size.
type Inputs struct {
	// Sources are the partially focused inputs (at least 2).
	Sources []*data.Image
	// Fused is the image under test.
	Fused *data.Image
	// Reference is the all-in-focus ground truth, or nil if there is none.
	Reference *data.Image

	// scene is set by Evaluate when it hands the caller's images to a suite
	// metric, so the suite can keep per-evaluation work (converted
	// channels, shared maps) in the scene's cache.
	scene *scene
}

// Metric describes one registered quality metric.
type Metric struct {
	// Name is the registry key, e.g. "Q_G" or "Q_G_yuliu".
	Name string
	// Description is a one-line summary for tables and help text.
	Description string
	// Citation names the paper and, where it matters, the reference code.
	Citation string
	// Better says which values are better.
	Better Better
	// NeedsReference is true when the metric compares Fused to Reference.
	NeedsReference bool
	// Compute evaluates the metric on one set of inputs.
	Compute func(Inputs) (float64, error)

	// eval is set for the metrics of this package: it works on a prepared
	// scene so that Evaluate shares gray conversion and intermediate maps.
	eval func(*scene) (float64, error)
	// raw is set for suite metrics: Compute sees the caller's images
	// unconverted, because colour handling belongs to the toolkit.
	raw bool
}

// ErrDegenerate is wrapped by every error about inputs for which a metric
// is undefined (the reference code would return NaN or divide by zero), for
// example a constant non-zero image in normalize1. The wrapping error names
// the image and the reason.
var ErrDegenerate = errors.New("degenerate input")

// ErrUnsupported is wrapped when a metric has no definition for the given
// number of sources (for example Q_TE with three sources).
var ErrUnsupported = errors.New("unsupported input")

var registered registry.Registry[Metric]

// Register adds m to the registry. It panics if the name is empty, already
// registered, or Compute is nil: these are programming errors made at init.
func Register(m Metric) {
	if m.Name == "" || m.Compute == nil {
		panic("metrics: Register needs a Name and a Compute function")
	}
	if err := registered.Add(m.Name, m); err != nil {
		panic("metrics: duplicate metric name " + m.Name)
	}
}

// register adds a metric of this package that works on a shared scene.
func register(m Metric, eval func(*scene) (float64, error)) {
	m.eval = eval
	m.Compute = func(in Inputs) (float64, error) {
		s, err := newScene(in)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", m.Name, err)
		}
		defer s.ar.release()
		return runMetric(m, s)
	}
	Register(m)
}

// Lookup returns the metric registered under name; the error lists every
// known name.
func Lookup(name string) (Metric, error) {
	m, ok := registered.Get(name)
	if !ok {
		return Metric{}, fmt.Errorf("unknown metric %q (known: %s)", name, registered.Known())
	}
	return m, nil
}

// Names returns all registered metric names, sorted.
func Names() []string { return registered.Names() }

// Primary returns the six metrics of the MFIF paper tables, in table order.
func Primary() []string {
	return []string{"Q_NMI", "Q_G", "Q_CB", "Q_TE", "Q_SF", "Q_Piella"}
}

// Evaluate computes the named metrics on one set of inputs. Sizes and plane
// counts are validated and colour images converted to gray once; metrics
// share intermediate maps (normalize1, Sobel gradients, SSIM statistics).
// The returned map holds every metric that succeeded; the error joins the
// failures (each naming its metric), so one degenerate metric does not hide
// the others.
func Evaluate(names []string, in Inputs) (map[string]float64, error) {
	ms := make([]Metric, len(names))
	for i, n := range names {
		m, err := Lookup(n)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	s, err := newScene(in)
	if err != nil {
		return nil, err
	}
	defer s.ar.release()
	out := make(map[string]float64, len(ms))
	var errs []error
	for _, m := range ms {
		v, err := runMetric(m, s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[m.Name] = v
	}
	return out, errors.Join(errs...)
}

// runMetric evaluates m on a prepared scene, checks the reference
// requirement and turns a non-finite result into ErrDegenerate.
func runMetric(m Metric, s *scene) (float64, error) {
	if m.NeedsReference && s.ref == nil {
		return 0, fmt.Errorf("%s: needs a reference (ground-truth) image", m.Name)
	}
	var v float64
	var err error
	switch {
	case m.eval != nil:
		v, err = m.eval(s)
	case m.raw:
		in := s.orig
		in.scene = s
		v, err = m.Compute(in)
	default:
		v, err = m.Compute(s.grayInputs())
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", m.Name, err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s: %w: result is %v", m.Name, ErrDegenerate, v)
	}
	return v, nil
}
