package data

import "math"

// Border selects how filters extend an image beyond its edges.
type Border int

const (
	// BorderReplicate repeats the edge sample (aaa|abcd|ddd); MATLAB's
	// imgaussfilt default and OpenCV's BORDER_REPLICATE.
	BorderReplicate Border = iota
	// BorderSymmetric mirrors including the edge sample (cba|abcd|dcb);
	// MATLAB 'symmetric', OpenCV BORDER_REFLECT.
	BorderSymmetric
	// BorderInside extends nothing: a window near the edge averages only
	// the samples inside the image (He et al.'s boxfilter(I) ./
	// boxfilter(ones)). Only BoxFilter takes it; the other filters treat
	// it as BorderReplicate.
	BorderInside
)

// GaussianKernel returns a normalised 1-D Gaussian of odd length ksize.
// ksize <= 0 picks MATLAB imgaussfilt's size 2*ceil(2*sigma)+1; an even
// ksize is raised to the next odd number. sigma <= 0 with ksize > 0 uses
// OpenCV's rule sigma = 0.3*((ksize-1)/2 - 1) + 0.8. It returns [1] when
// neither gives a usable width.
func GaussianKernel(sigma float64, ksize int) []float64 {
	if math.IsNaN(sigma) || math.IsInf(sigma, 0) {
		return []float64{1}
	}
	if ksize <= 0 {
		if sigma <= 0 {
			return []float64{1}
		}
		ksize = 2*int(math.Ceil(2*sigma)) + 1
	}
	if ksize%2 == 0 {
		ksize++
	}
	if sigma <= 0 {
		sigma = 0.3*(float64(ksize-1)*0.5-1) + 0.8
	}
	k := make([]float64, ksize)
	r := ksize / 2
	sum := 0.0
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// GaussianBlur blurs every plane with a separable Gaussian (see
// GaussianKernel for sigma and ksize) and replicated borders. The result is
// not rounded; Depth is kept.
func GaussianBlur(m *Image, sigma float64, ksize int) *Image {
	return GaussianBlurBorder(m, sigma, ksize, BorderReplicate)
}

// GaussianBlurBorder is GaussianBlur with a choice of border handling.
func GaussianBlurBorder(m *Image, sigma float64, ksize int, border Border) *Image {
	return SeparableFilter(m, GaussianKernel(sigma, ksize), border)
}

// SeparableFilter convolves every plane with the odd-length kernel k along
// rows and then columns (k is symmetric in every use here, so convolution
// and correlation agree).
func SeparableFilter(m *Image, k []float64, border Border) *Image {
	out := &Image{W: m.W, H: m.H, Depth: m.Depth, Planes: make([][]float64, m.C())}
	if len(k) <= 1 || m.W == 0 || m.H == 0 {
		return m.Clone()
	}
	r := len(k) / 2
	xi := borderIndex(m.W, r, border)
	yi := borderIndex(m.H, r, border)
	tmp := make([]float64, m.W*m.H)
	pad := make([]float64, m.W+2*r)
	for c, p := range m.Planes {
		for y := 0; y < m.H; y++ {
			row := p[y*m.W : (y+1)*m.W]
			for i, si := range xi {
				pad[i] = row[si]
			}
			dst := tmp[y*m.W : (y+1)*m.W]
			for x := range dst {
				win := pad[x : x+len(k)]
				s := 0.0
				for j, kv := range k {
					s += kv * win[j]
				}
				dst[x] = s
			}
		}
		o := make([]float64, m.W*m.H)
		for y := 0; y < m.H; y++ {
			dst := o[y*m.W : (y+1)*m.W]
			for j, kv := range k {
				src := tmp[yi[y+j]*m.W : (yi[y+j]+1)*m.W]
				for x := range dst {
					dst[x] += kv * src[x]
				}
			}
		}
		out.Planes[c] = o
	}
	return out
}

// borderIndex maps padded positions -r..n-1+r (stored from 0) to source
// indices under the border rule.
func borderIndex(n, r int, border Border) []int {
	idx := make([]int, n+2*r)
	for i := range idx {
		idx[i] = clampIndex(i-r, n, border)
	}
	return idx
}

func clampIndex(i, n int, border Border) int {
	if border == BorderSymmetric && n > 1 {
		period := 2 * n
		i %= period
		if i < 0 {
			i += period
		}
		if i >= n {
			i = period - 1 - i
		}
		return i
	}
	switch {
	case i < 0:
		return 0
	case i >= n:
		return n - 1
	}
	return i
}
