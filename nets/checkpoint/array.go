package checkpoint

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DType names the element type of an Array.
type DType string

// Element types an Array can hold.
const (
	Float32 DType = "float32"
	Float64 DType = "float64"
	Int64   DType = "int64"
)

// Size returns the element size in bytes, or 0 for an unknown type.
func (d DType) Size() int {
	switch d {
	case Float32:
		return 4
	case Float64, Int64:
		return 8
	}
	return 0
}

// Array is a host copy of a tensor: its shape, element type and raw
// little-endian element bytes in row-major order. Keeping the raw bytes makes
// save/load exact for every element value, including NaN payloads.
type Array struct {
	DType DType
	Shape []int64
	Data  []byte
}

// Numel returns the number of elements the shape describes.
func (a Array) Numel() int {
	n := 1
	for _, s := range a.Shape {
		n *= int(s)
	}
	return n
}

// Validate checks that the type is known, the shape non-negative and the
// byte length consistent with them.
func (a Array) Validate() error {
	if a.DType.Size() == 0 {
		return fmt.Errorf("unknown dtype %q", a.DType)
	}
	n := 1
	for _, s := range a.Shape {
		if s < 0 {
			return fmt.Errorf("negative dimension in shape %v", a.Shape)
		}
		if s > 0 && n > math.MaxInt/int(s) {
			return fmt.Errorf("shape %v too large", a.Shape)
		}
		n *= int(s)
	}
	if n > math.MaxInt/a.DType.Size() || len(a.Data) != n*a.DType.Size() {
		return fmt.Errorf("%d data bytes do not match %s shape %v", len(a.Data), a.DType, a.Shape)
	}
	return nil
}

// Float32Array returns an Array holding v with the given shape (a nil shape
// means a vector).
func Float32Array(v []float32, shape ...int64) Array {
	if shape == nil {
		shape = []int64{int64(len(v))}
	}
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Array{DType: Float32, Shape: shape, Data: b}
}

// Float32s decodes a float32 array.
func (a Array) Float32s() ([]float32, error) {
	if a.DType != Float32 {
		return nil, fmt.Errorf("array is %s, not float32", a.DType)
	}
	v := make([]float32, len(a.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(a.Data[4*i:]))
	}
	return v, nil
}

// Float64s decodes any array to float64 values (int64 converted).
func (a Array) Float64s() ([]float64, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	n := a.Numel()
	v := make([]float64, n)
	for i := range v {
		switch a.DType {
		case Float32:
			v[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(a.Data[4*i:])))
		case Float64:
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(a.Data[8*i:]))
		case Int64:
			v[i] = float64(int64(binary.LittleEndian.Uint64(a.Data[8*i:])))
		}
	}
	return v, nil
}

// Equal reports whether two arrays have the same type, shape and bytes.
func (a Array) Equal(b Array) bool {
	if a.DType != b.DType || len(a.Shape) != len(b.Shape) || string(a.Data) != string(b.Data) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	return true
}
