package data

import (
	"os"
	"path/filepath"
	"strings"
)

// maxSegments is the number of segment ids a region map can hold: 16-bit
// maps (BSDS500 exports with more than 255 segments) keep every id.
const maxSegments = 1 << 16

// segmentID is the segment id of a region-map sample, clamped to
// 0..maxSegments-1.
func segmentID(v float64) int { return min(max(int(v), 0), maxSegments-1) }

// ReadSegments reads a region map: like ReadLabels, but a 16-bit gray PNG
// keeps its raw values 0..65535 as segment ids (ReadLabels scales it to
// 0..255, which merges neighbouring ids).
func ReadSegments(path string) (*Image, error) { return readLabels(path, true) }

// fileOfStem is dir/stem+ext, or the file of that stem whose extension
// differs from ext only in case (121.JPG), when only that one exists.
func fileOfStem(dir, stem, ext string) string {
	p := filepath.Join(dir, stem+ext)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	for _, e := range []string{strings.ToUpper(ext), strings.ToUpper(ext[:2]) + ext[2:]} {
		if q := filepath.Join(dir, stem+e); fileExists(q) {
			return q
		}
	}
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if n := e.Name(); strings.EqualFold(n, stem+ext) && strings.HasPrefix(n, stem) {
				return filepath.Join(dir, n)
			}
		}
	}
	return p
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
