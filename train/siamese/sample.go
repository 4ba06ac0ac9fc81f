package siamese

import (
	"fmt"

	"github.com/mfif/mfif/data"
)

// sample is one training pair as gray planes in [0,1], row-major S×S:
// sources A and B, the decision target (1 where A is the sharp source),
// the ignore mask (1 = excluded from the map loss) and the all-in-focus
// truth.
type sample struct {
	size                     int
	a, b, target, ign, truth []float32
}

// provider yields deterministic samples by index.
type provider interface {
	Len() int
	Get(i int) (*sample, error)
}

// dsProvider adapts a data.Dataset: sources 1 and 2 become A and B (as
// luminance), Target and Ignore carry over, and band > 0 also ignores
// pixels within band px of a hard focus boundary, where the blurred source
// leaks across it and the label is ambiguous.
type dsProvider struct {
	ds   data.Dataset
	band int
}

func (p dsProvider) Len() int { return p.ds.Len() }

func (p dsProvider) Get(i int) (*sample, error) {
	s, err := p.ds.Get(i)
	if err != nil {
		return nil, err
	}
	if len(s.Sources) < 2 || s.Target == nil {
		return nil, fmt.Errorf("sample %d: want two sources and a target", i)
	}
	out, err := fromImages(s.Sources[0], s.Sources[1], s.Target, s.Ignore, s.Truth, p.band)
	if err != nil {
		return nil, fmt.Errorf("sample %d: %w", i, err)
	}
	return out, nil
}

// fromImages converts 0..255 gray (or colour, reduced to gray) images and
// a 0/1 mask into a sample; ignore may be nil, and band > 0 additionally
// ignores pixels within band of a mask edge.
func fromImages(a, b, mask, ignore, truth *data.Image, band int) (*sample, error) {
	if err := data.SameSize(a, b); err != nil {
		return nil, err
	}
	if a.W != a.H {
		return nil, fmt.Errorf("sample is %dx%d, want square", a.W, a.H)
	}
	s := a.W
	out := &sample{size: s}
	var err error
	if out.a, err = a.GrayUnit(); err != nil {
		return nil, err
	}
	if out.b, err = b.GrayUnit(); err != nil {
		return nil, err
	}
	out.truth = out.a
	if truth != nil {
		if out.truth, err = truth.GrayUnit(); err != nil {
			return nil, err
		}
	}
	out.target = make([]float32, s*s)
	out.ign = make([]float32, s*s)
	m := mask.Planes[0]
	for k := range out.target {
		out.target[k] = float32(min(max(m[k], 0), 1))
		if ignore != nil && ignore.Planes[0][k] > 0 {
			out.ign[k] = 1
		}
	}
	if band > 0 {
		markBoundary(m, out.ign, s, band)
	}
	return out, nil
}

// markBoundary sets ign to 1 within r pixels (Chebyshev) of a mask edge.
func markBoundary(mask []float64, ign []float32, s, r int) {
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			v := mask[y*s+x]
			if (x+1 < s && mask[y*s+x+1] != v) || (y+1 < s && mask[(y+1)*s+x] != v) {
				for yy := max(y-r, 0); yy <= min(y+r+1, s-1); yy++ {
					for xx := max(x-r, 0); xx <= min(x+r+1, s-1); xx++ {
						ign[yy*s+xx] = 1
					}
				}
			}
		}
	}
}
