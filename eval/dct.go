package eval

import (
	"math"

	"github.com/mfif/mfif/data"
)

func init() {
	Register(Info{
		Name:        "dct-variance",
		Description: "8x8 DCT blocks, higher AC variance wins, optional consistency verification",
		Citation:    "M. B. A. Haghighat, A. Aghagolzadeh, H. Seyedarabi, \"Multi-focus image fusion for visual sensor networks in DCT domain\", Comput. Electr. Eng. 37(5):789-797, 2011",
		HasMap:      true,
		PeakMBPerMP: 99, // measured: see Info.PeakMBPerMP
	}, newDCTVariance)
}

// dctVariance is DCT+Var(+CV) of Haghighat, Aghagolzadeh and Seyedarabi,
// "Multi-focus image fusion for visual sensor networks in DCT domain",
// Comput. Electr. Eng. 37(5):789-797, 2011. The gray image is cut into 8x8
// blocks; for each, the variance is read off the orthonormal 2-D DCT-II
// coefficients d as (sum d^2 - d(0,0)^2)/64 (the AC energy), and the source
// with the strictly larger variance wins the block (ties go to source B, as
// in the authors' reference code). Right and bottom remainder blocks smaller
// than 8 use a DCT of their own size instead of being dropped.
//
// Consistency verification (the paper's "CV", default on) is a majority
// filter on the block map: the map of +1 (A) / -1 (B) votes is averaged
// twice over cv_window x cv_window blocks (default 7, as in the authors'
// code; clamped windows at the borders rather than their mirrored ones) and
// a non-negative average goes to A.
//
// Options: cv (bool, default true), cv_window (odd int >= 1, default 7).
// Result.RawMap is the map before CV, Result.Map after (equal without CV).
type dctVariance struct {
	cv       bool
	cvWindow int
}

func newDCTVariance(opts Options) (Method, error) {
	r := NewOptionReader(opts)
	m := dctVariance{cv: r.Bool("cv", true), cvWindow: r.Int("cv_window", 7)}
	r.Check(m.cvWindow >= 1 && m.cvWindow%2 == 1, "cv_window", m.cvWindow, "an odd integer >= 1")
	return m, r.Done()
}

// Fuse fuses the sources pairwise from the left.
func (m dctVariance) Fuse(srcs []*data.Image) (*Result, error) {
	return fuseSequential(srcs, m.pair)
}

const dctBlock = 8

func (m dctVariance) pair(a, b *data.Image) (*Result, error) {
	ga, err := grayPlane(a)
	if err != nil {
		return nil, err
	}
	gb, err := grayPlane(b)
	if err != nil {
		return nil, err
	}
	w, h := a.W, a.H
	bw, bh := (w+dctBlock-1)/dctBlock, (h+dctBlock-1)/dctBlock
	votes := make([]float64, bw*bh)
	tab := newDCTTables()
	for by := range bh {
		for bx := range bw {
			va := blockACVariance(ga, w, h, bx, by, tab)
			vb := blockACVariance(gb, w, h, bx, by, tab)
			votes[by*bw+bx] = -1
			if va > vb {
				votes[by*bw+bx] = 1
			}
		}
	}
	raw := blocksToMap(votes, bw, w, h)
	if m.cv {
		r := m.cvWindow / 2
		votes = data.BoxFilterPlane(data.BoxFilterPlane(votes, bw, bh, r, r), bw, bh, r, r)
	}
	final := blocksToMap(votes, bw, w, h)
	fused, err := FuseWithMap(a, b, mapImage(final, w, h))
	if err != nil {
		return nil, err
	}
	return &Result{Fused: fused, Map: mapImage(final, w, h), RawMap: mapImage(raw, w, h)}, nil
}

// blocksToMap paints each block's decision (vote >= 0 -> 1) over its pixels.
func blocksToMap(votes []float64, bw, w, h int) []float64 {
	out := make([]float64, w*h)
	for y := range h {
		for x := range w {
			if votes[(y/dctBlock)*bw+x/dctBlock] >= 0 {
				out[y*w+x] = 1
			}
		}
	}
	return out
}

// dctTables holds orthonormal DCT-II matrices for lengths 1..8.
type dctTables [dctBlock + 1][][]float64

func newDCTTables() *dctTables {
	var t dctTables
	for n := 1; n <= dctBlock; n++ {
		t[n] = make([][]float64, n)
		for k := range n {
			t[n][k] = make([]float64, n)
			s := math.Sqrt(2 / float64(n))
			if k == 0 {
				s = math.Sqrt(1 / float64(n))
			}
			for i := range n {
				t[n][k][i] = s * math.Cos(math.Pi*float64((2*i+1)*k)/float64(2*n))
			}
		}
	}
	return &t
}

// blockACVariance is the AC energy of block (bx, by) divided by its pixel
// count, which for an orthonormal DCT equals the spatial variance.
func blockACVariance(p []float64, w, h, bx, by int, t *dctTables) float64 {
	x0, y0 := bx*dctBlock, by*dctBlock
	nx, ny := min(dctBlock, w-x0), min(dctBlock, h-y0)
	cx, cy := t[nx], t[ny]
	var rows [dctBlock][dctBlock]float64 // row transforms: rows[y][u]
	for y := range ny {
		line := p[(y0+y)*w+x0 : (y0+y)*w+x0+nx]
		for u := range nx {
			s := 0.0
			for x, v := range line {
				s += cx[u][x] * v
			}
			rows[y][u] = s
		}
	}
	energy, dc := 0.0, 0.0
	for u := range nx {
		for v := range ny {
			s := 0.0
			for y := range ny {
				s += cy[v][y] * rows[y][u]
			}
			energy += s * s
			if u == 0 && v == 0 {
				dc = s
			}
		}
	}
	return (energy - dc*dc) / float64(nx*ny)
}
