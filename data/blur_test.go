package data

import (
	"fmt"
	"math"
	"testing"
)

func row(vals ...float64) *Image {
	m := NewImage(len(vals), 1, 1)
	copy(m.Planes[0], vals)
	return m
}

func approxEq(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestGaussianKernel(t *testing.T) {
	tests := []struct {
		sigma float64
		ksize int
		n     int
		ratio float64 // k[mid]/k[mid+1] = exp(1/(2 sigma^2))
	}{
		{1, 0, 5, math.Exp(0.5)},
		{2, 0, 9, math.Exp(1.0 / 8)},
		{3, 13, 13, math.Exp(1.0 / 18)},
		{0, 7, 7, math.Exp(1 / (2 * 1.4 * 1.4))}, // OpenCV rule: sigma 1.4
		{1, 4, 5, math.Exp(0.5)},                 // even size raised
	}
	for _, tc := range tests {
		k := GaussianKernel(tc.sigma, tc.ksize)
		if len(k) != tc.n {
			t.Errorf("sigma %v ksize %d: len %d, want %d", tc.sigma, tc.ksize, len(k), tc.n)
			continue
		}
		sum := 0.0
		for i, v := range k {
			sum += v
			if v != k[len(k)-1-i] {
				t.Errorf("kernel not symmetric: %v", k)
			}
		}
		mid := len(k) / 2
		if math.Abs(sum-1) > 1e-12 || math.Abs(k[mid]/k[mid+1]-tc.ratio) > 1e-12 {
			t.Errorf("sigma %v: sum %v ratio %v want %v", tc.sigma, sum, k[mid]/k[mid+1], tc.ratio)
		}
	}
	if k := GaussianKernel(math.NaN(), 5); len(k) != 1 {
		t.Errorf("NaN sigma gave %v", k)
	}
}

func TestSeparableFilterBorders(t *testing.T) {
	k := []float64{0.2, 0.2, 0.2, 0.2, 0.2}
	in := row(1, 2, 3)
	// Replicate: 1 1 | 1 2 3 | 3 3; symmetric: 2 1 | 1 2 3 | 3 2.
	approxEq(t, "replicate", SeparableFilter(in, k, BorderReplicate).Planes[0], []float64{8.0 / 5, 2, 12.0 / 5}, 1e-12)
	approxEq(t, "symmetric", SeparableFilter(in, k, BorderSymmetric).Planes[0], []float64{9.0 / 5, 2, 11.0 / 5}, 1e-12)
	// Columns get the same treatment as rows.
	col := &Image{W: 1, H: 3, Planes: [][]float64{{1, 2, 3}}}
	approxEq(t, "column", SeparableFilter(col, k, BorderSymmetric).Planes[0], []float64{9.0 / 5, 2, 11.0 / 5}, 1e-12)
}

func TestGaussianBlurImpulseAndConstant(t *testing.T) {
	m := NewImage(21, 21, 2)
	m.Set(0, 10, 10, 1)
	for i := range m.Planes[1] {
		m.Planes[1][i] = 77
	}
	b := GaussianBlur(m, 1.5, 0)
	k := GaussianKernel(1.5, 0)
	r := len(k) / 2
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			if got, want := b.At(0, 10+dx, 10+dy), k[r+dx]*k[r+dy]; math.Abs(got-want) > 1e-15 {
				t.Fatalf("impulse response (%d,%d) = %v, want %v", dx, dy, got, want)
			}
		}
	}
	for _, v := range b.Planes[1] {
		if math.Abs(v-77) > 1e-12 {
			t.Fatalf("constant plane changed to %v", v)
		}
	}
	if m.At(0, 10, 10) != 1 {
		t.Error("input modified")
	}
}

func TestResize(t *testing.T) {
	in := row(0, 8, 16, 24, 32, 40, 48, 56)
	// Hand-worked Pillow windows for 8 -> 4: edge weights 3/7,3/7,1/7,
	// interior 1/8,3/8,3/8,1/8.
	got := Resize(in, 4, 1).Planes[0]
	approxEq(t, "down", got, []float64{40.0 / 7, 20, 36, 56 - 40.0/7}, 1e-12)
	// 2 -> 4 upscale is plain bilinear at centres: 0.75/0.25 weights.
	approxEq(t, "up", Resize(row(0, 4), 4, 1).Planes[0], []float64{0, 1, 3, 4}, 1e-12)
	approxEq(t, "cv up", ResizeBilinearCV(row(0, 4), 4, 1).Planes[0], []float64{0, 1, 3, 4}, 1e-12)
	approxEq(t, "nearest", ResizeNearest(row(1, 2, 3, 4), 2, 1).Planes[0], []float64{2, 4}, 0)
	if Resize(in, 0, 3) != nil || ResizeNearest(in, 2, -1) != nil {
		t.Error("non-positive size should give nil")
	}

	// A constant survives any resize; PIL's 8-bit arithmetic stays within
	// one level of the float result.
	m := NewImage(37, 23, 3)
	for c := range m.Planes {
		for i := range m.Planes[c] {
			m.Planes[c][i] = float64((i*31 + c*7) % 256)
		}
	}
	for _, sz := range [][2]int{{256, 256}, {10, 9}, {37, 50}, {18, 23}} {
		f, p := Resize(m, sz[0], sz[1]), ResizePIL8(m, sz[0], sz[1])
		if f.W != sz[0] || f.H != sz[1] || p.W != sz[0] || p.H != sz[1] {
			t.Fatalf("size %v: got %dx%d and %dx%d", sz, f.W, f.H, p.W, p.H)
		}
		for c := range f.Planes {
			for i := range f.Planes[c] {
				if d := math.Abs(RoundSat255(f.Planes[c][i]) - p.Planes[c][i]); d > 1 {
					t.Fatalf("size %v: PIL8 differs by %v", sz, d)
				}
			}
		}
	}
	k := NewImage(5, 7, 1)
	for i := range k.Planes[0] {
		k.Planes[0][i] = 42
	}
	for _, v := range Resize(k, 11, 3).Planes[0] {
		if math.Abs(v-42) > 1e-12 {
			t.Fatalf("constant became %v", v)
		}
	}
}

func BenchmarkGaussianBlur256Sigma3(b *testing.B) {
	m := NewImage(256, 256, 3)
	for c := range m.Planes {
		for i := range m.Planes[c] {
			m.Planes[c][i] = float64(i % 251)
		}
	}
	for b.Loop() {
		GaussianBlur(m, 3, 0)
	}
}

func BenchmarkResize600x440To256(b *testing.B) {
	m := NewImage(600, 440, 3)
	for b.Loop() {
		Resize(m, 256, 256)
	}
}

// TestResizePIL8Golden compares with Pillow 9.4 Image.resize(BILINEAR) on
// an 11x7 gray ramp (x*37 + y*91 + x*y) mod 256; the expected values were
// produced once with Pillow and pasted here.
func TestResizePIL8Golden(t *testing.T) {
	m := NewImage(11, 7, 1)
	for y := 0; y < 7; y++ {
		for x := 0; x < 11; x++ {
			m.Set(0, x, y, float64((x*37+y*91+x*y)%256))
		}
	}
	tests := []struct {
		w, h int
		want []float64
	}{
		{4, 3, []float64{103, 137, 117, 121, 113, 122, 112, 120, 132, 132, 135, 123}},
		{11, 3, []float64{78, 116, 99, 137, 175, 103, 141, 87, 125, 108, 146, 92, 132, 97, 137, 117, 142, 76, 116, 141, 121, 101, 121, 163, 95, 137, 125, 167, 117, 160, 92, 134, 121}},
		{15, 9, []float64{0, 22, 49, 76, 104, 131, 158, 185, 212, 120, 10, 38, 65, 92, 114, 61, 83, 111, 139, 166, 194, 176, 78, 106, 94, 76, 103, 131, 159, 181, 131, 154, 145, 98, 125, 153, 144, 68, 96, 124, 153, 180, 132, 123, 146, 145, 169, 131, 28, 56, 85, 113, 142, 130, 143, 172, 200, 96, 59, 82, 17, 41, 70, 100, 129, 158, 188, 217, 59, 20, 49, 78, 108, 137, 161, 88, 113, 142, 172, 202, 125, 63, 93, 81, 95, 125, 155, 185, 135, 40, 159, 184, 167, 102, 133, 102, 80, 110, 141, 171, 173, 99, 120, 106, 62, 144, 169, 144, 61, 92, 123, 154, 185, 154, 162, 159, 64, 84, 115, 141, 34, 60, 91, 123, 154, 186, 217, 249, 93, 56, 88, 119, 151, 182, 208}},
	}
	for _, tc := range tests {
		approxEq(t, fmt.Sprintf("%dx%d", tc.w, tc.h), ResizePIL8(m, tc.w, tc.h).Planes[0], tc.want, 0)
	}
}
