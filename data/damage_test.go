package data

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// testJPEG encodes a w x h colour gradient at quality 90.
func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(3 * x), uint8(5 * y), uint8(x ^ y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpegEnc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scanStart returns the offset of the first byte after the SOS segment.
func scanStart(t testing.TB, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte{0xFF, 0xDA})
	if i < 0 {
		t.Fatal("no SOS marker")
	}
	return i + 2 + int(binary.BigEndian.Uint16(b[i+2:]))
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestJPEGDamageIsAnError covers the damage libjpeg only warns about and
// pads with gray: every case that loses pixels must fail, naming the file.
func TestJPEGDamageIsAnError(t *testing.T) {
	full := testJPEG(t, 96, 64)
	sos := bytes.Index(full, []byte{0xFF, 0xDA})
	scan := scanStart(t, full)
	mid := scan + (len(full)-scan)/2
	eoi := []byte{0xFF, 0xD9}
	padded := join(full[:sos], []byte{0x00, 0x00}, full[sos:]) // 2 extraneous bytes before SOS
	pmid := mid + 2
	tests := []struct {
		name string
		data []byte
		want error // nil: must decode
		msg  string
	}{
		{"intact", full, nil, ""},
		{"extraneous bytes before a marker are harmless", padded, nil, ""},
		{"file cut in the scan", full[:mid], ErrTruncated, "Premature end of JPEG file"},
		{"scan cut, EOI kept", join(full[:mid], eoi), ErrTruncated, "premature end of data segment"},
		{"harmless warning first, then scan cut", join(padded[:pmid], eoi), ErrTruncated, "premature end of data segment"},
		{"file cut right after SOS", full[:scan], ErrTruncated, "remature end"},
		{"header only", full[:sos], nil, "jpeg"},
	}
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.Repeat("x", i+1)+".jpg")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := ReadImage(path)
			if tc.msg == "" {
				if err != nil || m.W != 96 || m.H != 64 || m.C() != 3 {
					t.Fatalf("want a 96x64 colour image, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("decoded %dx%d without an error", m.W, m.H)
			}
			// Go's image/jpeg (purego builds) calls some of these corrupt
			// rather than truncated; an error is what matters there.
			goCorrupt := JPEGDecoder == "go" && errors.Is(err, ErrCorrupt)
			if tc.want != nil && !errors.Is(err, tc.want) && !goCorrupt {
				t.Errorf("error %q is not %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), path) || (JPEGDecoder == "libjpeg-turbo" && !strings.Contains(err.Error(), tc.msg)) {
				t.Errorf("error %q should name %s and say %q", err, path, tc.msg)
			}
		})
	}
}

// rawPNG assembles a PNG from raw rows (each already w*bytes-per-pixel
// long; filter type 0 is added), with an optional PLTE chunk.
func rawPNG(t testing.TB, w, h, depth, colorType int, plte []byte, rows [][]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, body []byte) {
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], uint32(len(body)))
		out.Write(hdr[:])
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(body)
		out.WriteString(typ)
		out.Write(body)
		binary.BigEndian.PutUint32(hdr[:], crc.Sum32())
		out.Write(hdr[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), byte(colorType)
	chunk("IHDR", ihdr)
	if plte != nil {
		chunk("PLTE", plte)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	for _, r := range rows {
		zw.Write(append([]byte{0}, r...))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// TestReadImagePNGVariants: gray+alpha is one gray plane (alpha dropped),
// and a palette index past the palette is an error, not black.
func TestReadImagePNGVariants(t *testing.T) {
	const w, h = 5, 3
	ga8, ga16, pal, badPal := make([][]byte, h), make([][]byte, h), make([][]byte, h), make([][]byte, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g := byte(40*y + 7*x)
			ga8[y] = append(ga8[y], g, byte(255-x*50))
			ga16[y] = append(ga16[y], g, g, 0, byte(x))
			pal[y] = append(pal[y], byte((x+y)%2))
			badPal[y] = append(badPal[y], byte((x+y)%2))
		}
	}
	badPal[2][3] = 5
	plte := []byte{10, 20, 30, 200, 100, 0}
	tests := []struct {
		name  string
		data  []byte
		c     int
		depth int
		want  func(x, y int) float64 // plane 0
		err   error
		msg   string
	}{
		{"gray+alpha 8-bit", rawPNG(t, w, h, 8, 4, nil, ga8), 1, 8, func(x, y int) float64 { return float64(40*y + 7*x) }, nil, ""},
		{"gray+alpha 16-bit", rawPNG(t, w, h, 16, 4, nil, ga16), 1, 16, func(x, y int) float64 { return float64(40*y+7*x) * 257 / 257 }, nil, ""},
		{"palette", rawPNG(t, w, h, 8, 3, plte, pal), 3, 8, func(x, y int) float64 { return float64(plte[3*((x+y)%2)]) }, nil, ""},
		{"palette index out of range", rawPNG(t, w, h, 8, 3, plte, badPal), 0, 0, nil, ErrCorrupt, "palette index 5"},
	}
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.Repeat("p", i+1)+".png")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := ReadImage(path)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("error %v: want %v naming %s and saying %q", err, tc.err, path, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.W != w || m.H != h || m.C() != tc.c || m.Depth != tc.depth {
				t.Fatalf("got %dx%d c=%d depth=%d, want c=%d depth=%d", m.W, m.H, m.C(), m.Depth, tc.c, tc.depth)
			}
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					if got, want := m.At(0, x, y), tc.want(x, y); got != want {
						t.Fatalf("(%d,%d) = %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}

// patchPNGSize rewrites the IHDR width and height (and its CRC).
func patchPNGSize(b []byte, w, h int) []byte {
	out := append([]byte(nil), b...)
	binary.BigEndian.PutUint32(out[16:], uint32(w))
	binary.BigEndian.PutUint32(out[20:], uint32(h))
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// patchJPEGSize rewrites the frame header's height and width.
func patchJPEGSize(t testing.TB, b []byte, w, h int) []byte {
	t.Helper()
	out := append([]byte(nil), b...)
	for _, sof := range [][]byte{{0xFF, 0xC0}, {0xFF, 0xC2}} {
		if i := bytes.Index(out, sof); i >= 0 {
			binary.BigEndian.PutUint16(out[i+5:], uint16(h))
			binary.BigEndian.PutUint16(out[i+7:], uint16(w))
			return out
		}
	}
	t.Fatal("no SOF marker")
	return nil
}

// TestReadImageTooLarge: small files declaring huge images are refused from
// their header, before the decoder allocates anything of that size.
func TestReadImageTooLarge(t *testing.T) {
	small := image.NewGray(image.Rect(0, 0, 16, 16))
	tests := []struct {
		name string
		data []byte
		dims string
	}{
		{"png 8192x8192", patchPNGSize(encodeWith(t, small, pngEnc), 8192, 8192), "8192x8192"},
		{"jpeg 8000x8000", patchJPEGSize(t, testJPEG(t, 16, 16), 8000, 8000), "8000x8000"},
		{"bmp 9000x9000", patchBMPSize(encodeWith(t, small, bmpEnc), 9000, 9000), "9000x9000"},
	}
	if MaxPixels != DefaultMaxPixels || DefaultMaxPixels >= 8000*8000 {
		t.Fatalf("MaxPixels %d, default %d: the default must refuse 8000x8000", MaxPixels, DefaultMaxPixels)
	}
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.Repeat("l", i+1))
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadImage(path)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.dims) {
				t.Fatalf("error %v: want ErrTooLarge naming %s and %s", err, path, tc.dims)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
				t.Errorf("allocated %d MB before refusing", got>>20)
			}
			if _, err := ReadLabels(path); !errors.Is(err, ErrTooLarge) {
				t.Errorf("ReadLabels: %v, want ErrTooLarge", err)
			}
		})
	}
}

// patchBMPSize rewrites a BITMAPINFOHEADER's width and height.
func patchBMPSize(b []byte, w, h int) []byte {
	out := append([]byte(nil), b...)
	binary.LittleEndian.PutUint32(out[18:], uint32(w))
	binary.LittleEndian.PutUint32(out[22:], uint32(h))
	return out
}

// TestLoadPairMixedPlanes: a gray infrared source beside a colour visible
// one loads; only the size must agree.
func TestLoadPairMixedPlanes(t *testing.T) {
	dir := t.TempDir()
	gray, rgb := NewImage(8, 6, 1), NewImage(8, 6, 3)
	for i := range gray.Planes[0] {
		gray.Planes[0][i] = float64(i)
		for c := range rgb.Planes {
			rgb.Planes[c][i] = float64(i + c)
		}
	}
	for _, f := range []struct {
		path string
		m    *Image
	}{{"ir/a.png", gray}, {"vi/a.png", rgb}, {"ir/b.png", gray}, {"vi/b.png", NewImage(7, 6, 3)}} {
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteImage(p, f.m, 8); err != nil {
			t.Fatal(err)
		}
	}
	pairs, err := DiscoverPairs(dir)
	if err != nil || len(pairs) != 2 {
		t.Fatalf("discover: %v %v", pairs, err)
	}
	srcs, _, err := LoadPair(pairs[0])
	if err != nil {
		t.Fatalf("mixed gray/colour pair: %v", err)
	}
	if srcs[0].C() != 1 || srcs[1].C() != 3 {
		t.Errorf("planes %d and %d, want 1 and 3", srcs[0].C(), srcs[1].C())
	}
	if _, _, err := LoadPair(pairs[1]); err == nil || !strings.Contains(err.Error(), "size mismatch") || !strings.Contains(err.Error(), "b.png") {
		t.Errorf("size mismatch: %v", err)
	}
}
