package data

import (
	"fmt"
	"path/filepath"
)

// maskDir is the folder of true decision masks beside source_1/.
const maskDir = "mask"

// attachMasks fills Mask from the mask/ folder when it exists; every pair
// then needs exactly one mask and every mask a pair, as for references.
func attachMasks(dir string, byName map[string]*Pair, order []string) error {
	d := filepath.Join(dir, maskDir)
	if !isDir(d) {
		return nil
	}
	return attachFiles(d, "mask", byName, order, func(p *Pair) *string { return &p.Mask })
}

// ReadMask reads a true decision mask as one plane of 0 and 1 (1 where
// source 1 is in focus). The file is read as labels (ReadLabels: palette
// indices, or gray); a sample counts as 1 when it is at least half the
// file's scale, which is 255 except for masks whose samples are all 0 or 1
// (a 0/1 mask is read as is). Masks written by WriteSyntheticSet and
// WriteBSDSBenchmark are 0/255.
func ReadMask(path string) (*Image, error) {
	m, err := ReadLabels(path)
	if err != nil {
		return nil, fmt.Errorf("read mask: %w", err)
	}
	top := 0.0
	for _, v := range m.Planes[0] {
		top = max(top, v)
	}
	cut := 127.5
	if top <= 1 {
		cut = 0.5
	}
	out := NewImage(m.W, m.H, 1)
	for i, v := range m.Planes[0] {
		if v >= cut {
			out.Planes[0][i] = 1
		}
	}
	return out, nil
}
