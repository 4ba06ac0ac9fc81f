package data

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// pattern returns a deterministic w x h test value in 0..255 for plane c.
func pattern(c, x, y int) uint8 { return uint8((x*37 + y*91 + c*53 + x*y) % 256) }

// smooth is a low-frequency pattern that JPEG keeps nearly intact.
func smooth(c, x, y int) uint8 { return uint8(60 + 40*c + 2*x + y) }

func encodeWith(t *testing.T, img image.Image, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := enc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngEnc(b *bytes.Buffer, m image.Image) error  { return png.Encode(b, m) }
func bmpEnc(b *bytes.Buffer, m image.Image) error  { return bmp.Encode(b, m) }
func tiffEnc(b *bytes.Buffer, m image.Image) error { return tiff.Encode(b, m, nil) }
func jpegEnc(b *bytes.Buffer, m image.Image) error {
	return jpeg.Encode(b, m, &jpeg.Options{Quality: 100})
}

func TestReadImageFormats(t *testing.T) {
	const w, h = 13, 7
	gray := image.NewGray(image.Rect(0, 0, w, h))
	gray16 := image.NewGray16(image.Rect(0, 0, w, h))
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	rgba64 := image.NewNRGBA64(image.Rect(0, 0, w, h))
	pal := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{
		color.RGBA{10, 20, 30, 255}, color.RGBA{200, 100, 0, 255}, color.RGBA{1, 2, 3, 255}})
	grayPal := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Gray{7}, color.Gray{250}})
	smoothRGB := image.NewRGBA(image.Rect(0, 0, w, h))
	smoothGray := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			gray.SetGray(x, y, color.Gray{pattern(0, x, y)})
			gray16.SetGray16(x, y, color.Gray16{uint16(pattern(0, x, y))*251 + 3})
			// Alpha varies: it must be dropped without touching colour.
			nrgba.SetNRGBA(x, y, color.NRGBA{pattern(0, x, y), pattern(1, x, y), pattern(2, x, y), uint8(x * 19)})
			rgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(x) * 4000, uint16(y) * 9000, 65535, 65535})
			pal.SetColorIndex(x, y, uint8((x+y)%3))
			grayPal.SetColorIndex(x, y, uint8((x+y)%2))
			smoothRGB.SetRGBA(x, y, color.RGBA{smooth(0, x, y), smooth(1, x, y), smooth(2, x, y), 255})
			smoothGray.SetGray(x, y, color.Gray{smooth(0, x, y)})
		}
	}
	want16 := func(c, x, y int) float64 {
		return [3]float64{float64(x * 4000), float64(y * 9000), 65535}[c] / 257
	}
	palRGB := [3][3]float64{{10, 20, 30}, {200, 100, 0}, {1, 2, 3}}
	tests := []struct {
		name  string
		data  []byte
		c     int
		depth int
		tol   float64 // JPEG is lossy
		want  func(c, x, y int) float64
	}{
		{"png gray8", encodeWith(t, gray, pngEnc), 1, 8, 0, func(c, x, y int) float64 { return float64(pattern(0, x, y)) }},
		{"png gray16", encodeWith(t, gray16, pngEnc), 1, 16, 0, func(c, x, y int) float64 { return float64(uint16(pattern(0, x, y))*251+3) / 257 }},
		{"png rgba8 alpha dropped", encodeWith(t, nrgba, pngEnc), 3, 8, 0, func(c, x, y int) float64 { return float64(pattern(c, x, y)) }},
		{"png rgb16", encodeWith(t, rgba64, pngEnc), 3, 16, 0, want16},
		{"png palette", encodeWith(t, pal, pngEnc), 3, 8, 0, func(c, x, y int) float64 { return palRGB[(x+y)%3][c] }},
		{"png gray palette", encodeWith(t, grayPal, pngEnc), 1, 8, 0, func(c, x, y int) float64 { return [2]float64{7, 250}[(x+y)%2] }},
		{"bmp rgb", encodeWith(t, smoothRGB, bmpEnc), 3, 8, 0, func(c, x, y int) float64 { return float64(smooth(c, x, y)) }},
		{"bmp gray", encodeWith(t, gray, bmpEnc), 1, 8, 0, func(c, x, y int) float64 { return float64(pattern(0, x, y)) }},
		{"tiff rgba alpha dropped", encodeWith(t, nrgba, tiffEnc), 3, 8, 0, func(c, x, y int) float64 { return float64(pattern(c, x, y)) }},
		{"tiff gray16", encodeWith(t, gray16, tiffEnc), 1, 16, 0, func(c, x, y int) float64 { return float64(uint16(pattern(0, x, y))*251+3) / 257 }},
		{"jpeg rgb", encodeWith(t, smoothRGB, jpegEnc), 3, 8, 4, func(c, x, y int) float64 { return float64(smooth(c, x, y)) }},
		{"jpeg gray", encodeWith(t, smoothGray, jpegEnc), 1, 8, 2, func(c, x, y int) float64 { return float64(smooth(0, x, y)) }},
	}
	dir := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A misleading extension must not matter: the content decides.
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".img")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := ReadImage(path)
			if err != nil {
				t.Fatal(err)
			}
			if m.W != w || m.H != h || m.C() != tc.c || m.Depth != tc.depth {
				t.Fatalf("got %dx%d c=%d depth=%d, want %dx%d c=%d depth=%d", m.W, m.H, m.C(), m.Depth, w, h, tc.c, tc.depth)
			}
			worst := 0.0
			for c := 0; c < tc.c; c++ {
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						worst = math.Max(worst, math.Abs(m.At(c, x, y)-tc.want(c, x, y)))
					}
				}
			}
			if worst > tc.tol+1e-12 {
				t.Errorf("max |diff| %g > %g", worst, tc.tol)
			}
		})
	}
}

func TestReadImageErrors(t *testing.T) {
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	pngData := encodeWith(t, img, pngEnc)
	jpgData := encodeWith(t, img, jpegEnc)
	tests := []struct {
		name string
		data []byte // nil: file not created
		want error  // nil: only check the message
		msg  string
	}{
		{"missing.png", nil, os.ErrNotExist, "unreadable"},
		{"empty.png", []byte{}, ErrEmpty, "empty"},
		{"notes.png", []byte("this is not an image at all"), ErrUnsupported, "unsupported"},
		{"trunc.png", pngData[:len(pngData)/2], ErrTruncated, "truncated"},
		{"trunc.jpg", jpgData[:len(jpgData)/2], ErrTruncated, "truncated"},
		{"header-only.jpg", jpgData[:20], nil, "jpeg"},
		{"trunc.bmp", encodeWith(t, img, bmpEnc)[:100], ErrTruncated, "truncated"},
		{"gif.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), ErrUnsupported, "unsupported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if tc.data != nil {
				if err := os.WriteFile(path, tc.data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := ReadImage(path)
			if err == nil {
				t.Fatalf("no error, got %dx%d image", m.W, m.H)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %q is not %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q should name %s and say %q", err, path, tc.msg)
			}
		})
	}
}

func TestWriteImageRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := NewImage(5, 4, 3)
	for c := range m.Planes {
		for i := range m.Planes[c] {
			m.Planes[c][i] = float64(i*13+c*50) / 3 // non-integers
		}
	}
	m.Planes[0][0], m.Planes[1][0], m.Planes[2][0] = -7, 300, math.NaN()
	m.Planes[0][1] = 2.5 // half away from zero: 3
	tests := []struct {
		name  string
		m     *Image
		depth int
		c     int
		quant func(v float64) float64
	}{
		{"rgb8", m, 8, 3, RoundSat255},
		{"rgb16", m, 16, 3, func(v float64) float64 { return float64(round16(v)) / 257 }},
		{"gray8", &Image{W: 5, H: 4, Planes: m.Planes[:1]}, 0, 1, RoundSat255},
		{"gray16", &Image{W: 5, H: 4, Planes: m.Planes[1:2], Depth: 16}, 0, 1, func(v float64) float64 { return float64(round16(v)) / 257 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".png")
			if err := WriteImage(path, tc.m, tc.depth); err != nil {
				t.Fatal(err)
			}
			got, err := ReadImage(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.C() != tc.c {
				t.Fatalf("%d planes, want %d", got.C(), tc.c)
			}
			for c := range got.Planes {
				for i, v := range got.Planes[c] {
					if want := tc.quant(tc.m.Planes[c][i]); v != want {
						t.Fatalf("plane %d sample %d: got %v want %v (from %v)", c, i, v, want, tc.m.Planes[c][i])
					}
				}
			}
		})
	}
	if v := RoundSat255(2.5); v != 3 {
		t.Errorf("RoundSat255(2.5) = %v", v)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(tests) {
		t.Errorf("temporary files left behind: %d entries", len(ents))
	}
}

func TestWriteImageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		path  string
		m     *Image
		depth int
	}{
		{"jpeg output", filepath.Join(dir, "a.jpg"), NewImage(2, 2, 1), 8},
		{"bad depth", filepath.Join(dir, "b.png"), NewImage(2, 2, 1), 12},
		{"two planes", filepath.Join(dir, "c.png"), NewImage(2, 2, 2), 8},
		{"empty", filepath.Join(dir, "d.png"), NewImage(0, 0, 1), 8},
		{"no folder", filepath.Join(dir, "nope", "e.png"), NewImage(2, 2, 1), 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteImage(tc.path, tc.m, tc.depth)
			if err == nil || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %v should name %s", err, tc.path)
			}
		})
	}
}

func TestGray16RoundsOn16BitScale(t *testing.T) {
	m := NewImage(1, 1, 3)
	m.Depth = 16
	m.Planes[0][0], m.Planes[1][0], m.Planes[2][0] = 100.2, 100.2, 100.2
	g, err := m.Gray()
	if err != nil {
		t.Fatal(err)
	}
	want := float64(round16(100.2)) / 257
	if math.Abs(g.Planes[0][0]-want) > 1e-12 || g.Planes[0][0] == 100 {
		t.Errorf("16-bit gray = %v, want %v", g.Planes[0][0], want)
	}
	m.Depth = 8
	if g, _ := m.Gray(); g.Planes[0][0] != 100 {
		t.Errorf("8-bit gray = %v, want 100", g.Planes[0][0])
	}
}

func TestReadLabelsKeepsPaletteIndices(t *testing.T) {
	p := image.NewPaletted(image.Rect(0, 0, 4, 1), vocLikePalette())
	copy(p.Pix, []uint8{0, 1, 15, 255})
	path := filepath.Join(t.TempDir(), "l.png")
	if err := os.WriteFile(path, encodeWith(t, p, pngEnc), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{0, 1, 15, 255} {
		if m.Planes[0][i] != want {
			t.Errorf("label %d = %v, want %v", i, m.Planes[0][i], want)
		}
	}
}

// vocLikePalette is a 256-entry colour palette (entry 255 light gray as in
// VOC, others arbitrary distinct colours).
func vocLikePalette() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		p[i] = color.RGBA{uint8(i * 3), uint8(i * 5), uint8(i * 7), 255}
	}
	p[0] = color.RGBA{0, 0, 0, 255}
	p[255] = color.RGBA{224, 224, 192, 255}
	return p
}

// BenchmarkDecodeJPEG520 decodes a 520x520 colour JPEG (Lytro size) with
// the compiled-in decoder.
func BenchmarkDecodeJPEG520(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 520, 520))
	for i := range img.Pix {
		img.Pix[i] = uint8((i*i)>>7 + i/2080)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeImage(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestReadImageMaxPixels(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 30, 20))
	dir := t.TempDir()
	files := map[string][]byte{
		"a.png": encodeWith(t, img, pngEnc),
		"a.jpg": encodeWith(t, img, jpegEnc),
		"a.bmp": encodeWith(t, img, bmpEnc),
	}
	old := MaxPixels
	MaxPixels = 599
	defer func() { MaxPixels = old }()
	for name, b := range files {
		path := filepath.Join(dir, name)
		os.WriteFile(path, b, 0o644)
		if _, err := ReadImage(path); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "30x20") {
			t.Errorf("%s: %v", name, err)
		}
	}
	MaxPixels = 600
	for name := range files {
		if _, err := ReadImage(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s at the limit: %v", name, err)
		}
	}
}
