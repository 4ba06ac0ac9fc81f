package npy

import (
	"archive/zip"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npyBytes builds a version-1.0 .npy file by hand.
func npyBytes(header string, payload []byte) []byte {
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	b.WriteByte(byte(len(header)))
	b.WriteByte(byte(len(header) >> 8))
	b.WriteString(header)
	b.Write(payload)
	return b.Bytes()
}

func TestDecode(t *testing.T) {
	i64 := []byte{5, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	f4 := []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0} // 1, -2
	tests := []struct {
		name    string
		file    []byte
		shape   []int64
		vals    []float64
		wantErr string
	}{
		{"int64", npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i64), []int64{2}, []float64{5, -2}, ""},
		{"float32 2x1", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", f4), []int64{2, 1}, []float64{1, -2}, ""},
		{"scalar", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f4[:4]), []int64{}, []float64{1}, ""},
		{"fortran", npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", f4), nil, nil, "C-order"},
		{"big endian", npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f4), nil, nil, "big-endian"},
		{"short", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4), nil, nil, "bytes"},
		{"magic", []byte("NOTNUMPYxxxxxxxx"), nil, nil, "magic"},
		{"complex", npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", f4), nil, nil, "dtype"},
	}
	for _, tc := range tests {
		a, err := Decode(bytes.NewReader(tc.file))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want containing %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(a.Shape) != len(tc.shape) {
			t.Errorf("%s: shape %v, want %v", tc.name, a.Shape, tc.shape)
		}
		for i, v := range tc.vals {
			if a.Data[i] != v {
				t.Errorf("%s: value %d = %g, want %g", tc.name, i, a.Data[i], v)
			}
		}
	}
}

func TestNpyRoundTripAndNpz(t *testing.T) {
	vals := []float64{0.5, -1.25, 3, 4, 1e-3, 6}
	var buf bytes.Buffer
	if err := Encode(&buf, []int64{2, 3}, vals, false); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	npz := filepath.Join(dir, "x.npz")
	f, err := os.Create(npz)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("arr.npy")
	w.Write(buf.Bytes())
	var buf32 bytes.Buffer
	if err := Encode(&buf32, []int64{6}, vals, true); err != nil {
		t.Fatal(err)
	}
	w, _ = zw.Create("flat.npy")
	w.Write(buf32.Bytes())
	zw.Close()
	f.Close()
	m, err := ReadNpz(npz)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(Keys(m), ","); got != "arr,flat" {
		t.Fatalf("keys %s", got)
	}
	if got := m["arr"].Shape; len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("arr shape %v, want [2 3]", got)
	}
	for i := range vals {
		if m["arr"].Data[i] != vals[i] || math.Abs(m["flat"].Data[i]-vals[i]) > 1e-7 {
			t.Errorf("value %d: %g / %g, want %g", i, m["arr"].Data[i], m["flat"].Data[i], vals[i])
		}
	}
	if _, err := Read(filepath.Join(dir, "missing.npy")); err == nil || !strings.Contains(err.Error(), "missing.npy") {
		t.Errorf("missing file error should name the file: %v", err)
	}
	if err := Encode(&buf, []int64{4}, vals, false); err == nil {
		t.Error("Encode accepted a shape/value mismatch")
	}
}
