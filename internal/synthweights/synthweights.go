// Package synthweights regenerates the synthetic network weights of the
// committed golden fixtures (nets/fusiondiff/testdata/golden,
// nets/adm/testdata/golden). The fixtures hold a parameter list instead of a
// state_dict: every value is offset + 2^e·m/512 with m an integer hash of the
// tensor's index and the value's flat index, so the values are exact in
// float32 and the same in PyTorch (gen_golden.py, which wrote the reference
// outputs) and in Go, and a 7 MB state_dict becomes a 10 KB text file.
package synthweights

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Param is one state_dict entry with its synthetic values.
type Param struct {
	Name   string
	Shape  []int64
	Values []float32
}

// Code is m(j, i) in [-512, 512], the hash of tensor index j and flat index
// i (murmur3's finaliser over uint32 arithmetic).
func Code(j, i int) int {
	x := uint32(i+1)*0x9E3779B1 + uint32(j+1)*0x85EBCA77
	x ^= x >> 15
	x *= 0x2C1B3C6D
	x ^= x >> 12
	x *= 0x297A2D39
	x ^= x >> 15
	return int(x%1025) - 512
}

// Values returns the n values of tensor j: offset + 2^e·Code(j, i)/512.
func Values(j, n int, offset float64, e int) []float32 {
	v := make([]float32, n)
	step := math.Ldexp(1, e-9)
	for i := range v {
		v[i] = float32(offset + float64(Code(j, i))*step)
	}
	return v
}

// Read parses a params.tsv (name, comma-separated shape, offset, e per line,
// in state_dict order) and generates every tensor.
func Read(path string) ([]Param, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("synthweights: %w", err)
	}
	defer f.Close()
	var ps []Param
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		p, err := parse(text, len(ps))
		if err != nil {
			return nil, fmt.Errorf("synthweights: %s:%d: %w", path, line, err)
		}
		ps = append(ps, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("synthweights: %s: %w", path, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("synthweights: %s: no parameters", path)
	}
	return ps, nil
}

func parse(text string, j int) (Param, error) {
	fields := strings.Split(text, "\t")
	if len(fields) != 4 {
		return Param{}, fmt.Errorf("%d fields, want name, shape, offset, e", len(fields))
	}
	p := Param{Name: fields[0]}
	n := 1
	for _, s := range strings.Split(fields[1], ",") {
		d, err := strconv.Atoi(s)
		if err != nil || d < 1 || d > 1<<20 {
			return Param{}, fmt.Errorf("%s: bad dimension %q", p.Name, s)
		}
		p.Shape = append(p.Shape, int64(d))
		n *= d
		if n > 1<<26 {
			return Param{}, fmt.Errorf("%s: too many values", p.Name)
		}
	}
	offset, err := strconv.ParseFloat(fields[2], 64)
	if err != nil {
		return Param{}, fmt.Errorf("%s: offset: %w", p.Name, err)
	}
	e, err := strconv.Atoi(fields[3])
	if err != nil || e < -30 || e > 30 {
		return Param{}, fmt.Errorf("%s: bad exponent %q", p.Name, fields[3])
	}
	p.Values = Values(j, n, offset, e)
	return p, nil
}
