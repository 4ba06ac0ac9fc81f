package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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

// rotateX slants the x tick labels so long method names do not overlap.
func rotateX(p *plot.Plot) {
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
}
