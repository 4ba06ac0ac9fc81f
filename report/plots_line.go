package report

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// LineSeries is one curve of a line plot: mean and optional std at each x.
type LineSeries struct {
	Name string
	X    []float64
	Mean []float64
	// Std, when non-nil, draws ± std error bars.
	Std []float64
}

// LinePlot draws each series as a line with its Style's marker and
// dashes (WithStyles) and, when Std is set, ± std error bars: the sweep
// and runtime plots (x = the varied numeric key). The axes are fitted to
// the data (no forced 0); when every value is positive and they span two
// orders of magnitude or more (runtimes of fast and slow methods), the y
// axis is logarithmic.
func LinePlot(path, title, xlabel, ylabel string, series []LineSeries, opts ...Option) error {
	if len(series) == 0 {
		return fmt.Errorf("plot %s: no series", path)
	}
	var names []string
	for _, s := range series {
		names = append(names, s.Name)
	}
	o := collect(opts, names...)
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, ylabel
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		if len(s.X) == 0 || len(s.X) != len(s.Mean) || (s.Std != nil && len(s.Std) != len(s.X)) {
			return fmt.Errorf("plot %s: series %q: %d x, %d means, %d stds", path, s.Name, len(s.X), len(s.Mean), len(s.Std))
		}
		for _, xs := range [][]float64{s.X, s.Mean, s.Std} {
			if err := checkFinite(s.Name, xs); err != nil {
				return fmt.Errorf("plot %s: %w", path, err)
			}
		}
		for _, v := range s.Mean {
			ylo, yhi = math.Min(ylo, v), math.Max(yhi, v)
		}
	}
	logY := ylo > 0 && yhi/ylo >= 100
	for _, s := range series {
		st := o.styles.Of(s.Name)
		pts := make(plotter.XYs, len(s.X))
		for k := range s.X {
			pts[k] = plotter.XY{X: s.X[k], Y: s.Mean[k]}
		}
		sort.Slice(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		line, scatter, err := plotter.NewLinePoints(pts)
		if err != nil {
			return fmt.Errorf("plot %s: series %q: %w", path, s.Name, err)
		}
		line.Color, line.Dashes, scatter.Color, scatter.Shape = st.Color, st.Dashes, st.Color, st.Shape
		scatter.Radius = vg.Points(3)
		p.Add(line, scatter)
		p.Legend.Add(s.Name, line, scatter)
		if s.Std != nil {
			if err := addLineErrors(p, s, st, logY); err != nil {
				return fmt.Errorf("plot %s: series %q: %w", path, s.Name, err)
			}
		}
	}
	padRange(&p.X.Min, &p.X.Max)
	// Room above the data for the legend, one row per series.
	room := 0.08 * float64(len(series))
	if logY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		p.Y.Min, p.Y.Max = p.Y.Min/1.2, p.Y.Max*1.2
		p.Y.Max *= math.Pow(p.Y.Max/p.Y.Min, room)
	} else {
		padRange(&p.Y.Min, &p.Y.Max)
		p.Y.Max += room * (p.Y.Max - p.Y.Min)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return savePlot(p, 14*vg.Centimeter, 10*vg.Centimeter, path)
}

// padRange widens an axis range by 5 % on each side (or by 1 % of the
// value, when every point sits on one value), so markers at the extremes
// are drawn whole instead of cut by the frame.
func padRange(lo, hi *float64) {
	r := *hi - *lo
	if r <= 0 {
		r = math.Max(math.Abs(*hi), 1e-12) * 0.2
	}
	*lo -= 0.05 * r
	*hi += 0.05 * r
}

// addLineErrors draws ± std error bars of s in style st; on a log axis the
// lower end is kept above 0.
func addLineErrors(p *plot.Plot, s LineSeries, st Style, logY bool) error {
	pts := make(plotter.XYs, len(s.X))
	errs := make(plotter.YErrors, len(s.X))
	for k := range s.X {
		pts[k] = plotter.XY{X: s.X[k], Y: s.Mean[k]}
		errs[k].Low, errs[k].High = s.Std[k], s.Std[k]
		if logY && s.Mean[k]-s.Std[k] <= 0 {
			errs[k].Low = s.Mean[k] * 0.5
		}
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{pts, errs})
	if err != nil {
		return err
	}
	eb.LineStyle.Color = st.Color
	p.Add(eb)
	return nil
}

// LossCurves plots training curves: each series is one value per step (or
// epoch), drawn against its index starting at 1. Series are drawn in name
// order and styled by name (WithStyles), so colours are stable between
// runs.
func LossCurves(path, title string, series map[string][]float64, opts ...Option) error {
	if len(series) == 0 {
		return fmt.Errorf("plot %s: no series", path)
	}
	o := collect(opts, SortedKeys(series)...)
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, "step", "loss"
	for _, name := range SortedKeys(series) {
		ys := series[name]
		if len(ys) == 0 {
			return fmt.Errorf("plot %s: series %q is empty", path, name)
		}
		if err := checkFinite(name, ys); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		pts := make(plotter.XYs, len(ys))
		for k, y := range ys {
			pts[k] = plotter.XY{X: float64(k + 1), Y: y}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plot %s: series %q: %w", path, name, err)
		}
		st := o.styles.Of(name)
		line.Color, line.Dashes = st.Color, st.Dashes
		p.Add(line)
		p.Legend.Add(name, line)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return savePlot(p, 14*vg.Centimeter, 10*vg.Centimeter, path)
}
