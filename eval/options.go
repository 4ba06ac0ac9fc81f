package eval

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// OptionReader reads typed values out of Options, remembers which keys were
// consumed and records the first conversion error, so method factories (the
// classical ones here and the model methods in their own packages) stay
// short: read every option, then call Done.
type OptionReader struct {
	opts Options
	used map[string]bool
	err  error
}

// NewOptionReader starts reading opts.
func NewOptionReader(opts Options) *OptionReader {
	return &OptionReader{opts: opts, used: map[string]bool{}}
}

func (r *OptionReader) fail(key string, v any, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("option %s: %v (%T) is not %s", key, v, v, want)
	}
}

// Int reads an integer; integral floats and numeric strings are accepted
// because YAML and CLI decoders produce them.
func (r *OptionReader) Int(key string, def int) int {
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
func (r *OptionReader) Float(key string, def float64) float64 {
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

// String reads a string option.
func (r *OptionReader) String(key, def string) string {
	r.used[key] = true
	v, ok := r.opts[key]
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		r.fail(key, v, "a string")
		return def
	}
	return s
}

// Bool reads a boolean; "true"/"false"-style strings are accepted.
func (r *OptionReader) Bool(key string, def bool) bool {
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

// Renamed records an error when opts still use a key that was renamed:
// the message names the new key, so old configs fail with the fix in hand
// instead of as an unknown option.
func (r *OptionReader) Renamed(old, new string) {
	r.used[old] = true
	if v, ok := r.opts[old]; ok && r.err == nil {
		r.err = fmt.Errorf("option %s was renamed %s: write %s: %v", old, new, new, v)
	}
}

// Check records an error when cond is false, naming the key, the rule and the value.
func (r *OptionReader) Check(cond bool, key string, val any, rule string) {
	if !cond && r.err == nil {
		r.err = fmt.Errorf("option %s: must be %s (got %v)", key, rule, val)
	}
}

// Done returns the first conversion or range error, or else an error naming
// every key that no reader consumed.
func (r *OptionReader) Done() error {
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
