package metrics

import "math"

// The four difference directions of Zheng et al.'s spatial frequency, as
// (dx, dy) offsets of the neighbour subtracted from each pixel, and whether
// the squared sum is weighted by sqrt(2)/2 (diagonals).
var sfDirs = [4]struct {
	dx, dy int
	diag   bool
}{
	{1, 0, false},  // row frequency: F(i,j) - F(i,j+1)
	{0, 1, false},  // column frequency: F(i,j) - F(i+1,j)
	{-1, -1, true}, // main diagonal: F(i,j) - F(i-1,j-1)
	{1, -1, true},  // secondary diagonal: F(i,j) - F(i-1,j+1)
}

// sfSums returns, for each direction, the sum over valid pixels of the
// squared difference of the per-pixel maximum |difference| over imgs (one
// image gives the plain spatial-frequency sums).
func sfSums(imgs [][]float64, w, h int) [4]float64 {
	var out [4]float64
	for d, dir := range sfDirs {
		x0, x1 := max(0, -dir.dx), w-max(0, dir.dx)
		y0, y1 := max(0, -dir.dy), h-max(0, dir.dy)
		if x1 <= x0 || y1 <= y0 {
			continue
		}
		acc := 0.0
		off := dir.dy*w + dir.dx
		for y := y0; y < y1; y++ {
			lo, hi := y*w+x0, y*w+x1
			switch len(imgs) {
			case 1:
				acc += sqDiffSum(imgs[0][lo:hi], imgs[0][lo+off:hi+off])
			case 2:
				acc += maxDiffSqSum(imgs[0][lo:hi], imgs[0][lo+off:hi+off], imgs[1][lo:hi], imgs[1][lo+off:hi+off])
			default:
				for k := lo; k < hi; k++ {
					m := 0.0
					for _, im := range imgs {
						m = math.Max(m, math.Abs(im[k]-im[k+off]))
					}
					acc += m * m
				}
			}
		}
		out[d] = acc
	}
	return out
}

// qSF is metricZheng.m (Zheng et al., Inf. Fusion 8 2007): the relative
// error (SF_F - SF_R)/SF_R of the four-direction spatial frequency of F
// against a reference SF built from the per-pixel maximum absolute source
// differences (over all N sources). Every direction divides by the full
// pixel count M*N; the diagonal squared sums carry sqrt(2)/2. The
// square-root-then-square of the fused terms is kept as in the reference.
func qSF(s *scene) (float64, error) {
	mn := float64(s.w * s.h)
	wd := math.Sqrt(2) / 2
	fs := sfSums([][]float64{s.fus}, s.w, s.h)
	rs := sfSums(s.src, s.w, s.h)
	sfF, sfR := 0.0, 0.0
	for d, dir := range sfDirs {
		fv, rv := fs[d]/mn, rs[d]/mn
		if dir.diag {
			fv, rv = wd*fs[d]/mn, wd*rs[d]/mn
		}
		t := math.Sqrt(fv)
		sfF += t * t
		sfR += rv
	}
	sfF, sfR = math.Sqrt(sfF), math.Sqrt(sfR)
	if sfR == 0 {
		return 0, errf("all sources are constant: reference spatial frequency is 0")
	}
	return (sfF - sfR) / sfR, nil
}

// spatialFrequency is SF = sqrt(RF^2 + CF^2) of the fused image, with RF
// and CF the root mean squared horizontal and vertical first differences,
// both divided by the full pixel count M*N (Eskicioglu & Fisher 1995).
func spatialFrequency(s *scene) (float64, error) {
	return sfOf(s.fus, s.w, s.h), nil
}

// sfOf is the spatial frequency sqrt(RF^2 + CF^2) of one h x w plane.
func sfOf(p []float64, w, h int) float64 {
	fs := sfSums([][]float64{p}, w, h)
	mn := float64(w * h)
	return math.Sqrt(fs[0]/mn + fs[1]/mn)
}

func init() {
	register(Metric{
		Name:        "Q_SF",
		Description: "relative spatial-frequency error (SF_F - SF_R)/SF_R, 0 is ideal",
		Citation:    "Zheng, Essock, Hansen, Haun, Inf. Fusion 8 2007; Zheng Liu toolbox metricZheng(A,B,F)",
		Better:      CloserToZero,
	}, qSF)
	register(Metric{
		Name:        "SF",
		Description: "spatial frequency of the fused image, sqrt(RF^2 + CF^2)",
		Citation:    "Eskicioglu & Fisher, IEEE Trans. Commun. 43(12) 1995",
		Better:      HigherIsBetter,
	}, spatialFrequency)
}
