package metrics

import (
	"errors"
	"strings"
)

// ClassicNames returns the registered metrics that belong to no suite
// (mfif's own metric names, without a "<suite>." prefix), sorted. Listings
// and defaults that should not grow with every toolkit use it instead of
// Names.
func ClassicNames() []string {
	var out []string
	for _, n := range Names() {
		if !IsSuiteKey(n) {
			out = append(out, n)
		}
	}
	return out
}

// IsSuiteKey reports whether name is a suite metric key "<suite>.<name>"
// (suite names hold no dot, and mfif's own metric names hold none either).
func IsSuiteKey(name string) bool { return strings.Contains(name, ".") }

// OnlyDegenerate reports whether err (possibly joined, as Evaluate returns
// it) consists of ErrDegenerate failures only: metrics that are undefined
// on the images, not broken inputs.
func OnlyDegenerate(err error) bool {
	if err == nil {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !OnlyDegenerate(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, ErrDegenerate)
}
