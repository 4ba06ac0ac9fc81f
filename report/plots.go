package report

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named set of bars in a grouped bar chart: one value per
// group.
type Series struct {
	Name   string
	Values []float64
}

// LineSeries is one curve of a line plot: mean and optional std at each x.
type LineSeries struct {
	Name string
	X    []float64
	Mean []float64
	// Std, when non-nil, draws ± std error bars.
	Std []float64
}

// savePlot writes p to path atomically in the format named by path's
// extension (.png, .svg, .pdf, .eps).
func savePlot(p *plot.Plot, w, h vg.Length, path string) error {
	ext, err := plotFormat(path)
	if err != nil {
		return err
	}
	wt, err := p.WriterTo(w, h, ext)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return writeFile(path, func(f io.Writer) error {
		_, err := wt.WriteTo(f)
		return err
	})
}

func plotFormat(path string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	switch ext {
	case "png", "svg", "pdf", "eps":
		return ext, nil
	}
	return "", fmt.Errorf("plot %s: unsupported extension %q (want .png, .svg, .pdf or .eps)", path, filepath.Ext(path))
}

func checkFinite(what string, xs []float64) error {
	for i, v := range xs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s[%d] = %v is not finite", what, i, v)
		}
	}
	return nil
}

// GroupedBars draws one cluster of bars per group (for example one per
// metric) with one bar per series (for example one per method).
func GroupedBars(path, title, ylabel string, groups []string, series []Series) error {
	if len(groups) == 0 || len(series) == 0 {
		return fmt.Errorf("plot %s: need at least one group and one series", path)
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	width := vg.Points(math.Max(4, math.Min(20, 240/float64(len(series)*len(groups)))))
	for i, s := range series {
		if len(s.Values) != len(groups) {
			return fmt.Errorf("plot %s: series %q has %d values for %d groups", path, s.Name, len(s.Values), len(groups))
		}
		if err := checkFinite(s.Name, s.Values); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		bars, err := plotter.NewBarChart(plotter.Values(s.Values), width)
		if err != nil {
			return fmt.Errorf("plot %s: series %q: %w", path, s.Name, err)
		}
		bars.LineStyle.Width = 0
		bars.Color = plotutil.Color(i)
		bars.Offset = width * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(bars)
		p.Legend.Add(s.Name, bars)
	}
	p.Legend.Top = true
	p.NominalX(groups...)
	p.Add(plotter.NewGrid())
	w := vg.Length(math.Min(40, math.Max(12, 0.25*float64(len(groups)*len(series))+2*float64(len(groups))+4))) * vg.Centimeter
	return savePlot(p, w, 10*vg.Centimeter, path)
}

// BarPanel is one small bar chart of a panelled figure: one bar per label
// on its own y scale.
type BarPanel struct {
	Title  string
	Labels []string
	Values []float64
}

// BarPanels draws one bar chart per panel, cols per row, each with its own
// y axis, so metrics of very different ranges (PSNR in dB next to indices
// in [0,1]) stay readable. Bar i has the same colour in every panel.
func BarPanels(path, title string, panels []BarPanel, cols int) error {
	if len(panels) == 0 {
		return fmt.Errorf("plot %s: no panels", path)
	}
	if cols <= 0 || cols > len(panels) {
		cols = min(4, len(panels))
	}
	rows := (len(panels) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	for k, pn := range panels {
		p, err := barPanel(pn)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		if k == 0 && title != "" {
			p.Title.Text = title + ": " + pn.Title
		}
		plots[k/cols][k%cols] = p
	}
	nbars := len(panels[0].Labels)
	w := vg.Length(cols) * vg.Length(math.Max(6, 0.9*float64(nbars)+2.5)) * vg.Centimeter
	h := vg.Length(rows) * 8 * vg.Centimeter
	return saveTiles(plots, w, h, path)
}

func barPanel(pn BarPanel) (*plot.Plot, error) {
	if len(pn.Labels) == 0 || len(pn.Labels) != len(pn.Values) {
		return nil, fmt.Errorf("panel %q: %d labels for %d values", pn.Title, len(pn.Labels), len(pn.Values))
	}
	if err := checkFinite(pn.Title, pn.Values); err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = pn.Title
	for i, v := range pn.Values {
		b, err := plotter.NewBarChart(plotter.Values{v}, vg.Points(18))
		if err != nil {
			return nil, fmt.Errorf("panel %q: %w", pn.Title, err)
		}
		b.XMin = float64(i)
		b.LineStyle.Width = 0
		b.Color = plotutil.Color(i)
		p.Add(b)
	}
	p.NominalX(pn.Labels...)
	rotateX(p)
	p.Add(plotter.NewGrid())
	return p, nil
}

// saveTiles draws a grid of plots (nil entries stay blank) on one canvas and
// writes it atomically in the format of path's extension.
func saveTiles(plots [][]*plot.Plot, w, h vg.Length, path string) error {
	ext, err := plotFormat(path)
	if err != nil {
		return err
	}
	c, err := draw.NewFormattedCanvas(w, h, ext)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	tiles := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(plots, tiles, draw.New(c))
	for r := range plots {
		for k, p := range plots[r] {
			if p != nil {
				p.Draw(canvases[r][k])
			}
		}
	}
	return writeFile(path, func(f io.Writer) error {
		_, err := c.WriteTo(f)
		return err
	})
}

// ResultsBars writes one small bar chart per metric of r (means, one bar
// per method that has the metric, each metric on its own scale).
func ResultsBars(path string, r *Results) error {
	var panels []BarPanel
	for _, m := range r.Metrics {
		pn := BarPanel{Title: m.Name}
		for _, method := range r.Methods {
			if st, ok := r.Summary[method][m.Name]; ok && st.N > 0 {
				pn.Labels = append(pn.Labels, method)
				pn.Values = append(pn.Values, st.Mean)
			}
		}
		if len(pn.Labels) > 0 { // a metric only some methods have (e.g. MapAcc) shows those
			panels = append(panels, pn)
		}
	}
	return BarPanels(path, "", panels, 4)
}

// BoxPlot draws one box per named sample (for example the per-image scores
// of each method on one metric). Names are drawn in the order given.
func BoxPlot(path, title, ylabel string, names []string, samples map[string][]float64) error {
	if len(names) == 0 {
		return fmt.Errorf("plot %s: no samples", path)
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	for i, name := range names {
		xs := samples[name]
		if len(xs) == 0 {
			return fmt.Errorf("plot %s: sample %q is empty", path, name)
		}
		if err := checkFinite(name, xs); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		b, err := plotter.NewBoxPlot(vg.Points(20), float64(i), plotter.Values(xs))
		if err != nil {
			return fmt.Errorf("plot %s: sample %q: %w", path, name, err)
		}
		b.FillColor = plotutil.Color(i)
		p.Add(b)
	}
	p.NominalX(names...)
	rotateX(p)
	p.Add(plotter.NewGrid())
	w := vg.Length(math.Max(10, 1.5*float64(len(names))+3)) * vg.Centimeter
	return savePlot(p, w, 10*vg.Centimeter, path)
}

// ResultsBoxes writes one box plot per metric of r into dir, named
// box_<metric>.<ext> (ext is "png", "svg", "pdf" or "eps"), and returns
// the paths. Methods without scores on a metric get no box; a metric no
// method has gets no plot.
func ResultsBoxes(dir, ext string, r *Results) ([]string, error) {
	var paths []string
	for _, m := range r.Metrics {
		scores := r.Scores(m.Name)
		var names []string // methods without scores on m (no decision map, say) get no box
		for _, method := range r.Methods {
			if len(scores[method]) > 0 {
				names = append(names, method)
			}
		}
		if len(names) == 0 {
			continue
		}
		path := filepath.Join(dir, "box_"+fileSafe(m.Name)+"."+ext)
		if err := BoxPlot(path, m.Name+" per image", m.Name, names, scores); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}

// LinePlot draws each series as a line with points and, when Std is set,
// ± std error bars: the sweep plot (x = the varied numeric key).
func LinePlot(path, title, xlabel, ylabel string, series []LineSeries) error {
	if len(series) == 0 {
		return fmt.Errorf("plot %s: no series", path)
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, ylabel
	for i, s := range series {
		if len(s.X) == 0 || len(s.X) != len(s.Mean) || (s.Std != nil && len(s.Std) != len(s.X)) {
			return fmt.Errorf("plot %s: series %q: %d x, %d means, %d stds", path, s.Name, len(s.X), len(s.Mean), len(s.Std))
		}
		for _, xs := range [][]float64{s.X, s.Mean, s.Std} {
			if err := checkFinite(s.Name, xs); err != nil {
				return fmt.Errorf("plot %s: %w", path, err)
			}
		}
		pts := make(plotter.XYs, len(s.X))
		for k := range s.X {
			pts[k] = plotter.XY{X: s.X[k], Y: s.Mean[k]}
		}
		sort.Slice(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		line, scatter, err := plotter.NewLinePoints(pts)
		if err != nil {
			return fmt.Errorf("plot %s: series %q: %w", path, s.Name, err)
		}
		line.Color, scatter.Color = plotutil.Color(i), plotutil.Color(i)
		scatter.Shape = plotutil.Shape(i)
		p.Add(line, scatter)
		p.Legend.Add(s.Name, line, scatter)
		if s.Std != nil {
			if err := addLineErrors(p, s, i); err != nil {
				return fmt.Errorf("plot %s: series %q: %w", path, s.Name, err)
			}
		}
	}
	padRange(&p.X.Min, &p.X.Max)
	padRange(&p.Y.Min, &p.Y.Max)
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

func addLineErrors(p *plot.Plot, s LineSeries, i int) error {
	pts := make(plotter.XYs, len(s.X))
	errs := make(plotter.YErrors, len(s.X))
	for k := range s.X {
		pts[k] = plotter.XY{X: s.X[k], Y: s.Mean[k]}
		errs[k].Low, errs[k].High = s.Std[k], s.Std[k]
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{pts, errs})
	if err != nil {
		return err
	}
	eb.LineStyle.Color = plotutil.Color(i)
	p.Add(eb)
	return nil
}

// LossCurves plots training curves: each series is one value per step (or
// epoch), drawn against its index starting at 1. Series are drawn in name
// order so colours are stable between runs.
func LossCurves(path, title string, series map[string][]float64) error {
	if len(series) == 0 {
		return fmt.Errorf("plot %s: no series", path)
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, "step", "loss"
	for i, name := range SortedKeys(series) {
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
		line.Color = plotutil.Color(i)
		line.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		p.Add(line)
		p.Legend.Add(name, line)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return savePlot(p, 14*vg.Centimeter, 10*vg.Centimeter, path)
}

// rotateX slants the x tick labels so long method names do not overlap.
func rotateX(p *plot.Plot) {
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
}
