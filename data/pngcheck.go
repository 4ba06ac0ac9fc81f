package data

import (
	"encoding/binary"
	"fmt"
	"image"
)

// pngGrayAlpha is the PNG colour type of gray+alpha images.
const pngGrayAlpha = 4

// pngColorType returns the colour type byte of a PNG's IHDR chunk, or -1
// when b is too short or IHDR is not the first chunk.
func pngColorType(b []byte) int {
	// signature (8), length (4), "IHDR" (4), width, height (8), depth (1)
	if len(b) < 26 || string(b[12:16]) != "IHDR" {
		return -1
	}
	return int(b[25])
}

// pngPaletteLen returns the number of entries of a PNG's PLTE chunk, or -1
// when the file has none before its image data.
func pngPaletteLen(b []byte) int {
	for off := 8; off+8 <= len(b); {
		n := int64(binary.BigEndian.Uint32(b[off:]))
		switch string(b[off+4 : off+8]) {
		case "PLTE":
			return int(n / 3)
		case "IDAT", "IEND":
			return -1
		}
		next := int64(off) + 12 + n // length, type, data, CRC
		if next > int64(len(b)) {
			return -1
		}
		off = int(next)
	}
	return -1
}

// checkPalette rejects a palette image with an index past the end of its
// palette. Go's PNG decoder pads the palette with opaque black up to the
// largest index used and the BMP and TIFF decoders leave such pixels to
// the caller, so without this check they would silently decode black.
func checkPalette(f format, b []byte, img image.Image) error {
	p, ok := img.(*image.Paletted)
	if !ok {
		return nil
	}
	n := len(p.Palette)
	if f == fmtPNG {
		if k := pngPaletteLen(b); k >= 0 {
			n = k
		}
	}
	w, h := p.Rect.Dx(), p.Rect.Dy()
	for y := 0; y < h; y++ {
		row := p.Pix[y*p.Stride : y*p.Stride+w]
		for x, idx := range row {
			if int(idx) >= n {
				return fmt.Errorf("%s: %w: pixel (%d,%d) has palette index %d but the palette has %d colours",
					f, ErrCorrupt, x, y, idx, n)
			}
		}
	}
	return nil
}

// fromGrayAlpha reads a gray+alpha PNG, which Go decodes as NRGBA or
// NRGBA64 with R = G = B, into one gray plane; the alpha is dropped (not
// composited), as ReadImage documents.
func fromGrayAlpha(img image.Image) (*Image, error) {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w <= 0 || h <= 0 {
		return nil, ErrEmpty
	}
	switch s := img.(type) {
	case *image.NRGBA:
		m := NewImage(w, h, 1)
		m.Depth = 8
		for y := 0; y < h; y++ {
			row := s.Pix[y*s.Stride:]
			for x := 0; x < w; x++ {
				m.Planes[0][y*w+x] = float64(row[4*x])
			}
		}
		return m, nil
	case *image.NRGBA64:
		m := NewImage(w, h, 1)
		m.Depth = 16
		for y := 0; y < h; y++ {
			row := s.Pix[y*s.Stride:]
			for x := 0; x < w; x++ {
				m.Planes[0][y*w+x] = float64(uint16(row[8*x])<<8|uint16(row[8*x+1])) / 257
			}
		}
		return m, nil
	}
	// Not a layout Go's decoder produces for gray+alpha: keep the first
	// plane of the generic conversion.
	m, err := fromImage(img)
	if err != nil {
		return nil, err
	}
	m.Planes = m.Planes[:1]
	return m, nil
}
