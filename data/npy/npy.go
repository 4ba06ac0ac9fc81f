// Package npy reads and writes NumPy .npy and .npz files (C order,
// little-endian) in pure Go, for golden-vector tests and array exchange with
// Python tools.
package npy

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Array is an n-dimensional array read from a .npy file: Shape in C order
// and the values widened to float64 (Int64 also holds them exactly for
// integer files).
type Array struct {
	// Shape is the array shape (empty for a 0-d scalar).
	Shape []int64
	// DType is the numpy descriptor, e.g. "<f4", "<f8", "<i8".
	DType string
	// Data holds the values in C order.
	Data []float64
	// Int64 holds the exact values of integer and bool arrays (nil for
	// floating arrays).
	Int64 []int64
}

// Read reads a .npy file (format 1.0-3.0, C order, little-endian
// f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8 or bool).
func Read(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	defer f.Close()
	a, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return a, nil
}

// ReadNpz reads every array of a .npz archive (stored or deflated), keyed
// by name without the ".npy" suffix.
func ReadNpz(path string) (map[string]*Array, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	defer zr.Close()
	out := make(map[string]*Array, len(zr.File))
	for _, zf := range zr.File {
		if !strings.HasSuffix(zf.Name, ".npy") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("load %s: member %s: %w", path, zf.Name, err)
		}
		a, err := Decode(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("load %s: member %s: %w", path, zf.Name, err)
		}
		out[strings.TrimSuffix(zf.Name, ".npy")] = a
	}
	return out, nil
}

// Keys returns the sorted names of an npz map.
func Keys(m map[string]*Array) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var (
	npyDescr   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// Decode parses one .npy stream.
func Decode(r io.Reader) (*Array, error) {
	header, err := readNpyHeader(r)
	if err != nil {
		return nil, err
	}
	m := npyDescr.FindStringSubmatch(header)
	if m == nil {
		return nil, fmt.Errorf("npy header without descr: %q", header)
	}
	descr := m[1]
	if fo := npyFortran.FindStringSubmatch(header); fo == nil || fo[1] != "False" {
		return nil, fmt.Errorf("npy: only C-order arrays are supported (header %q)", header)
	}
	sm := npyShape.FindStringSubmatch(header)
	if sm == nil {
		return nil, fmt.Errorf("npy header without shape: %q", header)
	}
	shape, n, err := parseShape(sm[1])
	if err != nil {
		return nil, err
	}
	a := &Array{Shape: shape, DType: descr}
	if err := decodeValues(r, a, n); err != nil {
		return nil, fmt.Errorf("npy %s %v: %w", descr, shape, err)
	}
	return a, nil
}

func readNpyHeader(r io.Reader) (string, error) {
	var magic [8]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return "", fmt.Errorf("npy: short header: %w", err)
	}
	if string(magic[:6]) != "\x93NUMPY" {
		return "", fmt.Errorf("npy: bad magic %q", magic[:6])
	}
	var hlen int
	switch magic[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("npy: short header: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("npy: short header: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return "", fmt.Errorf("npy: unsupported format version %d.%d", magic[6], magic[7])
	}
	if hlen > 1<<20 {
		return "", fmt.Errorf("npy: header length %d too large", hlen)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return "", fmt.Errorf("npy: short header: %w", err)
	}
	return string(h), nil
}

func parseShape(s string) ([]int64, int, error) {
	shape := []int64{}
	n := 1
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSuffix(f, "L"), 10, 64)
		if err != nil || v < 0 {
			return nil, 0, fmt.Errorf("npy: bad shape entry %q", f)
		}
		if v > 0 && n > math.MaxInt32/int(v) {
			return nil, 0, fmt.Errorf("npy: shape (%s) too large", s)
		}
		shape = append(shape, v)
		n *= int(v)
	}
	return shape, n, nil
}

func decodeValues(r io.Reader, a *Array, n int) error {
	d := a.DType
	if len(d) < 3 {
		return fmt.Errorf("unsupported dtype")
	}
	if d[0] == '>' {
		return fmt.Errorf("big-endian data is not supported")
	}
	kind, size := d[1], d[2:]
	width, err := strconv.Atoi(size)
	if err != nil {
		return fmt.Errorf("unsupported dtype")
	}
	raw := make([]byte, n*width)
	if _, err := io.ReadFull(r, raw); err != nil {
		return fmt.Errorf("want %d bytes of data: %w", len(raw), err)
	}
	if extra, _ := io.Copy(io.Discard, io.LimitReader(r, 1)); extra != 0 {
		return fmt.Errorf("trailing data after %d values", n)
	}
	a.Data = make([]float64, n)
	le := binary.LittleEndian
	for i := 0; i < n; i++ {
		b := raw[i*width : (i+1)*width]
		switch {
		case kind == 'f' && width == 4:
			a.Data[i] = float64(math.Float32frombits(le.Uint32(b)))
		case kind == 'f' && width == 8:
			a.Data[i] = math.Float64frombits(le.Uint64(b))
		case kind == 'f' && width == 2:
			a.Data[i] = halfToFloat(le.Uint16(b))
		case kind == 'i' || kind == 'u' || kind == 'b':
			v, err := intValue(kind, b)
			if err != nil {
				return err
			}
			if a.Int64 == nil {
				a.Int64 = make([]int64, n)
			}
			a.Int64[i] = v
			a.Data[i] = float64(v)
		default:
			return fmt.Errorf("unsupported dtype")
		}
	}
	if n == 0 && kind != 'f' {
		a.Int64 = []int64{}
	}
	return nil
}

func intValue(kind byte, b []byte) (int64, error) {
	le := binary.LittleEndian
	switch {
	case kind == 'b' && len(b) == 1:
		if b[0] != 0 {
			return 1, nil
		}
		return 0, nil
	case kind == 'i' && len(b) == 1:
		return int64(int8(b[0])), nil
	case kind == 'i' && len(b) == 2:
		return int64(int16(le.Uint16(b))), nil
	case kind == 'i' && len(b) == 4:
		return int64(int32(le.Uint32(b))), nil
	case kind == 'i' && len(b) == 8:
		return int64(le.Uint64(b)), nil
	case kind == 'u' && len(b) == 1:
		return int64(b[0]), nil
	case kind == 'u' && len(b) == 2:
		return int64(le.Uint16(b)), nil
	case kind == 'u' && len(b) == 4:
		return int64(le.Uint32(b)), nil
	case kind == 'u' && len(b) == 8:
		v := le.Uint64(b)
		if v > math.MaxInt64 {
			return 0, fmt.Errorf("uint64 value %d overflows int64", v)
		}
		return int64(v), nil
	}
	return 0, fmt.Errorf("unsupported dtype")
}

// halfToFloat widens an IEEE 754 binary16 value.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * frac * math.Pow(2, -24)
	case 0x1f:
		if frac == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * (1 + frac/1024) * math.Pow(2, float64(exp-15))
}

// Encode writes a float64 or float32 C-order array as .npy version 1.0
// (for test fixtures and for exporting results to numpy).
func Encode(w io.Writer, shape []int64, values []float64, float32Out bool) error {
	n := int64(1)
	for _, s := range shape {
		n *= s
	}
	if n != int64(len(values)) {
		return fmt.Errorf("npy: shape %v needs %d values, got %d", shape, n, len(values))
	}
	descr := "<f8"
	if float32Out {
		descr = "<f4"
	}
	dims := make([]string, len(shape))
	for i, s := range shape {
		dims[i] = strconv.FormatInt(s, 10)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	pad := 64 - (10+len(h)+1)%64
	h += strings.Repeat(" ", pad%64) + "\n"
	var buf bytes.Buffer
	buf.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&buf, binary.LittleEndian, uint16(len(h)))
	buf.WriteString(h)
	for _, v := range values {
		if float32Out {
			_ = binary.Write(&buf, binary.LittleEndian, float32(v))
		} else {
			_ = binary.Write(&buf, binary.LittleEndian, v)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}
