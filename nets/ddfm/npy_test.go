package ddfm

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// sharedDir locates the read-only reference material or skips the test.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	root := os.Getenv("MFIF_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared")
	}
	p := filepath.Join(root, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference data %s not available: %v", p, err)
	}
	return p
}

// npyArray is a tiny little-endian float .npy decoder for the golden tests
// (nets/backend has a full one, but it needs libtorch).
type npyArray struct {
	shape []int
	data  []float64
}

var (
	npyDescr = regexp.MustCompile(`'descr':\s*'([<|]f[48])'`)
	npyShape = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

func decodeNpy(b []byte) (*npyArray, error) {
	if len(b) < 10 || string(b[1:6]) != "NUMPY" {
		return nil, fmt.Errorf("not a .npy stream")
	}
	var hl, off int
	if b[6] == 1 {
		hl, off = int(binary.LittleEndian.Uint16(b[8:10])), 10
	} else {
		hl, off = int(binary.LittleEndian.Uint32(b[8:12])), 12
	}
	hdr := string(b[off : off+hl])
	if strings.Contains(hdr, "'fortran_order': True") {
		return nil, fmt.Errorf("fortran order unsupported")
	}
	d := npyDescr.FindStringSubmatch(hdr)
	s := npyShape.FindStringSubmatch(hdr)
	if d == nil || s == nil {
		return nil, fmt.Errorf("unsupported header %q", hdr)
	}
	a := &npyArray{}
	n := 1
	for _, f := range strings.Split(s[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		k, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		a.shape = append(a.shape, k)
		n *= k
	}
	body := b[off+hl:]
	size := 4
	if d[1][2] == '8' {
		size = 8
	}
	if len(body) < n*size {
		return nil, fmt.Errorf("truncated data")
	}
	a.data = make([]float64, n)
	for i := range a.data {
		if size == 4 {
			a.data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:])))
		} else {
			a.data[i] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*i:]))
		}
	}
	return a, nil
}

func readNpz(path string) (map[string]*npyArray, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	out := map[string]*npyArray{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		a, err := decodeNpy(b)
		if err != nil {
			return nil, fmt.Errorf("read %s/%s: %w", path, f.Name, err)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = a
	}
	return out, nil
}
