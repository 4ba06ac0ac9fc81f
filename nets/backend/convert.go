package backend

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/data"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// Range is the value convention of a network tensor relative to the 8-bit
// scale of data.Image (0..255).
type Range int

const (
	// Unit maps 0..255 onto [0, 1]: t = v/255.
	Unit Range = iota
	// Signed maps 0..255 onto [-1, 1]: t = v/127.5 - 1 (diffusion models).
	Signed
	// Raw keeps the 8-bit scale: t = v.
	Raw
)

// String names the range.
func (r Range) String() string {
	switch r {
	case Unit:
		return "[0,1]"
	case Signed:
		return "[-1,1]"
	case Raw:
		return "[0,255]"
	}
	return fmt.Sprintf("Range(%d)", int(r))
}

// Scale maps an 8-bit-scale sample to the range.
func (r Range) Scale(v float64) float64 {
	switch r {
	case Unit:
		return v / 255
	case Signed:
		return v/127.5 - 1
	}
	return v
}

// Unscale maps a tensor value back to the 8-bit scale, clamping to the
// range first so out-of-range network outputs stay valid pixels.
func (r Range) Unscale(t float64) float64 {
	switch r {
	case Unit:
		return 255 * clamp(t, 0, 1)
	case Signed:
		return 127.5 * (clamp(t, -1, 1) + 1)
	}
	return clamp(t, 0, 255)
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func (r Range) valid() error {
	if r < Unit || r > Raw {
		return fmt.Errorf("unknown range %d", int(r))
	}
	return nil
}

// FromImages stacks same-sized images into a float32 CPU tensor of shape
// [N, C, H, W], each sample mapped by r.Scale.
func FromImages(imgs []*data.Image, r Range) (*ts.Tensor, error) {
	if err := r.valid(); err != nil {
		return nil, fmt.Errorf("backend.FromImages: %w", err)
	}
	if len(imgs) == 0 {
		return nil, fmt.Errorf("backend.FromImages: no images")
	}
	first := imgs[0]
	if first == nil || first.W <= 0 || first.H <= 0 || first.C() == 0 {
		return nil, fmt.Errorf("backend.FromImages: image 0 is empty")
	}
	c, hw := first.C(), first.W*first.H
	buf := make([]float32, 0, len(imgs)*c*hw)
	for i, im := range imgs {
		if im == nil {
			return nil, fmt.Errorf("backend.FromImages: image %d is nil", i)
		}
		if err := data.SameSize(first, im); err != nil || im.C() != c {
			return nil, fmt.Errorf("backend.FromImages: image %d is %dx%dx%d, image 0 is %dx%dx%d", i, im.W, im.H, im.C(), first.W, first.H, c)
		}
		for p, plane := range im.Planes {
			if len(plane) != hw {
				return nil, fmt.Errorf("backend.FromImages: image %d plane %d has %d samples, want %d", i, p, len(plane), hw)
			}
			for _, v := range plane {
				buf = append(buf, float32(r.Scale(v)))
			}
		}
	}
	shape := []int64{int64(len(imgs)), int64(c), int64(first.H), int64(first.W)}
	return tensorFromFloat32(buf, shape)
}

// tensorFromFloat32 copies buf into a CPU float32 tensor of the shape.
func tensorFromFloat32(buf []float32, shape []int64) (*ts.Tensor, error) {
	flat, err := ts.OfSlice(buf)
	if err != nil {
		return nil, fmt.Errorf("backend: tensor of %d floats: %w", len(buf), err)
	}
	out, err := flat.View(shape, true)
	if err != nil {
		return nil, fmt.Errorf("backend: view as %v: %w", shape, err)
	}
	return out, nil
}

// ToImage converts sample idx of an [N, C, H, W] tensor (or the tensor
// itself when it is [C, H, W]) into an image on the 8-bit scale, mapping
// values with r.Unscale (so they are clamped to the range). The tensor may
// live on any device and have any floating dtype; it is not modified.
func ToImage(t *ts.Tensor, idx int, r Range) (*data.Image, error) {
	if err := r.valid(); err != nil {
		return nil, fmt.Errorf("backend.ToImage: %w", err)
	}
	shape, err := t.Size()
	if err != nil {
		return nil, fmt.Errorf("backend.ToImage: %w", err)
	}
	batched := len(shape) == 4
	switch len(shape) {
	case 3:
		if idx != 0 {
			return nil, fmt.Errorf("backend.ToImage: index %d of a single [C,H,W] image", idx)
		}
		shape = append([]int64{1}, shape...)
	case 4:
		if idx < 0 || int64(idx) >= shape[0] {
			return nil, fmt.Errorf("backend.ToImage: index %d out of batch of %d", idx, shape[0])
		}
	default:
		return nil, fmt.Errorf("backend.ToImage: want [N,C,H,W] or [C,H,W], got %v", shape)
	}
	c, h, w := int(shape[1]), int(shape[2]), int(shape[3])
	vals, err := sampleValues(t, idx, batched)
	if err != nil {
		return nil, fmt.Errorf("backend.ToImage: %w", err)
	}
	img := data.NewImage(w, h, c)
	for p := 0; p < c; p++ {
		plane := img.Planes[p]
		for i := range plane {
			v := vals[p*h*w+i]
			if math.IsNaN(v) {
				return nil, fmt.Errorf("backend.ToImage: NaN in plane %d", p)
			}
			plane[i] = r.Unscale(v)
		}
	}
	return img, nil
}

// sampleValues copies sample idx (or all of t) to float64 on the host.
func sampleValues(t *ts.Tensor, idx int, sel bool) ([]float64, error) {
	src := t
	if sel {
		s, err := t.Select(0, int64(idx), false)
		if err != nil {
			return nil, err
		}
		defer Drop(s)
		src = s
	}
	return Float64s(src)
}

// Float64s copies all values of t (any device, dtype and layout) into a
// new host slice in C order.
func Float64s(t *ts.Tensor) ([]float64, error) {
	d, err := t.Totype(gotch.Double, false)
	if err != nil {
		return nil, err
	}
	defer Drop(d)
	cpu, err := d.To(gotch.CPU, false)
	if err != nil {
		return nil, err
	}
	defer Drop(cpu)
	vec := make([]float64, cpu.Numel())
	if err := cpu.CopyData(vec, uint(len(vec))); err != nil {
		return nil, err
	}
	return vec, nil
}
