package eval

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// optReader reads typed values out of Options, remembers which keys were
// consumed and records the first conversion error, so factories stay short.
type optReader struct {
	opts Options
	used map[string]bool
	err  error
}

func newOptReader(opts Options) *optReader {
	return &optReader{opts: opts, used: map[string]bool{}}
}

func (r *optReader) fail(key string, v any, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("option %s: %v (%T) is not %s", key, v, v, want)
	}
}

// Int reads an integer; integral floats and numeric strings are accepted
// because YAML and CLI decoders produce them.
func (r *optReader) Int(key string, def int) int {
	r.used[key] = true
	v, ok := r.opts[key]
	if !ok {
		return def
	}
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case int32:
		return int(x)
	case uint:
		return int(x)
	case uint64:
		return int(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<31 {
			return int(x)
		}
	case float32:
		if float64(x) == math.Trunc(float64(x)) {
			return int(x)
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return n
		}
	}
	r.fail(key, v, "an integer")
	return def
}

// Float reads a finite number.
func (r *optReader) Float(key string, def float64) float64 {
	r.used[key] = true
	v, ok := r.opts[key]
	if !ok {
		return def
	}
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case int32:
		f = float64(x)
	case uint:
		f = float64(x)
	case uint64:
		f = float64(x)
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			r.fail(key, v, "a number")
			return def
		}
		f = p
	default:
		r.fail(key, v, "a number")
		return def
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		r.fail(key, v, "a finite number")
		return def
	}
	return f
}

// Bool reads a boolean; "true"/"false"-style strings are accepted.
func (r *optReader) Bool(key string, def bool) bool {
	r.used[key] = true
	v, ok := r.opts[key]
	if !ok {
		return def
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b
		}
	}
	r.fail(key, v, "a boolean")
	return def
}

// check sets err when cond is false, naming the key, the rule and the value.
func (r *optReader) check(cond bool, key string, val any, rule string) {
	if !cond && r.err == nil {
		r.err = fmt.Errorf("option %s: must be %s (got %v)", key, rule, val)
	}
}

// done returns the first conversion or range error, or else an error naming
// every key that no reader consumed.
func (r *optReader) done() error {
	if r.err != nil {
		return r.err
	}
	var unknown, known []string
	for k := range r.opts {
		if !r.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	for k := range r.used {
		known = append(known, k)
	}
	sort.Strings(unknown)
	sort.Strings(known)
	accepted := "none"
	if len(known) > 0 {
		accepted = strings.Join(known, ", ")
	}
	return fmt.Errorf("unknown option(s) %s (accepted: %s)", strings.Join(unknown, ", "), accepted)
}
