package data

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ReadHeader reads only the header of the image file at path and makes the
// checks ReadImage makes before decoding any pixel: a PNG, JPEG, BMP or
// TIFF file whose header parses, declares width and height of at least 1
// and at most MaxPixels pixels (CMYK JPEGs are ErrUnsupported). It returns
// the declared size; errors name the file and wrap the same sentinels as
// ReadImage. Damage inside the pixel data is only found by ReadImage.
func ReadHeader(path string) (w, h int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: unreadable: %w", path, err)
	}
	w, h, err = DecodeHeader(b)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	return w, h, nil
}

// DecodeHeader is ReadHeader on an in-memory file.
func DecodeHeader(b []byte) (w, h int, err error) {
	if len(b) == 0 {
		return 0, 0, ErrEmpty
	}
	f, ok := sniff(b)
	if !ok {
		return 0, 0, fmt.Errorf("%w (not PNG, JPEG, BMP or TIFF)", ErrUnsupported)
	}
	if f == fmtJPEG {
		return jpegHeader(b)
	}
	return checkSize(f, b)
}

// ErrBadInput is wrapped by CheckInputs when an input file's header fails.
var ErrBadInput = errors.New("input files that cannot be read")

// FileSource is implemented by datasets whose samples are read from files:
// SampleFiles lists the files sample i reads.
type FileSource interface {
	SampleFiles(i int) []string
}

// maxListed bounds the failures CheckInputs spells out.
const maxListed = 5

// CheckInputs reads the header of every file the samples of ds read
// (ReadHeader), each file once, so a training run can refuse a broken
// photo, map or triplet before its first step instead of when the sample
// is first drawn. A dataset that reads no files (or does not list them)
// passes. The error names every failing file (the first few in full) and
// how many of the files failed.
func CheckInputs(ds Dataset) error {
	fs, ok := ds.(FileSource)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var bad []string
	for i := 0; i < ds.Len(); i++ {
		for _, p := range fs.SampleFiles(i) {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			if _, _, err := ReadHeader(p); err != nil {
				bad = append(bad, err.Error())
			}
		}
	}
	n := len(bad)
	switch {
	case n == 0:
		return nil
	case n == 1:
		return fmt.Errorf("%w: %s", ErrBadInput, bad[0])
	case n > maxListed:
		bad = append(bad[:maxListed], fmt.Sprintf("and %d more", n-maxListed))
	}
	return fmt.Errorf("%w: %d of %d input files: %s", ErrBadInput, n, len(seen), strings.Join(bad, "; "))
}
