package eval

import (
	"github.com/mfif/mfif/data"
)

func init() {
	Register(Info{
		Name:        "gff",
		Description: "guided-filter fusion: two-scale decomposition, Laplacian saliency, guided-filter weight refinement",
		Citation:    "S. Li, X. Kang, J. Hu, \"Image fusion with guided filtering\", IEEE Trans. Image Process. 22(7):2864-2875, 2013",
		HasMap:      true,
		PeakMBPerMP: 330, // measured: see Info.PeakMBPerMP
	}, newGFF)
}

// gff is guided filtering fusion (Li, Kang and Hu, "Image Fusion With
// Guided Filtering", IEEE TIP 22(7):2864-2875, 2013), for two sources:
//
//   - two-scale decomposition of each plane on [0,1]: base = 31x31 mean
//     (clamped windows), detail = plane - base;
//   - saliency S = Gaussian(11x11, sigma 5) of |Laplacian 3x3| of the gray
//     guide, both with replicate borders;
//   - P_A = 1 where S_A >= S_B (ties to A), P_B = 1 - P_A;
//   - weights W^B_n = GuidedFilter(guide_n, P_n, r1, eps1) and
//     W^D_n = GuidedFilter(guide_n, P_n, r2, eps2), each pair normalised to
//     sum to one per pixel (equal weights where the sum vanishes);
//   - fused plane = sum_n W^B_n*base_n + W^D_n*detail_n, scaled back to
//     0..255 and clipped.
//
// The guide of a colour source is its rgb2gray luminance (data.Image.Gray)
// on [0,1], as in the authors' code; the weights are shared by all planes.
// The fusion itself uses the continuous weights; for scoring against a
// true mask, Result.Map is the detail weight of source A binarised at 0.5
// (W^D_A >= 0.5: the source whose detail layer dominates, which is where
// the sharpness comes from; the base weights differ little between a sharp
// and a blurred source) and Result.RawMap is P_A.
//
// Options: r1 (default 45), eps1 (0.3), r2 (7), eps2 (1e-6).
type gff struct {
	r1, r2     int
	eps1, eps2 float64
}

func newGFF(opts Options) (Method, error) {
	r := NewOptionReader(opts)
	m := gff{r1: r.Int("r1", 45), eps1: r.Float("eps1", 0.3), r2: r.Int("r2", 7), eps2: r.Float("eps2", 1e-6)}
	r.Check(m.r1 >= 1, "r1", m.r1, "an integer >= 1")
	r.Check(m.r2 >= 1, "r2", m.r2, "an integer >= 1")
	r.Check(m.eps1 > 0, "eps1", m.eps1, "positive")
	r.Check(m.eps2 > 0, "eps2", m.eps2, "positive")
	return m, r.Done()
}

// Fuse fuses the sources pairwise from the left.
func (m gff) Fuse(srcs []*data.Image) (*Result, error) {
	return fuseSequential(srcs, m.pair)
}

const (
	gffBaseRadius = 15 // 31x31 average filter
	gffSalRadius  = 5  // 11x11 Gaussian
	gffSalSigma   = 5.0
)

func (m gff) pair(a, b *data.Image) (*Result, error) {
	w, h := a.W, a.H
	var guides [2][]float64
	for i, s := range []*data.Image{a, b} {
		g, err := grayPlane(s)
		if err != nil {
			return nil, err
		}
		guides[i] = scaled(g, 1.0/255)
	}
	sa := saliency(guides[0], w, h)
	sb := saliency(guides[1], w, h)
	pa, pb := make([]float64, w*h), make([]float64, w*h)
	for i := range pa {
		if sa[i] >= sb[i] {
			pa[i] = 1
		} else {
			pb[i] = 1
		}
	}
	wbA, wbB := normalizePair(GuidedFilter(guides[0], pa, w, h, m.r1, m.eps1), GuidedFilter(guides[1], pb, w, h, m.r1, m.eps1))
	wdA, wdB := normalizePair(GuidedFilter(guides[0], pa, w, h, m.r2, m.eps2), GuidedFilter(guides[1], pb, w, h, m.r2, m.eps2))
	out := data.NewImage(w, h, a.C())
	for c := range out.Planes {
		ia, ib := scaled(a.Planes[c], 1.0/255), scaled(b.Planes[c], 1.0/255)
		ba, bb := data.BoxFilterPlane(ia, w, h, gffBaseRadius, gffBaseRadius), data.BoxFilterPlane(ib, w, h, gffBaseRadius, gffBaseRadius)
		o := out.Planes[c]
		for i := range o {
			base := wbA[i]*ba[i] + wbB[i]*bb[i]
			detail := wdA[i]*(ia[i]-ba[i]) + wdB[i]*(ib[i]-bb[i])
			o[i] = 255 * (base + detail)
		}
	}
	clamp255(out)
	dm := data.NewImage(w, h, 1)
	for i, v := range wdA {
		if v >= 0.5 {
			dm.Planes[0][i] = 1
		}
	}
	return &Result{Fused: out, Map: dm, RawMap: &data.Image{W: w, H: h, Planes: [][]float64{pa}}}, nil
}

func saliency(g []float64, w, h int) []float64 {
	l := laplacian3(g, w, h)
	for i, v := range l {
		l[i] = abs(v)
	}
	return gaussianBlur(l, w, h, gffSalSigma, gffSalRadius)
}

// normalizePair rescales two weight maps in place so they sum to one.
func normalizePair(wa, wb []float64) ([]float64, []float64) {
	for i := range wa {
		s := wa[i] + wb[i]
		if abs(s) < 1e-12 {
			wa[i], wb[i] = 0.5, 0.5
			continue
		}
		wa[i] /= s
		wb[i] /= s
	}
	return wa, wb
}

func scaled(p []float64, k float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = v * k
	}
	return out
}
