package data

import (
	"fmt"
	"math"
)

// BlurKind selects the point-spread function of a synthetic defocus Blur.
type BlurKind int

const (
	// BlurGaussian is a Gaussian point-spread function, the usual MFIF
	// training-pair model (see VOCBlur).
	BlurGaussian BlurKind = iota
	// BlurDisk is a uniform disk (pillbox), the geometric-optics model of an
	// out-of-focus thin lens with a circular aperture.
	BlurDisk
)

// Blur is one synthetic defocus: a Gaussian of standard deviation Sigma
// (kernel size KSize, 0 for MATLAB imgaussfilt's 2*ceil(2*sigma)+1) or a
// disk of radius Radius pixels. Borders are replicated in both cases.
type Blur struct {
	Kind   BlurKind
	Sigma  float64
	KSize  int
	Radius float64
}

// Apply returns m blurred by b (every plane, not rounded, Depth kept).
func (b Blur) Apply(m *Image) *Image {
	if b.Kind == BlurDisk {
		return DiskBlur(m, b.Radius)
	}
	return GaussianBlur(m, b.Sigma, b.KSize)
}

// String describes the blur as gauss(sigma) or disk(radius), the form
// written to benchmark manifests.
func (b Blur) String() string {
	if b.Kind == BlurDisk {
		return fmt.Sprintf("disk(%.3g)", b.Radius)
	}
	if b.KSize > 0 {
		return fmt.Sprintf("gauss(%.3g k%d)", b.Sigma, b.KSize)
	}
	return fmt.Sprintf("gauss(%.3g)", b.Sigma)
}

// diskSubsamples is the number of sub-pixel samples per axis used to
// integrate the disk over each kernel cell.
const diskSubsamples = 16

// DiskKernel returns the normalised pillbox kernel of the given radius as a
// side x side row-major array, side = 2*ceil(radius)+1: each cell holds the
// share of its unit square inside the disk (integrated on a 16x16 sub-pixel
// grid), so the rim is anti-aliased as in MATLAB's fspecial('disk'). A
// radius below 0.5 (or not finite) gives the identity kernel [1].
func DiskKernel(radius float64) (k []float64, side int) {
	if !(radius >= 0.5) || math.IsInf(radius, 0) {
		return []float64{1}, 1
	}
	r := int(math.Ceil(radius))
	side = 2*r + 1
	k = make([]float64, side*side)
	r2 := radius * radius
	sum := 0.0
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			in := 0
			for sy := 0; sy < diskSubsamples; sy++ {
				py := float64(y) - 0.5 + (float64(sy)+0.5)/diskSubsamples
				for sx := 0; sx < diskSubsamples; sx++ {
					px := float64(x) - 0.5 + (float64(sx)+0.5)/diskSubsamples
					if px*px+py*py <= r2 {
						in++
					}
				}
			}
			v := float64(in) / (diskSubsamples * diskSubsamples)
			k[(y+r)*side+x+r] = v
			sum += v
		}
	}
	for i := range k {
		k[i] /= sum
	}
	return k, side
}

// DiskBlur convolves every plane with DiskKernel(radius), replicating the
// border samples. The result is not rounded; Depth is kept.
func DiskBlur(m *Image, radius float64) *Image {
	k, side := DiskKernel(radius)
	if side == 1 || m.W == 0 || m.H == 0 {
		return m.Clone()
	}
	r := side / 2
	type tap struct {
		off int
		w   float64
	}
	pw := m.W + 2*r
	var taps []tap
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			if w := k[y*side+x]; w != 0 {
				taps = append(taps, tap{y*pw + x, w})
			}
		}
	}
	xi := borderIndex(m.W, r, BorderReplicate)
	yi := borderIndex(m.H, r, BorderReplicate)
	pad := make([]float64, pw*(m.H+2*r))
	out := &Image{W: m.W, H: m.H, Depth: m.Depth, Planes: make([][]float64, m.C())}
	for c, p := range m.Planes {
		for py, sy := range yi {
			row := pad[py*pw : (py+1)*pw]
			src := p[sy*m.W : (sy+1)*m.W]
			for px, sx := range xi {
				row[px] = src[sx]
			}
		}
		o := make([]float64, m.W*m.H)
		for y := 0; y < m.H; y++ {
			for x := 0; x < m.W; x++ {
				base := y*pw + x
				s := 0.0
				for _, t := range taps {
					s += t.w * pad[base+t.off]
				}
				o[y*m.W+x] = s
			}
		}
		out.Planes[c] = o
	}
	return out
}

// regionSample builds a multi-focus training sample from a sharp photo and
// a binary focus region fg (one plane, values 0 and 1): source 1 is img on
// fg and bgBlur(img) elsewhere, source 2 is fgBlur(img) on fg and img
// elsewhere (each rounded to 8 bits), Target is fg, Ignore is passed
// through (nil when every pixel counts) and Truth is img. The composite is
// hard, so Target is exact for every pixel. It is the one synthesiser
// behind the VOC and BSDS training sets and the BSDS benchmark; with
// spread it composes the layers as layeredSources does.
func regionSample(img, fg, ignore *Image, bgBlur, fgBlur Blur, spread bool) Sample {
	var srcs []*Image
	if spread {
		srcs = layeredSources(img, fg, bgBlur, fgBlur)
	} else {
		bb := bgBlur.Apply(img)
		fb := bb
		if fgBlur != bgBlur {
			fb = fgBlur.Apply(img)
		}
		srcs = []*Image{composite(img, bb, fg, false), composite(img, fb, fg, true)}
	}
	return Sample{Sources: srcs, Target: fg, Ignore: ignore, Truth: img}
}

// layeredSources composes the two sources as a two-layer scene in which
// the focus region fg is the near layer, the defocus-spread model of
// α-matte synthesis (Wang et al., "MFIF-GAN", Signal Processing: Image
// Communication 96, 2021; the effect is what the MFFW set was built to
// show, Xu et al., 2020):
//
//   - source 1 (near layer sharp): img on fg; elsewhere the far layer alone,
//     blurred by normalised convolution, bgBlur((1−fg)·img) / bgBlur(1−fg),
//     so the sharp occluder does not bleed into the blurred background;
//   - source 2 (near layer blurred): fgBlur(fg·img) + (1 − fgBlur(fg))·img,
//     so the blurred near layer spreads over the sharp background by its
//     blur radius, as a defocused occluder does in a real photograph.
//
// Target stays fg: in the spread band outside fg the far layer is still
// sharpest in source 2.
func layeredSources(img, fg *Image, bgBlur, fgBlur Blur) []*Image {
	m := fg.Planes[0]
	near, far := NewImage(img.W, img.H, img.C()), NewImage(img.W, img.H, img.C())
	for c, p := range img.Planes {
		for i, v := range p {
			near.Planes[c][i], far.Planes[c][i] = v*m[i], v*(1-m[i])
		}
	}
	inv := NewImage(fg.W, fg.H, 1)
	for i, v := range m {
		inv.Planes[0][i] = 1 - v
	}
	// Every background pixel weighs itself, so farDen > 0 off fg; on fg the
	// blurred far layer is not used and stays 0.
	farBlur, farDen := bgBlur.Apply(far), bgBlur.Apply(inv).Planes[0]
	for _, p := range farBlur.Planes {
		for i, d := range farDen {
			if d > 1e-6 {
				p[i] /= d
			} else {
				p[i] = 0
			}
		}
	}
	s1 := composite(img, farBlur, fg, false)
	nearBlur, alpha := fgBlur.Apply(near), fgBlur.Apply(fg).Planes[0]
	s2 := NewImage(img.W, img.H, img.C())
	s2.Depth = 8
	for c, p := range img.Planes {
		for i, v := range p {
			s2.Planes[c][i] = RoundSat255(nearBlur.Planes[c][i] + (1-alpha[i])*v)
		}
	}
	return []*Image{s1, s2}
}
