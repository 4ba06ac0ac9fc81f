package report

import (
	"fmt"
	"math"
)

// Direction says which value of a column is best.
type Direction int

const (
	// NoRank marks a column that is shown but never ranked.
	NoRank Direction = iota
	// Higher means larger values are better.
	Higher
	// Lower means smaller values are better.
	Lower
	// CloserToZero means values nearer 0 are better (for example Q_SF,
	// whose sign only says whether the fused image lost or gained detail).
	CloserToZero
)

// String names the direction as it is stored in results.json.
func (d Direction) String() string {
	switch d {
	case Higher:
		return "higher"
	case Lower:
		return "lower"
	case CloserToZero:
		return "closer-to-zero"
	default:
		return "none"
	}
}

// ParseDirection is the inverse of Direction.String.
func ParseDirection(s string) (Direction, error) {
	for _, d := range []Direction{NoRank, Higher, Lower, CloserToZero} {
		if d.String() == s {
			return d, nil
		}
	}
	return NoRank, fmt.Errorf("unknown direction %q (want higher, lower, closer-to-zero or none)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Direction) UnmarshalText(b []byte) error {
	v, err := ParseDirection(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// arrow is a short plain-text hint of the direction for column headers.
func (d Direction) arrow() string {
	switch d {
	case Higher:
		return "↑"
	case Lower:
		return "↓"
	case CloserToZero:
		return "→0"
	}
	return ""
}

func (d Direction) latexArrow() string {
	switch d {
	case Higher:
		return `$\uparrow$`
	case Lower:
		return `$\downarrow$`
	case CloserToZero:
		return `$\to 0$`
	}
	return ""
}

// score maps a value to a number where larger is always better.
func (d Direction) score(v float64) float64 {
	switch d {
	case Higher:
		return v
	case Lower:
		return -v
	case CloserToZero:
		return -math.Abs(v)
	}
	return 0
}
