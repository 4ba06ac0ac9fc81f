package fusiondiff

import (
	"fmt"

	"github.com/mfif/mfif/nets/diffusion"
)

// windowCHW copies the tw x th window at (x0, y0) of every pw-wide plane.
func windowCHW(x []float32, pw, ph, x0, y0, tw, th int) []float32 {
	planes := len(x) / (pw * ph)
	out := make([]float32, 0, planes*tw*th)
	for c := 0; c < planes; c++ {
		for y := y0; y < y0+th; y++ {
			off := c*pw*ph + y*pw + x0
			out = append(out, x[off:off+tw]...)
		}
	}
	return out
}

// tileStarts covers [0, n) with windows of size t overlapping by at least
// overlap; the last window ends at n.
func tileStarts(n, t, overlap int) []int {
	if n <= t {
		return []int{0}
	}
	step := t - overlap
	var s []int
	for x := 0; ; x += step {
		if x+t >= n {
			s = append(s, n-t)
			return s
		}
		s = append(s, x)
	}
}

// ramp weights a tile position: 1 inside, falling linearly over the overlap
// towards the tile edges, never 0, so blended predictions are seamless.
func ramp(i, t, overlap int) float32 {
	d := min(i+1, t-i)
	if d > overlap {
		return 1
	}
	return float32(d) / float32(overlap+1)
}

// tiledPredictor predicts the noise of a pw x ph image tile by tile.
func tiledPredictor(model *Net, cond []float32, pw, ph, tile, overlap int) (diffusion.Predictor, func(), error) {
	tw, th := min(tile, pw), min(tile, ph)
	xs, ys := tileStarts(pw, tw, overlap), tileStarts(ph, th, overlap)
	type piece struct {
		x0, y0 int
		net    *netPredictor
	}
	var pieces []piece
	closeAll := func() {
		for _, p := range pieces {
			p.net.close()
		}
	}
	for _, y0 := range ys {
		for _, x0 := range xs {
			n, err := newNetPredictor(model, windowCHW(cond, pw, ph, x0, y0, tw, th), tw, th)
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			pieces = append(pieces, piece{x0, y0, n})
		}
	}
	// Per-pixel normalisation of the blend weights.
	norm := make([]float32, pw*ph)
	for _, p := range pieces {
		for y := 0; y < th; y++ {
			for x := 0; x < tw; x++ {
				norm[(p.y0+y)*pw+p.x0+x] += ramp(x, tw, overlap) * ramp(y, th, overlap)
			}
		}
	}
	pred := func(x []float32, t int) ([]float32, error) {
		eps := make([]float32, len(x))
		for _, p := range pieces {
			e, err := p.net.predict(windowCHW(x, pw, ph, p.x0, p.y0, tw, th), t)
			if err != nil {
				return nil, fmt.Errorf("tile at (%d, %d): %w", p.x0, p.y0, err)
			}
			for c := 0; c < 3; c++ {
				for y := 0; y < th; y++ {
					for xx := 0; xx < tw; xx++ {
						i := (p.y0+y)*pw + p.x0 + xx
						eps[c*pw*ph+i] += e[c*tw*th+y*tw+xx] * ramp(xx, tw, overlap) * ramp(y, th, overlap) / norm[i]
					}
				}
			}
		}
		return eps, nil
	}
	return pred, closeAll, nil
}
