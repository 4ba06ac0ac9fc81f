package eval

import (
	"github.com/mfif/mfif/data"
)

func init() {
	Register(Info{
		Name:        "sf-map",
		Description: "per-pixel spatial-frequency decision map with shared post-processing",
		Citation:    "S. Li, J. T. Kwok, Y. Wang, \"Combination of images with diverse focuses using the spatial frequency\", Information Fusion 2(3):169-176, 2001 (SF: A. M. Eskicioglu, P. S. Fisher, IEEE Trans. Commun. 43(12), 1995)",
		HasMap:      true,
		PeakMBPerMP: 184, // measured: see Info.PeakMBPerMP
	}, newSFMap)
}

// sfMap picks, per pixel, the source with the higher spatial frequency
// SF = sqrt(RF^2 + CF^2) (Eskicioglu & Fisher 1995; used as a focus measure
// for multi-focus fusion by Li, Kwok and Wang, Information Fusion 2(3), 2001),
// where RF^2 and CF^2 are the means of the squared horizontal and vertical
// first differences of the gray image over a window x window neighbourhood
// (window even: the extra row/column is on the top/left; differences across
// the left/top image edge count as 0; clamped windows at borders). The raw
// map is 1 where SF_A > SF_B, 0 where smaller and 0.5 on ties (so with
// threshold 0.5 flat regions go to A before region cleaning), then
// PostProcess cleans it. With guided smoothing the guide is the fusion by
// the cleaned binary map, as in SESF-Fuse.
//
// Options: window (int >= 1, default 8), threshold (0.5), min_area_fraction
// (0.01), guided_radius (0 = off), guided_eps (0.1, on the 0..255 scale).
type sfMap struct {
	window int
	post   PostOptions
}

func newSFMap(opts Options) (Method, error) {
	r := NewOptionReader(opts)
	d := DefaultPostOptions()
	m := sfMap{window: r.Int("window", 8), post: PostOptions{
		Threshold:       r.Float("threshold", d.Threshold),
		MinAreaFraction: r.Float("min_area_fraction", d.MinAreaFraction),
		GuidedRadius:    r.Int("guided_radius", d.GuidedRadius),
		GuidedEps:       r.Float("guided_eps", d.GuidedEps),
	}}
	r.Check(m.window >= 1, "window", m.window, "an integer >= 1")
	if err := r.Done(); err != nil {
		return nil, err
	}
	if err := m.post.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// Fuse fuses the sources pairwise from the left.
func (m sfMap) Fuse(srcs []*data.Image) (*Result, error) {
	return fuseSequential(srcs, m.pair)
}

func (m sfMap) pair(a, b *data.Image) (*Result, error) {
	ga, err := grayPlane(a)
	if err != nil {
		return nil, err
	}
	gb, err := grayPlane(b)
	if err != nil {
		return nil, err
	}
	w, h := a.W, a.H
	sfa, sfb := m.sf2(ga, w, h), m.sf2(gb, w, h)
	raw := make([]float64, w*h)
	for i := range raw {
		switch {
		case sfa[i] > sfb[i]:
			raw[i] = 1
		case sfa[i] == sfb[i]:
			raw[i] = 0.5
		}
	}
	rawImg := mapImage(raw, w, h)
	hard := m.post
	hard.GuidedRadius = 0
	dm, err := PostProcess(rawImg, nil, hard)
	if err != nil {
		return nil, err
	}
	if m.post.GuidedRadius > 0 {
		guide, err := FuseWithMap(a, b, dm)
		if err != nil {
			return nil, err
		}
		// Binarising and cleaning an already clean binary map changes
		// nothing, so this only adds the smoothing.
		if dm, err = PostProcess(dm, guide, m.post); err != nil {
			return nil, err
		}
	}
	fused, err := FuseWithMap(a, b, dm)
	if err != nil {
		return nil, err
	}
	return &Result{Fused: fused, Map: dm, RawMap: rawImg}, nil
}

// sf2 is the squared spatial frequency RF^2 + CF^2 over the window; the
// square root is skipped because only the comparison matters.
func (m sfMap) sf2(g []float64, w, h int) []float64 {
	dx, dy := make([]float64, w*h), make([]float64, w*h)
	for y := range h {
		for x := range w {
			i := y*w + x
			if x > 0 {
				d := g[i] - g[i-1]
				dx[i] = d * d
			}
			if y > 0 {
				d := g[i] - g[i-w]
				dy[i] = d * d
			}
		}
	}
	lo, hi := m.window/2, m.window-1-m.window/2
	rf, cf := data.BoxFilterPlane(dx, w, h, lo, hi), data.BoxFilterPlane(dy, w, h, lo, hi)
	for i := range rf {
		rf[i] += cf[i]
	}
	return rf
}
