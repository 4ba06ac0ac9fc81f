package eval

import (
	"fmt"

	"github.com/mfif/mfif/data"
)

func init() {
	Register(Info{
		Name:        "laplacian",
		Description: "Laplacian pyramid, max-absolute detail selection, averaged base",
		Citation:    "P. J. Burt, E. H. Adelson, \"The Laplacian pyramid as a compact image code\", IEEE Trans. Commun. 31(4), 1983",
		PeakMBPerMP: 182, // measured: see Info.PeakMBPerMP
	}, newLaplacian)
}

// laplacianPyr fuses two sources in a Laplacian pyramid (Burt & Adelson,
// "The Laplacian Pyramid as a Compact Image Code", IEEE Trans. Commun.
// 31(4):532-540, 1983): generating kernel w = [1 4 6 4 1]/16 (a = 0.375),
// REDUCE = blur then keep even samples, EXPAND = zero-insert then blur with
// 2w per axis, mirrored (not repeated) borders. Each plane is fused on its
// own: detail coefficients by maximum absolute value (ties to source A), the
// coarsest level by averaging. The result is clipped to 0..255.
//
// Option: levels (int >= 1, default 4) = number of REDUCE steps, i.e.
// detail levels; each level needs at least 2x2 pixels before reduction.
type laplacianPyr struct{ levels int }

func newLaplacian(opts Options) (Method, error) {
	r := NewOptionReader(opts)
	m := laplacianPyr{levels: r.Int("levels", 4)}
	r.Check(m.levels >= 1 && m.levels <= 30, "levels", m.levels, "between 1 and 30")
	return m, r.Done()
}

// Fuse fuses the sources pairwise from the left.
func (m laplacianPyr) Fuse(srcs []*data.Image) (*Result, error) {
	return fuseSequential(srcs, m.pair)
}

var burtAdelson = []float64{1.0 / 16, 4.0 / 16, 6.0 / 16, 4.0 / 16, 1.0 / 16}

func (m laplacianPyr) pair(a, b *data.Image) (*Result, error) {
	w, h := a.W, a.H
	for l, lw, lh := 0, w, h; l < m.levels; l++ {
		if lw < 2 || lh < 2 {
			return nil, fmt.Errorf("laplacian: %dx%d image is too small for %d levels", w, h, m.levels)
		}
		lw, lh = (lw+1)/2, (lh+1)/2
	}
	out := data.NewImage(w, h, a.C())
	for c := range a.Planes {
		pa := buildPyramid(a.Planes[c], w, h, m.levels)
		pb := buildPyramid(b.Planes[c], w, h, m.levels)
		out.Planes[c] = fusePyramids(pa, pb).collapse()
	}
	clamp255(out)
	return &Result{Fused: out}, nil
}

// pyramid holds detail levels (finest first) and the residual base.
type pyramid struct {
	detail [][]float64
	ws, hs []int // size of each detail level, then of the base
	base   []float64
}

func buildPyramid(p []float64, w, h, levels int) pyramid {
	pyr := pyramid{}
	cur := p
	for range levels {
		nw, nh := (w+1)/2, (h+1)/2
		low := reduce(cur, w, h)
		up := expand(low, nw, nh, w, h)
		d := make([]float64, w*h)
		for i := range d {
			d[i] = cur[i] - up[i]
		}
		pyr.detail = append(pyr.detail, d)
		pyr.ws, pyr.hs = append(pyr.ws, w), append(pyr.hs, h)
		cur, w, h = low, nw, nh
	}
	pyr.base = cur
	pyr.ws, pyr.hs = append(pyr.ws, w), append(pyr.hs, h)
	return pyr
}

func fusePyramids(a, b pyramid) pyramid {
	f := pyramid{ws: a.ws, hs: a.hs, base: make([]float64, len(a.base))}
	for l := range a.detail {
		d := make([]float64, len(a.detail[l]))
		for i, va := range a.detail[l] {
			vb := b.detail[l][i]
			if abs(va) >= abs(vb) {
				d[i] = va
			} else {
				d[i] = vb
			}
		}
		f.detail = append(f.detail, d)
	}
	for i := range f.base {
		f.base[i] = (a.base[i] + b.base[i]) / 2
	}
	return f
}

func (p pyramid) collapse() []float64 {
	cur := p.base
	for l := len(p.detail) - 1; l >= 0; l-- {
		cur = expand(cur, p.ws[l+1], p.hs[l+1], p.ws[l], p.hs[l])
		for i, d := range p.detail[l] {
			cur[i] += d
		}
	}
	return cur
}

func reduce(p []float64, w, h int) []float64 {
	bl := convolveSep(p, w, h, burtAdelson, reflectIndex)
	nw, nh := (w+1)/2, (h+1)/2
	out := make([]float64, nw*nh)
	for y := range nh {
		for x := range nw {
			out[y*nw+x] = bl[2*y*w+2*x]
		}
	}
	return out
}

// expand upsamples a nw x nh level to w x h; the kernel is scaled by 2 per
// axis to make up for the inserted zeros.
func expand(p []float64, nw, nh, w, h int) []float64 {
	up := make([]float64, w*h)
	for y := range nh {
		for x := range nw {
			up[2*y*w+2*x] = 4 * p[y*nw+x]
		}
	}
	return convolveSep(up, w, h, burtAdelson, reflectIndex)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
