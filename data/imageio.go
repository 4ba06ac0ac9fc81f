package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/mfif/mfif/internal/atomicfile"
)

// Sentinel errors wrapped by ReadImage and WriteImage; test with errors.Is.
var (
	// ErrEmpty reports a zero-length file or an image with no pixels.
	ErrEmpty = errors.New("empty file")
	// ErrTruncated reports a file that ends before the image data does.
	ErrTruncated = errors.New("truncated image data")
	// ErrUnsupported reports a file that is not PNG, JPEG, BMP or TIFF, or a
	// variant of those the reader does not handle (for example CMYK JPEG).
	ErrUnsupported = errors.New("unsupported image format")
	// ErrCorrupt reports a file whose header is recognised but whose data
	// cannot be decoded, or decodes only with invented pixels (a damaged
	// JPEG scan, a palette index past the end of the palette).
	ErrCorrupt = errors.New("corrupt image data")
	// ErrTooLarge reports a file whose header declares more than MaxPixels
	// pixels; nothing is decoded.
	ErrTooLarge = errors.New("image too large")
)

// format names a container detected from the file's leading bytes.
type format string

const (
	fmtPNG  format = "png"
	fmtJPEG format = "jpeg"
	fmtBMP  format = "bmp"
	fmtTIFF format = "tiff"
)

// sniff identifies the format from magic bytes, never from the extension,
// so a mislabelled file is still read correctly.
func sniff(b []byte) (format, bool) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return fmtPNG, true
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return fmtJPEG, true
	case bytes.HasPrefix(b, []byte("BM")):
		return fmtBMP, true
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return fmtTIFF, true
	}
	return "", false
}

// ReadImage reads a PNG, JPEG, BMP or TIFF file (format detected from its
// content) into an Image on the 8-bit scale.
//
// Gray files (including gray+alpha PNGs, and palette files whose palette is
// all gray) give one plane; everything else gives three RGB planes. An
// alpha channel is dropped: the stored gray or colour values are kept as
// they are, not composited on a background, which is what MATLAB's imread
// returns as the image. 16-bit files keep their full precision divided by
// 257 and set Depth to 16. JPEG is decoded by libjpeg-turbo when built with
// cgo (see jpeg_turbo.go), so pixels equal those of MATLAB, OpenCV and
// Pillow.
//
// Damage is an error naming the file, never a silently padded image: a JPEG
// whose data ends early or is corrupt (ErrTruncated, ErrCorrupt), a palette
// index past the end of the palette (ErrCorrupt). The declared size is
// checked against MaxPixels before any pixel is decoded (ErrTooLarge).
func ReadImage(path string) (*Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: unreadable: %w", path, err)
	}
	m, err := DecodeImage(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return m, nil
}

// DecodeImage decodes an in-memory file as ReadImage does.
func DecodeImage(b []byte) (*Image, error) {
	if len(b) == 0 {
		return nil, ErrEmpty
	}
	f, ok := sniff(b)
	if !ok {
		return nil, fmt.Errorf("%w (not PNG, JPEG, BMP or TIFF)", ErrUnsupported)
	}
	if f == fmtJPEG {
		return decodeJPEG(b)
	}
	if _, _, err := checkSize(f, b); err != nil {
		return nil, err
	}
	img, err := decodeStd(f, b)
	if err != nil {
		return nil, classify(f, err)
	}
	if err := checkPalette(f, b, img); err != nil {
		return nil, err
	}
	if f == fmtPNG && pngColorType(b) == pngGrayAlpha {
		return fromGrayAlpha(img)
	}
	return fromImage(img)
}

// DefaultMaxPixels is the default of MaxPixels: 25 megapixels, e.g. 5000 x
// 5000 or a 24-megapixel 6000 x 4000 camera frame, far above the
// multi-focus benchmarks (Lytro 520 x 520, MFFW and MFI-WHU below 2
// megapixels). One colour image of that size takes 600 MB as float64
// planes, so a pair, its fused image and a method's working copies still fit
// in a few gigabytes.
const DefaultMaxPixels = 25_000_000

// MaxPixels bounds width x height of a file, checked from its header before
// any pixel is decoded, so a small file declaring a huge image (or a
// corrupt header) cannot make the reader allocate gigabytes. Raise it for
// larger images (the mfif command has --max-pixels); set it before reading,
// not while reads are running.
var MaxPixels = DefaultMaxPixels

// tooLarge is the ErrTooLarge error for a w x h header.
func tooLarge(f format, w, h int) error {
	return fmt.Errorf("%s: %w: %dx%d is %d pixels, over the limit of %d (raise it with --max-pixels or data.MaxPixels)",
		f, ErrTooLarge, w, h, int64(w)*int64(h), MaxPixels)
}

// checkSize reads the header of a PNG, BMP or TIFF file, rejects images
// without pixels or over MaxPixels and returns the declared size.
func checkSize(f format, b []byte) (w, h int, err error) {
	if f == fmtPNG && len(b) >= 24 && string(b[12:16]) == "IHDR" {
		// Go's decoder says only "non-positive dimension".
		if w, h := binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:]); w == 0 || h == 0 {
			return 0, 0, fmt.Errorf("%s: %w: the header declares %dx%d pixels (width and height must be at least 1)", f, ErrEmpty, w, h)
		}
	}
	r := bytes.NewReader(b)
	var cfg image.Config
	switch f {
	case fmtPNG:
		cfg, err = png.DecodeConfig(r)
	case fmtBMP:
		cfg, err = bmp.DecodeConfig(r)
	default:
		cfg, err = tiff.DecodeConfig(r)
	}
	if err != nil {
		return 0, 0, classify(f, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, fmt.Errorf("%s: %w: the header declares %dx%d pixels (width and height must be at least 1)", f, ErrEmpty, cfg.Width, cfg.Height)
	}
	if float64(cfg.Width)*float64(cfg.Height) > float64(MaxPixels) {
		return 0, 0, tooLarge(f, cfg.Width, cfg.Height)
	}
	return cfg.Width, cfg.Height, nil
}

func decodeStd(f format, b []byte) (image.Image, error) {
	r := bytes.NewReader(b)
	switch f {
	case fmtPNG:
		return png.Decode(r)
	case fmtBMP:
		return bmp.Decode(r)
	default:
		return tiff.Decode(r)
	}
}

// classify maps a decoder error onto the package's sentinels while keeping
// the decoder's own message.
func classify(f format, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		strings.Contains(msg, "unexpected EOF"), strings.Contains(msg, "short"),
		strings.Contains(msg, "not enough pixel data"):
		return fmt.Errorf("%s: %w: %v", f, ErrTruncated, err)
	case strings.Contains(msg, "unsupported"):
		return fmt.Errorf("%s: %w: %v", f, ErrUnsupported, err)
	}
	return fmt.Errorf("%s: %w: %v", f, ErrCorrupt, err)
}

// fromImage copies a decoded image.Image into planes without going through
// the premultiplied color.RGBA64 path, so 8-bit values stay exact.
func fromImage(img image.Image) (*Image, error) {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w <= 0 || h <= 0 {
		return nil, ErrEmpty
	}
	switch s := img.(type) {
	case *image.Gray:
		return fromGray8(s.Pix, s.Stride, w, h), nil
	case *image.Gray16:
		return fromGray16(s.Pix, s.Stride, w, h), nil
	case *image.RGBA:
		return fromRGB8(s.Pix, s.Stride, w, h), nil
	case *image.NRGBA:
		return fromRGB8(s.Pix, s.Stride, w, h), nil
	case *image.RGBA64:
		return fromRGB16(s.Pix, s.Stride, w, h), nil
	case *image.NRGBA64:
		return fromRGB16(s.Pix, s.Stride, w, h), nil
	case *image.Paletted:
		return fromPaletted(s, w, h), nil
	case *image.YCbCr:
		return fromYCbCr(s, w, h), nil
	}
	return fromGeneric(img, w, h), nil
}

func fromGray8(pix []byte, stride, w, h int) *Image {
	m := NewImage(w, h, 1)
	m.Depth = 8
	for y := 0; y < h; y++ {
		row := pix[y*stride:]
		for x := 0; x < w; x++ {
			m.Planes[0][y*w+x] = float64(row[x])
		}
	}
	return m
}

func fromGray16(pix []byte, stride, w, h int) *Image {
	m := NewImage(w, h, 1)
	m.Depth = 16
	for y := 0; y < h; y++ {
		row := pix[y*stride:]
		for x := 0; x < w; x++ {
			m.Planes[0][y*w+x] = float64(uint16(row[2*x])<<8|uint16(row[2*x+1])) / 257
		}
	}
	return m
}

// fromRGB8 reads 4-byte RGBA/NRGBA pixels; alpha is ignored.
func fromRGB8(pix []byte, stride, w, h int) *Image {
	m := NewImage(w, h, 3)
	m.Depth = 8
	for y := 0; y < h; y++ {
		row := pix[y*stride:]
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				m.Planes[c][y*w+x] = float64(row[4*x+c])
			}
		}
	}
	return m
}

// fromRGB16 reads 8-byte big-endian RGBA64/NRGBA64 pixels; alpha is ignored.
func fromRGB16(pix []byte, stride, w, h int) *Image {
	m := NewImage(w, h, 3)
	m.Depth = 16
	for y := 0; y < h; y++ {
		row := pix[y*stride:]
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				v := uint16(row[8*x+2*c])<<8 | uint16(row[8*x+2*c+1])
				m.Planes[c][y*w+x] = float64(v) / 257
			}
		}
	}
	return m
}

// fromPaletted expands palette indices to colours; an all-gray palette
// (the usual 8-bit gray BMP) gives one plane.
func fromPaletted(p *image.Paletted, w, h int) *Image {
	type rgb struct{ r, g, b uint8 }
	pal := make([]rgb, 256)
	gray := true
	for i, c := range p.Palette {
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		pal[i] = rgb{n.R, n.G, n.B}
		gray = gray && n.R == n.G && n.G == n.B
	}
	c := 3
	if gray {
		c = 1
	}
	m := NewImage(w, h, c)
	m.Depth = 8
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			e := pal[p.Pix[y*p.Stride+x]]
			m.Planes[0][y*w+x] = float64(e.r)
			if c == 3 {
				m.Planes[1][y*w+x] = float64(e.g)
				m.Planes[2][y*w+x] = float64(e.b)
			}
		}
	}
	return m
}

// fromYCbCr converts Go's JPEG output with the standard 8-bit JFIF
// conversion (color.YCbCrToRGB), as image/jpeg users get it.
func fromYCbCr(p *image.YCbCr, w, h int) *Image {
	m := NewImage(w, h, 3)
	m.Depth = 8
	r := p.Rect
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			yi, ci := p.YOffset(r.Min.X+x, r.Min.Y+y), p.COffset(r.Min.X+x, r.Min.Y+y)
			R, G, B := color.YCbCrToRGB(p.Y[yi], p.Cb[ci], p.Cr[ci])
			i := y*w + x
			m.Planes[0][i], m.Planes[1][i], m.Planes[2][i] = float64(R), float64(G), float64(B)
		}
	}
	return m
}

// fromGeneric handles the remaining decoder outputs (CMYK, ...) through
// 8-bit non-premultiplied colour.
func fromGeneric(img image.Image, w, h int) *Image {
	r := img.Bounds()
	gray := img.ColorModel() == color.GrayModel || img.ColorModel() == color.Gray16Model
	c := 3
	if gray {
		c = 1
	}
	m := NewImage(w, h, c)
	m.Depth = 8
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := color.NRGBAModel.Convert(img.At(r.Min.X+x, r.Min.Y+y)).(color.NRGBA)
			i := y*w + x
			m.Planes[0][i] = float64(n.R)
			if c == 3 {
				m.Planes[1][i] = float64(n.G)
				m.Planes[2][i] = float64(n.B)
			}
		}
	}
	return m
}

// ReadLabels reads a label image: for palette PNG/BMP/TIFF files (such as
// VOC2012 SegmentationClass) it returns the raw palette indices as one
// plane; for any other file it returns the gray image (RGB is converted with
// Gray).
func ReadLabels(path string) (*Image, error) { return readLabels(path, false) }

// readLabels is ReadLabels; with raw16 a 16-bit gray PNG keeps its raw
// values 0..65535 (ReadSegments).
func readLabels(path string, raw16 bool) (*Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read labels %s: unreadable: %w", path, err)
	}
	if f, ok := sniff(b); ok && f != fmtJPEG {
		if _, _, err := checkSize(f, b); err != nil {
			return nil, fmt.Errorf("read labels %s: %w", path, err)
		}
		img, err := decodeStd(f, b)
		if err != nil {
			return nil, fmt.Errorf("read labels %s: %w", path, classify(f, err))
		}
		if p, ok := img.(*image.Paletted); ok {
			w, h := p.Rect.Dx(), p.Rect.Dy()
			if w <= 0 || h <= 0 {
				return nil, fmt.Errorf("read labels %s: %w", path, ErrEmpty)
			}
			return fromGray8(p.Pix, p.Stride, w, h), nil
		}
		if g, ok := img.(*image.Gray16); ok && raw16 {
			w, h := g.Rect.Dx(), g.Rect.Dy()
			if w <= 0 || h <= 0 {
				return nil, fmt.Errorf("read labels %s: %w", path, ErrEmpty)
			}
			m := NewImage(w, h, 1)
			m.Depth = 16
			for y := 0; y < h; y++ {
				row := g.Pix[y*g.Stride:]
				for x := 0; x < w; x++ {
					m.Planes[0][y*w+x] = float64(uint16(row[2*x])<<8 | uint16(row[2*x+1]))
				}
			}
			return m, nil
		}
	}
	m, err := DecodeImage(b)
	if err != nil {
		return nil, fmt.Errorf("read labels %s: %w", path, err)
	}
	g, err := m.Gray()
	if err != nil {
		return nil, fmt.Errorf("read labels %s: %w", path, err)
	}
	return g, nil
}

// WriteImage writes m as a PNG file at the given bit depth (8 or 16; 0 means
// m.Depth, or 8 when that is unset). One plane gives a gray PNG, three an
// RGB PNG. Samples are rounded half away from zero and saturated. The file
// is written to a temporary name in the same folder and renamed, so readers
// never see a partial file.
func WriteImage(path string, m *Image, depth int) error {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".png" {
		return fmt.Errorf("write %s: %w: only .png output is supported, got %q", path, ErrUnsupported, ext)
	}
	img, err := toImage(m, depth)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("write %s: encode: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// toImage converts planes to a Go image for encoding.
func toImage(m *Image, depth int) (image.Image, error) {
	if m == nil || m.W <= 0 || m.H <= 0 {
		return nil, ErrEmpty
	}
	if depth == 0 {
		depth = m.Depth
		if depth == 0 {
			depth = 8
		}
	}
	if depth != 8 && depth != 16 {
		return nil, fmt.Errorf("%w: bit depth %d (want 8 or 16)", ErrUnsupported, depth)
	}
	if m.C() != 1 && m.C() != 3 {
		return nil, fmt.Errorf("%w: %d planes (want 1 or 3)", ErrUnsupported, m.C())
	}
	for c, p := range m.Planes {
		if len(p) != m.W*m.H {
			return nil, fmt.Errorf("plane %d has %d samples, want %d", c, len(p), m.W*m.H)
		}
	}
	r := image.Rect(0, 0, m.W, m.H)
	n := m.W * m.H
	switch {
	case m.C() == 1 && depth == 8:
		g := image.NewGray(r)
		for i := 0; i < n; i++ {
			g.Pix[i] = uint8(RoundSat255(m.Planes[0][i]))
		}
		return g, nil
	case m.C() == 1:
		g := image.NewGray16(r)
		for i := 0; i < n; i++ {
			v := round16(m.Planes[0][i])
			g.Pix[2*i], g.Pix[2*i+1] = uint8(v>>8), uint8(v)
		}
		return g, nil
	case depth == 8:
		g := image.NewNRGBA(r)
		for i := 0; i < n; i++ {
			for c := 0; c < 3; c++ {
				g.Pix[4*i+c] = uint8(RoundSat255(m.Planes[c][i]))
			}
			g.Pix[4*i+3] = 255
		}
		return g, nil
	default:
		g := image.NewNRGBA64(r)
		for i := 0; i < n; i++ {
			for c := 0; c < 3; c++ {
				v := round16(m.Planes[c][i])
				g.Pix[8*i+2*c], g.Pix[8*i+2*c+1] = uint8(v>>8), uint8(v)
			}
			g.Pix[8*i+6], g.Pix[8*i+7] = 0xFF, 0xFF
		}
		return g, nil
	}
}

// round16 maps an 8-bit-scale sample to the 16-bit code (x257), rounded
// half away from zero and saturated to 0..65535; NaN maps to 0.
func round16(v float64) uint16 {
	s := v * 257
	switch {
	case s != s, s <= 0:
		return 0
	case s >= 65535:
		return 65535
	}
	return uint16(s + 0.5)
}
