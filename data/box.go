package data

import "fmt"

// BoxFilter averages every plane of m over the (2r+1)x(2r+1) window centred
// on each sample; border says what the window sees beyond the edges
// (BorderReplicate, BorderSymmetric, or BorderInside: only the part of the
// window inside the image). A negative r counts as 0. The result is not
// rounded; Depth is kept.
func BoxFilter(m *Image, r int, border Border) *Image {
	r = max(r, 0)
	if border == BorderInside {
		out := &Image{W: m.W, H: m.H, Depth: m.Depth, Planes: make([][]float64, m.C())}
		for c, p := range m.Planes {
			out.Planes[c] = BoxFilterPlane(p, m.W, m.H, r, r)
		}
		return out
	}
	k := make([]float64, 2*r+1)
	for i := range k {
		k[i] = 1 / float64(len(k))
	}
	return SeparableFilter(m, k, border)
}

// BoxFilterPlane is BoxFilter with BorderInside on one w x h row-major
// plane, over the window [x-lo, x+hi] x [y-lo, y+hi] (so even window sizes
// too), in O(w*h) whatever the window, by cumulative sums. It panics if
// len(src) != w*h or a bound is negative, which are programming errors.
func BoxFilterPlane(src []float64, w, h, lo, hi int) []float64 {
	if len(src) != w*h || w < 0 || h < 0 || lo < 0 || hi < 0 {
		panic(fmt.Sprintf("data.BoxFilterPlane: %d samples for a %dx%d image, window [-%d, +%d]", len(src), w, h, lo, hi))
	}
	tmp := make([]float64, w*h)
	pre := make([]float64, max(w, h)+1)
	for y := 0; y < h; y++ {
		row := src[y*w : (y+1)*w]
		for x, v := range row {
			pre[x+1] = pre[x] + v
		}
		for x := 0; x < w; x++ {
			x0, x1 := max(x-lo, 0), min(x+hi, w-1)
			tmp[y*w+x] = (pre[x1+1] - pre[x0]) / float64(x1-x0+1)
		}
	}
	out := make([]float64, w*h)
	col := make([]float64, (h+1)*w)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			col[(y+1)*w+x] = col[y*w+x] + tmp[y*w+x]
		}
	}
	for y := 0; y < h; y++ {
		y0, y1 := max(y-lo, 0), min(y+hi, h-1)
		n := float64(y1 - y0 + 1)
		a, b := col[y0*w:(y0+1)*w], col[(y1+1)*w:(y1+2)*w]
		o := out[y*w : (y+1)*w]
		for x := range o {
			o[x] = (b[x] - a[x]) / n
		}
	}
	return out
}
