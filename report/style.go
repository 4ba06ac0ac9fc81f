package report

import (
	"fmt"
	"image/color"
	"sync"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Style is how one method (or one series) is drawn: the same colour,
// marker and line dashes in every plot of a report, so a reader can match
// bars, boxes and lines by colour and shape.
type Style struct {
	Color  color.Color
	Shape  draw.GlyphDrawer
	Dashes []vg.Length
}

// palette is the ten colours of D3's category10 scheme, distinct on white
// and in print.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// shapes are the markers, filled ones first.
var shapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{},
	draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

// dashes are the line patterns, changing once all colours are used.
var dashes = [][]vg.Length{{}, {vg.Points(6), vg.Points(2)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}}

// Styles gives every name (method) a fixed Style: the i-th name asked for
// gets colour i mod 10 and marker i mod 8, so the first 40 names differ in
// colour or marker, and the first 10 in colour alone. Make one Styles per
// report and pass it to every plot (WithStyles), listing the methods in
// table order first, so that a method keeps its colour in panels where it
// has no value and in plots drawn before it appears. Styles is safe for
// concurrent use.
type Styles struct {
	mu     sync.Mutex
	byName map[string]int
	names  []string
}

// NewStyles returns Styles with names assigned in the order given.
func NewStyles(names ...string) *Styles {
	s := &Styles{byName: map[string]int{}}
	for _, n := range names {
		s.Of(n)
	}
	return s
}

// Of returns the Style of name, assigning the next one on first use.
func (s *Styles) Of(name string) Style {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byName[name]
	if !ok {
		i = len(s.names)
		s.byName[name] = i
		s.names = append(s.names, name)
	}
	return Style{Color: palette[i%len(palette)], Shape: shapes[i%len(shapes)], Dashes: dashes[(i/len(palette))%len(dashes)]}
}

// Names lists the names in the order they were assigned.
func (s *Styles) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.names...)
}

// CSS returns the style's colour as a CSS hex colour ("#1f77b4").
func (st Style) CSS() string {
	r, g, b, _ := st.Color.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// Option changes how a plot or a report is written.
type Option func(*options)

type options struct {
	styles  *Styles
	gallery *Gallery
}

// WithStyles draws every method with its Style from s (by default each
// plot assigns styles in the order of its own series).
func WithStyles(s *Styles) Option { return func(o *options) { o.styles = s } }

// WithGallery adds the per-pair image gallery g to the report's HTML page
// (WriteAll, WriteReport).
func WithGallery(g *Gallery) Option { return func(o *options) { o.gallery = g } }

// collect applies opts; names seed the default Styles.
func collect(opts []Option, names ...string) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.styles == nil {
		o.styles = NewStyles(names...)
	}
	return o
}
