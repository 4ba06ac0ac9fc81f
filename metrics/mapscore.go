package metrics

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
)

// Names under which the decision-map scores appear in results tables.
const (
	// MapAccuracyName is the column of MapAccuracy.
	MapAccuracyName = "MapAcc"
	// BoundaryFName is the column of BoundaryF's F.
	BoundaryFName = "BoundaryF"
)

// DefaultBoundaryTolerance is the distance, in pixels, within which a
// boundary pixel of one map counts as matched by the other (BoundaryF).
const DefaultBoundaryTolerance = 2

// binaryPlane returns the single plane of m thresholded at 0.5 (values
// >= 0.5 are 1), the convention of eval.PostProcess: an undecided 0.5
// goes to source 1.
func binaryPlane(m *data.Image, what string) ([]bool, error) {
	if m == nil {
		return nil, fmt.Errorf("%s is missing", what)
	}
	if m.C() != 1 {
		return nil, fmt.Errorf("%s has %d planes, want 1", what, m.C())
	}
	out := make([]bool, len(m.Planes[0]))
	for i, v := range m.Planes[0] {
		out[i] = v >= 0.5
	}
	return out, nil
}

// binaryPair checks that a decision map and a true mask have one plane of
// the same, non-empty size and binarises both.
func binaryPair(pred, truth *data.Image) ([]bool, []bool, error) {
	p, err := binaryPlane(pred, "decision map")
	if err != nil {
		return nil, nil, err
	}
	t, err := binaryPlane(truth, "true mask")
	if err != nil {
		return nil, nil, err
	}
	if err := data.SameSize(pred, truth); err != nil {
		return nil, nil, fmt.Errorf("decision map vs true mask: %w", err)
	}
	if len(p) == 0 {
		return nil, nil, fmt.Errorf("decision map: %w: empty image", ErrDegenerate)
	}
	return p, t, nil
}

// MapAccuracy is the fraction of pixels where a decision map pred (one
// plane in [0, 1], 1 = source 1 in focus, binarised at 0.5 with 0.5 going
// to source 1 as eval.PostProcess does) agrees with the true mask truth
// (one plane, 1 = source 1 in focus, also binarised at 0.5). Both must
// have the same size. Note that where the photo is flat, both sources are
// equal and either choice fuses the same pixel, yet the score counts it;
// read it together with the fused image's PSNR against the reference.
func MapAccuracy(pred, truth *data.Image) (float64, error) {
	p, t, err := binaryPair(pred, truth)
	if err != nil {
		return 0, fmt.Errorf("map accuracy: %w", err)
	}
	agree := 0
	for i, v := range p {
		if v == t[i] {
			agree++
		}
	}
	return float64(agree) / float64(len(p)), nil
}

// BoundaryScore is the agreement of the focus boundary of a decision map
// with that of the true mask (see BoundaryF).
type BoundaryScore struct {
	// Precision is the share of the map's boundary pixels that lie within
	// the tolerance of a true boundary pixel.
	Precision float64
	// Recall is the share of the true boundary pixels that lie within the
	// tolerance of a boundary pixel of the map.
	Recall float64
	// F is the harmonic mean 2PR/(P+R), 0 when P+R is 0.
	F float64
	// Pred and Truth count the boundary pixels of the map and of the mask.
	Pred, Truth int
}

// BoundaryF scores the focus boundary of the decision map pred against the
// true mask truth (both one plane of the same size, binarised at 0.5 as in
// MapAccuracy), in the manner of the boundary benchmark of BSDS (D. Martin,
// C. Fowlkes, J. Malik, "Learning to detect natural image boundaries using
// local brightness, color, and texture cues", IEEE TPAMI 26(5):530-549,
// 2004) with the tolerance matching of the DAVIS boundary measure (F.
// Perazzi et al., "A benchmark dataset and evaluation methodology for
// video object segmentation", CVPR 2016):
//
//   - the boundary of a binary map B is the set of pixels p = (x, y) with
//     B(p) != B(x+1, y), B(p) != B(x, y+1) or B(p) != B(x+1, y+1) (for the
//     neighbours inside the image), the thin one-sided boundary of the
//     BSDS benchmark's seg2bmap;
//   - a boundary pixel is matched when the other map has a boundary pixel
//     at Euclidean distance <= tol (tol < 0 counts as 0); unlike BSDS's
//     one-to-one bipartite matching, one pixel may match several;
//   - Precision = matched map-boundary pixels / map-boundary pixels,
//     Recall = matched true-boundary pixels / true-boundary pixels, F their
//     harmonic mean.
//
// BSDS's tolerance is 0.75 % of the image diagonal (4.3 px at 481x321);
// DefaultBoundaryTolerance (2 px) is stricter. When neither map has a
// boundary, P = R = F = 1; when only the true mask has one, P = 1 and
// R = 0; when only the map has one, P = 0 and R = 1 (F = 0 in both).
func BoundaryF(pred, truth *data.Image, tol float64) (BoundaryScore, error) {
	p, t, err := binaryPair(pred, truth)
	if err != nil {
		return BoundaryScore{}, fmt.Errorf("boundary F: %w", err)
	}
	if math.IsNaN(tol) || math.IsInf(tol, 0) {
		return BoundaryScore{}, fmt.Errorf("boundary F: tolerance %v is not finite", tol)
	}
	w, h := pred.W, pred.H
	bp, bt := boundary(p, w, h), boundary(t, w, h)
	offs := diskOffsets(max(tol, 0))
	var s BoundaryScore
	mp, mt := 0, 0
	for i := range bp {
		if bp[i] {
			s.Pred++
			if hasNear(bt, i, w, h, offs) {
				mp++
			}
		}
		if bt[i] {
			s.Truth++
			if hasNear(bp, i, w, h, offs) {
				mt++
			}
		}
	}
	switch {
	case s.Pred == 0 && s.Truth == 0:
		s.Precision, s.Recall, s.F = 1, 1, 1
		return s, nil
	case s.Pred == 0:
		s.Precision = 1
	case s.Truth == 0:
		s.Recall = 1
	default:
		s.Precision = float64(mp) / float64(s.Pred)
		s.Recall = float64(mt) / float64(s.Truth)
	}
	if s.Precision+s.Recall > 0 {
		s.F = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s, nil
}

// boundary marks the pixels of the binary map b (w x h) that differ from
// their east, south or south-east neighbour.
func boundary(b []bool, w, h int) []bool {
	out := make([]bool, len(b))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			v := b[i]
			e := x+1 < w && b[i+1] != v
			s := y+1 < h && b[i+w] != v
			se := x+1 < w && y+1 < h && b[i+w+1] != v
			out[i] = e || s || se
		}
	}
	return out
}

// offset is a displacement within the tolerance disk.
type offset struct{ dx, dy int }

// diskOffsets lists the integer displacements of length <= tol.
func diskOffsets(tol float64) []offset {
	r := int(math.Floor(tol))
	var out []offset
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if float64(dx*dx+dy*dy) <= tol*tol {
				out = append(out, offset{dx, dy})
			}
		}
	}
	return out
}

// hasNear reports whether b has a set pixel within the offsets of pixel i.
func hasNear(b []bool, i, w, h int, offs []offset) bool {
	x, y := i%w, i/w
	for _, o := range offs {
		xx, yy := x+o.dx, y+o.dy
		if xx >= 0 && xx < w && yy >= 0 && yy < h && b[yy*w+xx] {
			return true
		}
	}
	return false
}
