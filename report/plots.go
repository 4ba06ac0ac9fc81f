package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
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
// metric) with one bar per series (for example one per method). Series
// keep their Style (WithStyles) and the y axis follows the bar-axis rule
// of BarPanels.
func GroupedBars(path, title, ylabel string, groups []string, series []Series, opts ...Option) error {
	if len(groups) == 0 || len(series) == 0 {
		return fmt.Errorf("plot %s: need at least one group and one series", path)
	}
	var names []string
	var all []float64
	for _, s := range series {
		if len(s.Values) != len(groups) {
			return fmt.Errorf("plot %s: series %q has %d values for %d groups", path, s.Name, len(s.Values), len(groups))
		}
		if err := checkFinite(s.Name, s.Values); err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		names = append(names, s.Name)
		all = append(all, s.Values...)
	}
	o := collect(opts, names...)
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	ax := newBarAxis(all)
	labels := ax.labels && len(all) <= 48
	width := vg.Points(math.Max(4, math.Min(20, 240/float64(len(series)*len(groups)))))
	xs := make([]float64, len(groups))
	for i := range xs {
		xs[i] = float64(i)
	}
	for i, s := range series {
		st := o.styles.Of(s.Name)
		bars := &valueBars{x: xs, values: s.Values, style: st, axis: ax, width: width, labels: labels,
			offset: width * vg.Length(float64(i)-float64(len(series)-1)/2)}
		p.Add(bars)
		p.Legend.Add(s.Name, bars)
	}
	ax.apply(p)
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
// in [0,1]) stay readable. A label has the same Style in every panel
// (WithStyles; by default labels are styled in the order they first
// appear), and its marker sits on top of its bar.
//
// The y axis of a panel starts at 0 only when 0 is near the values (no
// further below the lowest bar than the values spread); otherwise it is
// cut just below the lowest value, so that differences of a fraction of a
// percent show, and every bar is labelled with its value, since the
// heights are then no longer proportional. Uncut panels label their bars
// where two values are closer than 2 % of the axis.
func BarPanels(path, title string, panels []BarPanel, cols int, opts ...Option) error {
	if len(panels) == 0 {
		return fmt.Errorf("plot %s: no panels", path)
	}
	var names []string
	for _, pn := range panels {
		names = append(names, pn.Labels...)
	}
	o := collect(opts, names...)
	if cols <= 0 || cols > len(panels) {
		cols = min(4, len(panels))
	}
	rows := (len(panels) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	nbars := 0
	for k, pn := range panels {
		p, err := barPanel(pn, o.styles)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		if k == 0 && title != "" {
			p.Title.Text = title + ": " + pn.Title
		}
		plots[k/cols][k%cols] = p
		nbars = max(nbars, len(pn.Labels))
	}
	w := vg.Length(cols) * vg.Length(math.Max(6, 0.9*float64(nbars)+2.5)) * vg.Centimeter
	h := vg.Length(rows) * 9 * vg.Centimeter
	return saveTiles(plots, w, h, path)
}

func barPanel(pn BarPanel, styles *Styles) (*plot.Plot, error) {
	if len(pn.Labels) == 0 || len(pn.Labels) != len(pn.Values) {
		return nil, fmt.Errorf("panel %q: %d labels for %d values", pn.Title, len(pn.Labels), len(pn.Values))
	}
	if err := checkFinite(pn.Title, pn.Values); err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = pn.Title
	ax := newBarAxis(pn.Values)
	for i, v := range pn.Values {
		p.Add(&valueBars{x: []float64{float64(i)}, values: []float64{v}, style: styles.Of(pn.Labels[i]),
			axis: ax, width: vg.Points(18), labels: ax.labels})
	}
	ax.apply(p)
	p.NominalX(pn.Labels...)
	rotateX(p)
	p.Add(plotter.NewGrid())
	return p, nil
}

// barAxis is the y range of a bar chart and how its bars are labelled.
type barAxis struct {
	lo, hi, base float64
	// cut is set when the axis does not reach 0 (bars start at lo).
	cut bool
	// labels says whether bars carry their value, with decimals digits.
	labels   bool
	decimals int
}

// newBarAxis chooses the axis for values (see BarPanels).
func newBarAxis(values []float64) barAxis {
	lo, hi := values[0], values[0]
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	span := hi - lo
	if span == 0 { // one value: a tenth of it, or 1 around 0
		span = math.Abs(hi) * 0.1
		if span == 0 {
			span = 1
		}
	}
	ax := barAxis{decimals: valueDecimals(values)}
	switch {
	case lo > 0 && lo > span: // 0 far below: cut
		ax.cut, ax.lo, ax.base = true, lo-0.3*span, lo-0.3*span
	case hi < 0 && -hi > span: // 0 far above
		ax.cut, ax.hi, ax.base = true, hi+0.3*span, hi+0.3*span
	}
	if !ax.cut {
		ax.lo, ax.hi = math.Min(lo, 0), math.Max(hi, 0)
		span = ax.hi - ax.lo
	}
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	ax.labels = ax.cut
	for i := 1; i < len(sorted); i++ {
		if sorted[i]-sorted[i-1] < 0.02*span {
			ax.labels = true
		}
	}
	room := 0.1
	if ax.labels {
		room = 0.6 // headroom for the printed values
	}
	if hi > 0 || !ax.cut {
		ax.hi = math.Max(ax.hi, hi) + room*span
	}
	if lo < 0 {
		ax.lo = math.Min(ax.lo, lo) - room*span
	}
	return ax
}

func (ax barAxis) apply(p *plot.Plot) {
	p.Y.Min, p.Y.Max = ax.lo, ax.hi
	if ax.cut {
		p.Y.Label.Text = "(axis does not start at 0)"
		p.Y.Label.TextStyle.Font.Size = vg.Points(7)
	}
}

// valueDecimals returns the decimals for printing values on bars: about
// four significant digits of the largest magnitude (3 decimals around 1, 2
// around 40), more (up to 6) while two distinct values would print alike.
func valueDecimals(values []float64) int {
	top := 0.0
	for _, v := range values {
		top = math.Max(top, math.Abs(v))
	}
	d := 3
	if top > 0 {
		d = min(5, max(1, 3-int(math.Floor(math.Log10(top)))))
	}
	for ; d < 6; d++ {
		seen := map[string]float64{}
		ok := true
		for _, v := range values {
			s := strconv.FormatFloat(v, 'f', d, 64)
			if prev, dup := seen[s]; dup && prev != v {
				ok = false
				break
			}
			seen[s] = v
		}
		if ok {
			return d
		}
	}
	return 6
}

// valueBars draws bars of one style from the axis base (0, or the bottom
// of a cut axis) to each value, the style's marker at the value, and
// optionally the value printed beyond the marker. It implements
// plot.Plotter, plot.DataRanger and plot.Thumbnailer.
type valueBars struct {
	x, values []float64
	style     Style
	axis      barAxis
	width     vg.Length
	offset    vg.Length
	labels    bool
}

// Plot implements plot.Plotter.
func (b *valueBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	txt := p.Y.Tick.Label
	txt.Font.Size = vg.Points(7)
	txt.Rotation = math.Pi / 2
	txt.YAlign = draw.YCenter
	for i, v := range b.values {
		x := trX(b.x[i]) + b.offset
		y0, y1 := trY(b.axis.base), trY(v)
		pts := []vg.Point{{X: x - b.width/2, Y: y0}, {X: x - b.width/2, Y: y1}, {X: x + b.width/2, Y: y1}, {X: x + b.width/2, Y: y0}}
		c.FillPolygon(b.style.Color, c.ClipPolygonY(pts))
		r := vg.Points(3.5)
		dir := vg.Length(1)
		txt.XAlign = draw.XLeft
		if v < b.axis.base {
			dir = -1
			txt.XAlign = draw.XRight
		}
		mark := vg.Point{X: x, Y: y1 + dir*(r+vg.Points(1.5))}
		c.DrawGlyph(draw.GlyphStyle{Color: b.style.Color, Radius: r, Shape: b.style.Shape}, mark)
		if b.labels {
			c.FillText(txt, vg.Point{X: x, Y: mark.Y + dir*(r+vg.Points(2))}, strconv.FormatFloat(v, 'f', b.axis.decimals, 64))
		}
	}
}

// DataRange implements plot.DataRanger.
func (b *valueBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = b.x[0]-0.5, b.x[len(b.x)-1]+0.5
	return xmin, xmax, b.axis.lo, b.axis.hi
}

// Thumbnail implements plot.Thumbnailer (the legend entry).
func (b *valueBars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y}}
	c.FillPolygon(b.style.Color, c.ClipPolygonY(pts))
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
// per method that has the metric, methods in r.Methods order, each metric
// on its own axis; see BarPanels). Titles carry the metric's direction.
func ResultsBars(path string, r *Results, opts ...Option) error {
	o := collect(opts, r.Methods...)
	var panels []BarPanel
	for _, m := range r.Metrics {
		pn := BarPanel{Title: strings.TrimSpace(m.Name + " " + m.Better.arrow())}
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
	return BarPanels(path, "", panels, 4, WithStyles(o.styles))
}

// BoxPlot draws one box per named sample (for example the per-image scores
// of each method on one metric), names in the order given, each in its
// Style (WithStyles): a tinted box with the median line, whiskers and
// outliers in the style's colour, and the mean as the style's marker.
func BoxPlot(path, title, ylabel string, names []string, samples map[string][]float64, opts ...Option) error {
	if len(names) == 0 {
		return fmt.Errorf("plot %s: no samples", path)
	}
	o := collect(opts, names...)
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
		st := o.styles.Of(name)
		b.FillColor = tint(st.Color, 0.35)
		b.BoxStyle.Color, b.WhiskerStyle.Color, b.MedianStyle.Color = st.Color, st.Color, st.Color
		b.MedianStyle.Width = vg.Points(2)
		b.GlyphStyle.Color, b.GlyphStyle.Shape = st.Color, draw.RingGlyph{}
		p.Add(b)
		mean, err := plotter.NewScatter(plotter.XYs{{X: float64(i), Y: MeanStd(xs).Mean}})
		if err != nil {
			return fmt.Errorf("plot %s: sample %q: %w", path, name, err)
		}
		mean.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3.5), Shape: st.Shape}
		p.Add(mean)
	}
	p.NominalX(names...)
	rotateX(p)
	padRange(&p.Y.Min, &p.Y.Max)
	p.Add(plotter.NewGrid())
	w := vg.Length(math.Max(10, 1.5*float64(len(names))+3)) * vg.Centimeter
	return savePlot(p, w, 10*vg.Centimeter, path)
}

// tint mixes c with white, keeping share of c.
func tint(c color.Color, share float64) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(math.Round(share*float64(v>>8) + (1-share)*255)) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 255}
}

// ResultsBoxes writes one box plot per metric of r into dir, named
// box_<metric>.<ext> (ext is "png", "svg", "pdf" or "eps"), and returns
// the paths. Methods without scores on a metric get no box; a metric no
// method has gets no plot. Methods keep their Style (WithStyles, by
// default in r.Methods order) and order.
func ResultsBoxes(dir, ext string, r *Results, opts ...Option) ([]string, error) {
	o := collect(opts, r.Methods...)
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
		title := strings.TrimSpace(m.Name+" "+m.Better.arrow()) + " per image (marker: mean, line: median)"
		if err := BoxPlot(path, title, m.Name, names, scores, WithStyles(o.styles)); err != nil {
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

// rotateX slants the x tick labels so long method names do not overlap.
func rotateX(p *plot.Plot) {
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
}
