package metrics

import (
	"fmt"
	"strings"

	"github.com/mfif/mfif/internal/registry"
)

// Suite is the metric set of one reference toolkit (for example VIFB or
// CDDFuse's evaluator), reproduced with that toolkit's formulas, parameters,
// colour handling and quirks. Each metric of a suite is also registered in
// the metric registry under the key "<suite>.<name>", so every command that
// takes metric names takes suite metrics too, and tables read like the paper
// that used the toolkit.
type Suite struct {
	// Name selects the suite (--suite NAME); it is the key prefix.
	Name string
	// Toolkit names the reference code: repository, file and the commit the
	// test vectors were made from.
	Toolkit string
	// Colour says in one line how the toolkit turns colour images into the
	// values its metrics see.
	Colour string
	// Metrics are the toolkit's metrics in its own order, under its own
	// names (without the suite prefix). Compute receives the caller's
	// images unconverted: colour handling is the suite's job.
	Metrics []Metric
}

// Keys returns the registry keys "<suite>.<name>" of the suite's metrics,
// in the toolkit's order.
func (s Suite) Keys() []string {
	out := make([]string, len(s.Metrics))
	for i, m := range s.Metrics {
		out[i] = s.Name + "." + m.Name
	}
	return out
}

// suites is the suite registry.
var suites registry.Registry[Suite]

// RegisterSuite adds s to the suite registry and registers each of its
// metrics as "<suite>.<name>". It panics on an empty or duplicate name or a
// metric without Compute: these are programming errors made at init.
func RegisterSuite(s Suite) {
	if s.Name == "" || strings.Contains(s.Name, ".") {
		panic("metrics: RegisterSuite needs a Name without dots")
	}
	if err := suites.Add(s.Name, s); err != nil {
		panic("metrics: suite: " + err.Error())
	}
	for _, m := range s.Metrics {
		m.Name = s.Name + "." + m.Name
		m.raw = true
		Register(m)
	}
}

// LookupSuite returns the suite registered under name; the error lists every
// known suite.
func LookupSuite(name string) (Suite, error) {
	s, ok := suites.Get(name)
	if !ok {
		return Suite{}, fmt.Errorf("unknown metric suite %q (known: %s)", name, suites.Known())
	}
	return s, nil
}

// SuiteNames returns the registered suite names, sorted.
func SuiteNames() []string { return suites.Names() }

// SuiteKeys expands a comma-separated list of suite names into their metric
// keys, in the order given and each suite in its toolkit's order.
func SuiteKeys(list string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		s, err := LookupSuite(name)
		if err != nil {
			return nil, err
		}
		out = append(out, s.Keys()...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no metric suite named in %q (known: %s)", list, strings.Join(SuiteNames(), ", "))
	}
	return out, nil
}
