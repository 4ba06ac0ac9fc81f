package report

import (
	"sort"
	"strings"
)

// Groups collects the per-run means of an experiment into groups of runs
// that share their keys (method and the axes that are not averaged over),
// each holding, per x value, the values of every metric, one per repeat.
// It is the grouping behind a "mean ± std over repeats" table or line plot.
// The zero value is ready to use.
type Groups struct {
	order []*Group
	byID  map[string]*Group
}

// Group is one set of runs with the same keys.
type Group struct {
	// Keys name the group, in the order given to Add.
	Keys []string
	xs   []float64
	vals map[float64]map[string][]float64
}

// Point returns the group of keys (creating it, and its x value, on first
// use), so that a run with no metric values still appears.
func (gs *Groups) Point(keys []string, x float64) *Group {
	id := strings.Join(keys, "\x00")
	if gs.byID == nil {
		gs.byID = map[string]*Group{}
	}
	g := gs.byID[id]
	if g == nil {
		g = &Group{Keys: append([]string(nil), keys...), vals: map[float64]map[string][]float64{}}
		gs.byID[id] = g
		gs.order = append(gs.order, g)
	}
	if g.vals[x] == nil {
		g.vals[x] = map[string][]float64{}
		g.xs = append(g.xs, x)
	}
	return g
}

// Add appends one run's value of metric to the group of keys at x.
func (gs *Groups) Add(keys []string, x float64, metric string, v float64) {
	g := gs.Point(keys, x)
	g.vals[x][metric] = append(g.vals[x][metric], v)
}

// List returns the groups in the order they were first seen.
func (gs *Groups) List() []*Group { return gs.order }

// X returns the group's x values in increasing order.
func (g *Group) X() []float64 {
	out := append([]float64(nil), g.xs...)
	sort.Float64s(out)
	return out
}

// Values returns the values of metric at x, in the order added.
func (g *Group) Values(x float64, metric string) []float64 { return g.vals[x][metric] }

// Stat returns the mean ± sample std (MeanStd) of metric at x.
func (g *Group) Stat(x float64, metric string) Stat { return MeanStd(g.Values(x, metric)) }
