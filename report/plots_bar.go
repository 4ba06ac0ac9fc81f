package report

import (
	"fmt"
	"io"
	"math"
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
