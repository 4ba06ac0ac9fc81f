//go:build !cgo || purego

package data

import (
	"bytes"
	"fmt"
	"image/jpeg"
)

// JPEGDecoder names the JPEG decoder compiled in: "libjpeg-turbo" or "go".
const JPEGDecoder = "go"

// decodeJPEG is the pure-Go fallback used with -tags purego or
// CGO_ENABLED=0. Go's image/jpeg uses its own IDCT and replicates chroma
// instead of libjpeg's fancy upsampling, so colour pixels can differ from
// MATLAB/OpenCV/Pillow by a few levels; gray JPEGs are usually identical.
func decodeJPEG(b []byte) (*Image, error) {
	if _, _, err := jpegHeader(b); err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, classify(fmtJPEG, err)
	}
	m, err := fromImage(img)
	if err != nil {
		return nil, fmt.Errorf("jpeg: %w", err)
	}
	return m, nil
}

// jpegHeader reads a JPEG's header as decodeJPEG checks it (more than
// MaxPixels), decoding no pixel.
func jpegHeader(b []byte) (w, h int, err error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return 0, 0, classify(fmtJPEG, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0, fmt.Errorf("jpeg: %w: the header declares %dx%d pixels", ErrEmpty, cfg.Width, cfg.Height)
	}
	if float64(cfg.Width)*float64(cfg.Height) > float64(MaxPixels) {
		return 0, 0, tooLarge(fmtJPEG, cfg.Width, cfg.Height)
	}
	return cfg.Width, cfg.Height, nil
}
