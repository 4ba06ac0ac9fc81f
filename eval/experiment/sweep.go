package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/report"
)

// Sweep lists the varied keys. Grid axes multiply; zip axes (all of one
// length) advance together, and the zip index is the outer loop.
type Sweep struct {
	Grid map[string]Axis `yaml:"grid"`
	Zip  map[string]Axis `yaml:"zip"`
}

// Axis is one varied key. In YAML it is either a list of values, when the
// axis name is itself the target path, or a mapping {values: [...],
// targets: {method: path}} that names the path per method (as for a
// few-shot size N that is data.pairs in one config and train.samples in
// another). A mapping without targets is a pure label column.
//
// A target path "options.K" sets eval option K; any other path is a dotted
// override of the trainer config. A list-form axis applies to every trained
// method (config paths) or every model method (options).
type Axis struct {
	Values  []any             `yaml:"values"`
	Targets map[string]string `yaml:"targets"`
	// short is true for the list form.
	short bool
}

// UnmarshalYAML accepts the two forms documented on Axis, rejecting
// unknown keys in the mapping form.
func (a *Axis) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		a.short = true
		return n.Decode(&a.Values)
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a sweep axis is a list of values or {values, targets}", n.Line)
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k != "values" && k != "targets" {
			return fmt.Errorf("line %d: unknown sweep axis key %q (known: values, targets)", n.Content[i].Line, k)
		}
	}
	var raw struct {
		Values  []any             `yaml:"values"`
		Targets map[string]string `yaml:"targets"`
	}
	if err := n.Decode(&raw); err != nil {
		return err
	}
	a.Values, a.Targets = raw.Values, raw.Targets
	return nil
}

// MarshalYAML writes the form the axis was read in.
func (a Axis) MarshalYAML() (any, error) {
	if a.short {
		return a.Values, nil
	}
	return struct {
		Values  []any             `yaml:"values"`
		Targets map[string]string `yaml:"targets,omitempty"`
	}{a.Values, a.Targets}, nil
}

// namedAxis is an axis with its name and resolved targets.
type namedAxis struct {
	name string
	zip  bool
	Axis
}

// AxisValue is the value one cell takes on one axis.
type AxisValue struct {
	Axis  string `json:"axis"`
	Value any    `json:"value"`
}

// Cell is one run of a sweep.
type Cell struct {
	// Index is the cell's 0-based position in expansion order; it is the
	// --cell number and the Slurm array index.
	Index int `json:"index"`
	// Name is the folder name: a slug of the values plus a short hash.
	Name string `json:"name"`
	// Values are the axis values, zip axes first, each group by name.
	Values []AxisValue `json:"values"`
}

// Label is "axis=value, ..." for logs and reports ("base" without a sweep).
func (c Cell) Label() string {
	if len(c.Values) == 0 {
		return "base"
	}
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		parts[i] = v.Axis + "=" + FormatValue(v.Value)
	}
	return strings.Join(parts, ", ")
}

// Value returns the cell's value on axis and whether the cell has it.
func (c Cell) Value(axis string) (any, bool) {
	for _, v := range c.Values {
		if v.Axis == axis {
			return v.Value, true
		}
	}
	return nil, false
}

// axes validates the sweep and returns its axes in expansion order.
func (s *Spec) axes() ([]namedAxis, error) {
	var out []namedAxis
	zipLen := -1
	for _, group := range []struct {
		m   map[string]Axis
		zip bool
	}{{s.Sweep.Zip, true}, {s.Sweep.Grid, false}} {
		for _, name := range report.SortedKeys(group.m) {
			a := namedAxis{name: name, zip: group.zip, Axis: group.m[name]}
			if err := s.checkAxis(a); err != nil {
				return nil, err
			}
			if a.zip {
				if zipLen >= 0 && len(a.Values) != zipLen {
					return nil, fmt.Errorf("sweep.zip.%s: %d values, but other zip axes have %d", name, len(a.Values), zipLen)
				}
				zipLen = len(a.Values)
			}
			out = append(out, a)
		}
	}
	if err := distinctZipTuples(out, zipLen); err != nil {
		return nil, err
	}
	if n, ok := cellCount(out); !ok || n > MaxCells {
		return nil, fmt.Errorf("sweep: %s cells, more than %d: split the experiment or shorten the axes", countText(n, ok), MaxCells)
	}
	return out, nil
}

// distinctZipTuples reports the first zip index whose values on every zip
// axis repeat an earlier index: a zip axis may list a value twice (two
// variants that differ in another key), but two identical variants would
// be one cell twice.
func distinctZipTuples(axes []namedAxis, n int) error {
	seen := map[string]int{}
	for i := 0; i < n; i++ {
		var tuple []any
		for _, a := range axes {
			if a.zip {
				tuple = append(tuple, a.Values[i])
			}
		}
		k := canonical(tuple)
		if j, dup := seen[k]; dup {
			return fmt.Errorf("sweep.zip: entries %d and %d have the same value on every zip axis", j+1, i+1)
		}
		seen[k] = i
	}
	return nil
}

// MaxCells bounds the cells of one experiment; a sweep that expands to
// more is an error (in practice a typo in a grid), not hours of expansion.
const MaxCells = 100_000

// cellCount is the number of cells the axes expand to; ok is false when
// it does not fit an int64.
func cellCount(axes []namedAxis) (n int64, ok bool) {
	n, zipped := 1, false
	for _, a := range axes {
		k := int64(len(a.Values))
		if a.zip {
			if zipped {
				continue // zip axes advance together
			}
			zipped = true
		}
		if k > 0 && n > math.MaxInt64/k {
			return 0, false
		}
		n *= k
	}
	return n, true
}

func countText(n int64, ok bool) string {
	if !ok {
		return "more than 10^18"
	}
	return strconv.FormatInt(n, 10)
}

func (s *Spec) hasAxis(name string) bool {
	_, g := s.Sweep.Grid[name]
	_, z := s.Sweep.Zip[name]
	return g || z
}

func (s *Spec) checkAxis(a namedAxis) error {
	where := "sweep.grid." + a.name
	if a.zip {
		where = "sweep.zip." + a.name
	}
	if _, dup := s.Sweep.Grid[a.name]; dup && a.zip {
		return fmt.Errorf("%s: axis is in both grid and zip", where)
	}
	if len(a.Values) == 0 {
		return fmt.Errorf("%s: no values", where)
	}
	if !a.zip { // a zip axis may repeat a value; its tuples must differ (distinctZipTuples)
		seen := map[string]bool{}
		for _, v := range a.Values {
			k := canonical(v)
			if seen[k] {
				return fmt.Errorf("%s: value %s listed twice", where, FormatValue(v))
			}
			seen[k] = true
		}
	}
	targets := s.targets(a.Axis, a.name)
	if a.short && len(targets) == 0 {
		return fmt.Errorf("%s: no method it applies to (config keys need a method with train:, options.* keys one with train: or checkpoint:)", where)
	}
	for method, path := range targets {
		m, ok := s.method(method)
		if !ok {
			return fmt.Errorf("%s: target method %q is not in methods", where, method)
		}
		if path == "" || m.Results != "" {
			return fmt.Errorf("%s: method %s: empty target path, or a results folder (which has nothing to vary)", where, method)
		}
		if !strings.HasPrefix(path, "options.") && m.Train == nil {
			return fmt.Errorf("%s: config key %q targets method %s, which has no train: section", where, path, method)
		}
	}
	return nil
}

// targets maps each affected method to the path the axis sets in it.
func (s *Spec) targets(a Axis, name string) map[string]string {
	if !a.short {
		return a.Targets
	}
	out := map[string]string{}
	for _, m := range s.Methods {
		applies := m.Train != nil
		if strings.HasPrefix(name, "options.") {
			applies = m.isModel()
		}
		if applies {
			out[m.Name] = name
		}
	}
	return out
}

func (s *Spec) method(name string) (MethodSpec, bool) {
	for _, m := range s.Methods {
		if m.Name == name {
			return m, true
		}
	}
	return MethodSpec{}, false
}

// Cells expands the sweep into cells in a fixed order: zip index outermost,
// then grid axes in name order with the last name varying fastest. Without
// a sweep there is one cell named "base".
func (s *Spec) Cells() ([]Cell, error) {
	axes, err := s.axes()
	if err != nil {
		return nil, err
	}
	if len(axes) == 0 {
		return []Cell{{Index: 0, Name: "base"}}, nil
	}
	var zips, grid []namedAxis
	for _, a := range axes {
		if a.zip {
			zips = append(zips, a)
		} else {
			grid = append(grid, a)
		}
	}
	nz := 1
	if len(zips) > 0 {
		nz = len(zips[0].Values)
	}
	var cells []Cell
	for z := 0; z < nz; z++ {
		idx := make([]int, len(grid))
		for {
			var vals []AxisValue
			for _, a := range zips {
				vals = append(vals, AxisValue{a.name, a.Values[z]})
			}
			for i, a := range grid {
				vals = append(vals, AxisValue{a.name, a.Values[idx[i]]})
			}
			cells = append(cells, Cell{Index: len(cells), Name: CellName(vals), Values: vals})
			if !odometer(idx, grid) {
				break
			}
		}
	}
	return cells, nil
}

// odometer advances idx (last position fastest) and reports false after
// the last combination.
func odometer(idx []int, grid []namedAxis) bool {
	for i := len(idx) - 1; i >= 0; i-- {
		idx[i]++
		if idx[i] < len(grid[i].Values) {
			return true
		}
		idx[i] = 0
	}
	return false
}

// CellName derives a folder name from axis values: a readable slug
// (axis-value pairs separated by '_', at most 80 characters) and the
// first 8 hex digits of the SHA-256 of the values' canonical JSON, so
// names are stable across runs and distinct even when slugs collide.
func CellName(vals []AxisValue) string {
	if len(vals) == 0 {
		return "base"
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = v.Axis + "=" + FormatValue(v.Value)
	}
	slug := slugify(strings.Join(parts, ","))
	if len(slug) > 80 {
		slug = strings.TrimRight(slug[:80], "-_")
	}
	sum := sha256.Sum256([]byte(canonical(vals)))
	return slug + "-" + hex.EncodeToString(sum[:4])
}

func slugify(s string) string {
	var b strings.Builder
	last := byte(0)
	for _, r := range strings.ToLower(s) {
		c := byte('-')
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '+':
			c = byte(r)
		case r == ',':
			c = '_'
		}
		if c == '-' && (last == '-' || last == '_') {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return strings.Trim(b.String(), "-_")
}

// canonical is the JSON of v with map keys sorted (encoding/json sorts
// them), the basis of names and keys.
func canonical(v any) string {
	b, err := json.Marshal(normalize(v))
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// normalize converts map[any]any (which JSON cannot encode) recursively.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []AxisValue:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = []any{e.Axis, normalize(e.Value)}
		}
		return out
	}
	return v
}

// FormatValue prints an axis value compactly: lists as a+b ("none" when
// empty), maps as k:v+k:v, floats in shortest form.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		if len(x) == 0 {
			return "none"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = FormatValue(e)
		}
		return strings.Join(parts, "+")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + FormatValue(x[k])
		}
		return strings.Join(parts, "+")
	}
	return fmt.Sprint(v)
}

// Shard returns the cells of shard i of n: those whose index mod n is i
// (0 <= i < n). The shards for i = 0..n-1 partition the cells.
func Shard(cells []Cell, i, n int) ([]Cell, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("shard %d/%d: want 0 <= i < n", i, n)
	}
	var out []Cell
	for _, c := range cells {
		if c.Index%n == i {
			out = append(out, c)
		}
	}
	return out, nil
}

// ParseShard parses "i/n".
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(strings.TrimSpace(a))
		if err == nil {
			n, err = strconv.Atoi(strings.TrimSpace(b))
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 0 <= i < n (0-based), e.g. 0/4", s)
	}
	return i, n, nil
}
