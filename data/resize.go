package data

import "math"

// Resize scales every plane to w x h with antialiased bilinear
// interpolation as Pillow's Image.resize(BILINEAR) does it (which is what
// torchvision's Resize applies to PIL images): a triangle filter whose
// support widens by the scale factor when shrinking, centred on
// (i+0.5)*in/out, weights normalised per output sample, rows first then
// columns. Unlike Pillow it keeps full float precision between and after
// the passes; ResizePIL8 reproduces Pillow's 8-bit arithmetic exactly.
// w or h <= 0 gives nil.
func Resize(m *Image, w, h int) *Image {
	if w <= 0 || h <= 0 || m.W <= 0 || m.H <= 0 {
		return nil
	}
	hx := pilCoeffs(m.W, w)
	vy := pilCoeffs(m.H, h)
	out := &Image{W: w, H: h, Depth: m.Depth, Planes: make([][]float64, m.C())}
	tmp := make([]float64, w*m.H)
	for c, p := range m.Planes {
		for y := 0; y < m.H; y++ {
			row := p[y*m.W:]
			for x, f := range hx {
				s := 0.0
				for j, k := range f.k {
					s += k * row[f.min+j]
				}
				tmp[y*w+x] = s
			}
		}
		o := make([]float64, w*h)
		for y, f := range vy {
			for x := 0; x < w; x++ {
				s := 0.0
				for j, k := range f.k {
					s += k * tmp[(f.min+j)*w+x]
				}
				o[y*w+x] = s
			}
		}
		out.Planes[c] = o
	}
	return out
}

// pilFilter is one output sample's input window and weights.
type pilFilter struct {
	min int
	k   []float64
}

// pilCoeffs computes Pillow's resampling windows for the bilinear filter
// (support 1) from n inputs to m outputs.
func pilCoeffs(n, m int) []pilFilter {
	scale := float64(n) / float64(m)
	fs := math.Max(scale, 1)
	support := fs
	fl := make([]pilFilter, m)
	for i := range fl {
		center := (float64(i) + 0.5) * scale
		lo := int(center - support + 0.5) // C truncation, as Pillow
		if lo < 0 {
			lo = 0
		}
		hi := int(center + support + 0.5)
		if hi > n {
			hi = n
		}
		k := make([]float64, hi-lo)
		sum := 0.0
		for j := range k {
			t := math.Abs((float64(j+lo) - center + 0.5) / fs)
			if t < 1 {
				k[j] = 1 - t
			}
			sum += k[j]
		}
		if sum != 0 {
			for j := range k {
				k[j] /= sum
			}
		}
		fl[i] = pilFilter{min: lo, k: k}
	}
	return fl
}

// pilPrecision is Pillow's fixed-point precision for 8-bit resampling.
const pilPrecision = 32 - 8 - 2

// ResizePIL8 is Resize with Pillow's 8-bit arithmetic: weights in 22-bit
// fixed point, a rounded and clipped uint8 result after each pass, and a
// pass skipped when that axis keeps its size. Input samples are first
// rounded to 0..255. For 8-bit images it reproduces PIL's output exactly.
func ResizePIL8(m *Image, w, h int) *Image {
	if w <= 0 || h <= 0 || m.W <= 0 || m.H <= 0 {
		return nil
	}
	out := &Image{W: m.W, H: m.H, Depth: 8, Planes: make([][]float64, m.C())}
	for c, p := range m.Planes {
		q := make([]float64, len(p))
		for i, v := range p {
			q[i] = RoundSat255(v)
		}
		out.Planes[c] = q
	}
	if w != m.W {
		out = pil8Pass(out, pilCoeffs(m.W, w), true)
	}
	if h != m.H {
		out = pil8Pass(out, pilCoeffs(m.H, h), false)
	}
	return out
}

func pil8Pass(m *Image, fl []pilFilter, horizontal bool) *Image {
	w, h := m.W, len(fl)
	if horizontal {
		w, h = len(fl), m.H
	}
	out := &Image{W: w, H: h, Depth: 8, Planes: make([][]float64, m.C())}
	kk := make([][]int64, len(fl))
	for i, f := range fl {
		kk[i] = make([]int64, len(f.k))
		for j, k := range f.k {
			if k < 0 {
				kk[i][j] = int64(math.Trunc(-0.5 + k*(1<<pilPrecision)))
			} else {
				kk[i][j] = int64(math.Trunc(0.5 + k*(1<<pilPrecision)))
			}
		}
	}
	for c, p := range m.Planes {
		o := make([]float64, w*h)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var s int64 = 1 << (pilPrecision - 1)
				if horizontal {
					for j, k := range kk[x] {
						s += int64(p[y*m.W+fl[x].min+j]) * k
					}
				} else {
					for j, k := range kk[y] {
						s += int64(p[(fl[y].min+j)*m.W+x]) * k
					}
				}
				o[y*w+x] = float64(clip8(s))
			}
		}
		out.Planes[c] = o
	}
	return out
}

func clip8(s int64) uint8 {
	switch {
	case s >= 1<<pilPrecision<<8:
		return 255
	case s <= 0:
		return 0
	}
	return uint8(s >> pilPrecision)
}

// ResizeNearest scales with nearest-neighbour sampling at the output pixel
// centres (source index floor((i+0.5)*in/out)), as Pillow's NEAREST; use it
// for label maps and masks. w or h <= 0 gives nil.
func ResizeNearest(m *Image, w, h int) *Image {
	if w <= 0 || h <= 0 || m.W <= 0 || m.H <= 0 {
		return nil
	}
	xs := nearestIndex(m.W, w)
	ys := nearestIndex(m.H, h)
	out := &Image{W: w, H: h, Depth: m.Depth, Planes: make([][]float64, m.C())}
	for c, p := range m.Planes {
		o := make([]float64, w*h)
		for y, sy := range ys {
			for x, sx := range xs {
				o[y*w+x] = p[sy*m.W+sx]
			}
		}
		out.Planes[c] = o
	}
	return out
}

func nearestIndex(n, m int) []int {
	idx := make([]int, m)
	scale := float64(n) / float64(m)
	for i := range idx {
		j := int((float64(i) + 0.5) * scale)
		if j > n-1 {
			j = n - 1
		}
		idx[i] = j
	}
	return idx
}

// ResizeBilinearCV scales with OpenCV's cv2.resize INTER_LINEAR geometry
// (source coordinate (i+0.5)*in/out-0.5, clamped, no antialiasing), which
// the official FusionDiff loader uses. Float precision; OpenCV's own 8-bit
// path uses 11-bit fixed-point weights, so it may differ by one level.
func ResizeBilinearCV(m *Image, w, h int) *Image {
	if w <= 0 || h <= 0 || m.W <= 0 || m.H <= 0 {
		return nil
	}
	x0, x1, fx := cvLinear(m.W, w)
	y0, y1, fy := cvLinear(m.H, h)
	out := &Image{W: w, H: h, Depth: m.Depth, Planes: make([][]float64, m.C())}
	for c, p := range m.Planes {
		o := make([]float64, w*h)
		for y := 0; y < h; y++ {
			r0, r1 := p[y0[y]*m.W:], p[y1[y]*m.W:]
			for x := 0; x < w; x++ {
				a := r0[x0[x]]*(1-fx[x]) + r0[x1[x]]*fx[x]
				b := r1[x0[x]]*(1-fx[x]) + r1[x1[x]]*fx[x]
				o[y*w+x] = a*(1-fy[y]) + b*fy[y]
			}
		}
		out.Planes[c] = o
	}
	return out
}

func cvLinear(n, m int) (i0, i1 []int, f []float64) {
	i0, i1, f = make([]int, m), make([]int, m), make([]float64, m)
	scale := float64(n) / float64(m)
	for i := range f {
		s := (float64(i)+0.5)*scale - 0.5
		j := int(math.Floor(s))
		t := s - float64(j)
		if j < 0 {
			j, t = 0, 0
		}
		if j >= n-1 {
			j, t = n-1, 0
		}
		i0[i], f[i] = j, t
		i1[i] = min(j+1, n-1)
	}
	return
}
