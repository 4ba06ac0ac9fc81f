package data

// DihedralIndex maps pixel (x, y) of a view of a w x h row-major plane
// under transform tf (0..7, the symmetries of the rectangle's square
// grid: bit 4 transposes, bit 1 mirrors x, bit 2 mirrors y, applied in
// that order) to the index of the plane's pixel it shows. The view is
// DihedralSize(tf, w, h). The same index serves both ways: gather with it
// to make the view, scatter with it to bring a per-pixel result on the
// view back to the plane.
func DihedralIndex(tf, x, y, w, h int) int {
	if tf&4 != 0 {
		x, y = y, x
	}
	if tf&1 != 0 {
		x = w - 1 - x
	}
	if tf&2 != 0 {
		y = h - 1 - y
	}
	return y*w + x
}

// DihedralSize returns the width and height of the view of a w x h plane
// under transform tf: transposing transforms (bit 4) swap them.
func DihedralSize(tf, w, h int) (vw, vh int) {
	if tf&4 != 0 {
		return h, w
	}
	return w, h
}
