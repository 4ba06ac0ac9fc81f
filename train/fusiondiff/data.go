package fusiondiff

import (
	"fmt"
	"math/rand/v2"

	"github.com/mfif/mfif/data"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/nets/layout"
)

// Triplet is one training example as planar float32 RGB in [-1, 1]: the two
// sources and the all-in-focus ground truth, each 3*W*H values (CHW).
type Triplet struct {
	Name       string
	W, H       int
	S1, S2, GT []float32
}

// LoadTriplets reads the first n pairs (0: all) of dir in natural name
// order. In "resize" mode every image is resized to size x size with
// OpenCV's bilinear geometry and rounded to 8 bits, as the reference loader
// (cv2.resize on uint8) does; in "crop" mode images keep their native size
// and must be at least size on each side.
func LoadTriplets(dir string, n, size int, mode string) ([]Triplet, error) {
	pairs, err := data.DiscoverPairs(dir)
	if err != nil {
		return nil, fmt.Errorf("triplets %s: %w", dir, err)
	}
	if n > 0 {
		if n > len(pairs) {
			return nil, fmt.Errorf("triplets %s: %d pairs requested, folder has %d", dir, n, len(pairs))
		}
		pairs = pairs[:n]
	}
	out := make([]Triplet, 0, len(pairs))
	for _, p := range pairs {
		if p.Reference == "" || len(p.Sources) != 2 {
			return nil, fmt.Errorf("triplets %s: pair %q needs two sources and a full_clear reference", dir, p.Name)
		}
		src, ref, err := data.LoadPair(p)
		if err != nil {
			return nil, err
		}
		imgs := []*data.Image{src[0], src[1], ref}
		for i, m := range imgs {
			switch mode {
			case "resize":
				m = data.ResizeBilinearCV(m, size, size)
				for _, pl := range m.Planes {
					for j, v := range pl {
						pl[j] = data.RoundSat255(v)
					}
				}
			case "crop":
				if m.W < size || m.H < size {
					return nil, fmt.Errorf("triplets %s: pair %q is %dx%d, smaller than crop %d", dir, p.Name, m.W, m.H, size)
				}
			default:
				return nil, fmt.Errorf("triplets: unknown mode %q", mode)
			}
			imgs[i] = m
		}
		t := Triplet{Name: p.Name, W: imgs[0].W, H: imgs[0].H}
		t.S1, t.S2, t.GT = layout.Signed(imgs[0], 3), layout.Signed(imgs[1], 3), layout.Signed(imgs[2], 3)
		out = append(out, t)
	}
	return out, nil
}

// batch assembles the conditioning [S1, S2] (B, 6, S, S) and the ground
// truth (B, 3, S, S) of the given samples, cropping at random positions
// drawn from r when the triplets are larger than size.
func batch(ts []Triplet, idx []int, size int, r *rand.Rand) (cond, gt []float32) {
	n := size * size
	cond = make([]float32, 0, len(idx)*6*n)
	gt = make([]float32, 0, len(idx)*3*n)
	for _, i := range idx {
		t := ts[i]
		x0, y0 := 0, 0
		if t.W > size {
			x0 = r.IntN(t.W - size + 1)
		}
		if t.H > size {
			y0 = r.IntN(t.H - size + 1)
		}
		cond = appendCrop(cond, t.S1, t.W, t.H, x0, y0, size)
		cond = appendCrop(cond, t.S2, t.W, t.H, x0, y0, size)
		gt = appendCrop(gt, t.GT, t.W, t.H, x0, y0, size)
	}
	return cond, gt
}

func appendCrop(dst, src []float32, w, h, x0, y0, size int) []float32 {
	for c := 0; c < 3; c++ {
		for y := y0; y < y0+size; y++ {
			off := c*w*h + y*w + x0
			dst = append(dst, src[off:off+size]...)
		}
	}
	return dst
}

// subtractBase replaces every ground truth of the batch (gt: 3 planes of
// size x size per sample; cond: the 6 source planes per sample) by
// d.Residual·(GT − base) with base d.BaseOf the sample's sources.
func subtractBase(gt, cond []float32, size int, d netfd.DiffusionConfig) {
	per := 3 * size * size
	for k := 0; k*per < len(gt); k++ {
		g := gt[k*per : (k+1)*per]
		s1 := cond[2*k*per : (2*k+1)*per]
		s2 := cond[(2*k+1)*per : (2*k+2)*per]
		for i, b := range d.BaseOf(s1, s2, size, size) {
			g[i] = float32(d.Residual * (float64(g[i]) - float64(b)))
		}
	}
}
