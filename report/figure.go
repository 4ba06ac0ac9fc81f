package report

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/mfif/mfif/data"
)

// Panel is one labelled image of a qualitative figure. A Panel with neither
// image nor label is a blank cell (for aligning rows).
type Panel struct {
	Label string
	Image *data.Image
}

// GridOptions controls FigureGrid.
type GridOptions struct {
	// Cols is the number of panels per row (default: all in one row).
	Cols int
	// Zoom, when not empty, is a rectangle in image coordinates that is
	// outlined on every panel and shown enlarged in the panel's lower-right
	// corner, so fine detail at a focus boundary is visible.
	Zoom image.Rectangle
	// ZoomScale is the enlargement of the inset (default 2).
	ZoomScale int
}

const (
	gridPad    = 4
	labelLineH = 16
)

var zoomColor = color.RGBA{R: 230, G: 30, B: 30, A: 255}

// FigureGrid writes a PNG with the panels laid out on a white grid, each
// with its label below. Panels may differ in size; cells take the size of
// the largest panel. Gray panels are drawn as gray, RGB as colour; samples
// are rounded and saturated to 0..255.
func FigureGrid(path string, panels []Panel, opt GridOptions) error {
	if len(panels) == 0 {
		return fmt.Errorf("figure %s: no panels", path)
	}
	cols := opt.Cols
	if cols <= 0 || cols > len(panels) {
		cols = len(panels)
	}
	rows := (len(panels) + cols - 1) / cols
	cw, ch := 0, 0
	for i, p := range panels {
		if p.Image == nil && p.Label == "" {
			continue
		}
		if p.Image == nil || p.Image.W <= 0 || p.Image.H <= 0 {
			return fmt.Errorf("figure %s: panel %d (%q) has no image", path, i, p.Label)
		}
		if c := p.Image.C(); c != 1 && c != 3 {
			return fmt.Errorf("figure %s: panel %q has %d planes, want 1 or 3", path, p.Label, c)
		}
		cw, ch = max(cw, p.Image.W), max(ch, p.Image.H)
	}
	cellW, cellH := cw+2*gridPad, ch+labelLineH+2*gridPad
	canvas := image.NewRGBA(image.Rect(0, 0, cols*cellW, rows*cellH))
	draw.Draw(canvas, canvas.Bounds(), image.White, image.Point{}, draw.Src)
	if cw == 0 {
		return fmt.Errorf("figure %s: all panels are blank", path)
	}
	for i, p := range panels {
		if p.Image == nil {
			continue
		}
		x0, y0 := (i%cols)*cellW+gridPad, (i/cols)*cellH+gridPad
		img := ToRGBA(p.Image)
		if !opt.Zoom.Empty() {
			img = withZoom(img, opt.Zoom, opt.ZoomScale)
		}
		draw.Draw(canvas, image.Rect(x0, y0, x0+p.Image.W, y0+p.Image.H), img, image.Point{}, draw.Src)
		drawLabel(canvas, p.Label, x0, y0+ch+labelLineH-3, cw)
	}
	return writeFile(path, func(f io.Writer) error { return png.Encode(f, canvas) })
}

// ToRGBA converts a 1- or 3-plane image on the 0..255 scale to an RGBA
// image, rounding and saturating each sample.
func ToRGBA(m *data.Image) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, m.W, m.H))
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			i := y*m.W + x
			r := uint8(data.RoundSat255(m.Planes[0][i]))
			g, b := r, r
			if m.C() >= 3 {
				g = uint8(data.RoundSat255(m.Planes[1][i]))
				b = uint8(data.RoundSat255(m.Planes[2][i]))
			}
			out.SetRGBA(x, y, color.RGBA{R: r, G: g, B: b, A: 255})
		}
	}
	return out
}

// withZoom outlines zoom on img and pastes the enlarged crop into the
// lower-right corner.
func withZoom(img *image.RGBA, zoom image.Rectangle, scale int) *image.RGBA {
	zoom = zoom.Intersect(img.Bounds())
	if zoom.Empty() {
		return img
	}
	if scale <= 0 {
		scale = 2
	}
	out := image.NewRGBA(img.Bounds())
	draw.Draw(out, out.Bounds(), img, image.Point{}, draw.Src)
	b := img.Bounds()
	iw, ih := zoom.Dx()*scale, zoom.Dy()*scale
	if iw > b.Dx() || ih > b.Dy() { // shrink the scale until the inset fits
		s := min(float64(b.Dx())/float64(zoom.Dx()), float64(b.Dy())/float64(zoom.Dy()))
		scale = max(1, int(math.Floor(s)))
		iw, ih = zoom.Dx()*scale, zoom.Dy()*scale
	}
	ox, oy := b.Max.X-iw, b.Max.Y-ih
	for y := 0; y < ih; y++ {
		for x := 0; x < iw; x++ {
			out.SetRGBA(ox+x, oy+y, img.RGBAAt(zoom.Min.X+x/scale, zoom.Min.Y+y/scale))
		}
	}
	outline(out, zoom)
	outline(out, image.Rect(ox, oy, ox+iw, oy+ih))
	return out
}

func outline(m *image.RGBA, r image.Rectangle) {
	for x := r.Min.X; x < r.Max.X; x++ {
		m.SetRGBA(x, r.Min.Y, zoomColor)
		m.SetRGBA(x, r.Max.Y-1, zoomColor)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		m.SetRGBA(r.Min.X, y, zoomColor)
		m.SetRGBA(r.Max.X-1, y, zoomColor)
	}
}

// drawLabel writes s left-aligned at baseline (x, y), cut to width pixels.
func drawLabel(m *image.RGBA, s string, x, y, width int) {
	face := basicfont.Face7x13
	if r := []rune(s); len(r) > width/7 && width/7 > 1 {
		s = string(r[:width/7-1]) + "."
	}
	d := font.Drawer{Dst: m, Src: image.Black, Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// DiffMap returns fused minus source, contrast-stretched to 0..255 so that
// 128 means no difference and the largest absolute difference maps to 0 or
// 255. Colour inputs are compared on their gray conversion. Identical
// images give a flat 128 image.
func DiffMap(fused, source *data.Image) (*data.Image, error) {
	if err := data.SameSize(fused, source); err != nil {
		return nil, fmt.Errorf("difference map: %w", err)
	}
	f, err := fused.Gray()
	if err != nil {
		return nil, fmt.Errorf("difference map: fused: %w", err)
	}
	s, err := source.Gray()
	if err != nil {
		return nil, fmt.Errorf("difference map: source: %w", err)
	}
	out := data.NewImage(fused.W, fused.H, 1)
	var peak float64
	for i := range out.Planes[0] {
		d := f.Planes[0][i] - s.Planes[0][i]
		out.Planes[0][i] = d
		peak = math.Max(peak, math.Abs(d))
	}
	for i, d := range out.Planes[0] {
		if peak == 0 {
			out.Planes[0][i] = 128
			continue
		}
		out.Planes[0][i] = 127.5 + 127.5*d/peak
	}
	return out, nil
}

// Qualitative writes the standard comparison figure: the first row holds
// the sources and each method's fused image, the second row the difference
// map (DiffMap) of each fused image against sources[diffAgainst], under the
// image it belongs to. Names label the fused images and must match them in
// length.
func Qualitative(path string, sources []*data.Image, names []string, fused []*data.Image, diffAgainst int, opt GridOptions) error {
	if len(names) != len(fused) {
		return fmt.Errorf("figure %s: %d names for %d fused images", path, len(names), len(fused))
	}
	if diffAgainst < 0 || diffAgainst >= len(sources) {
		return fmt.Errorf("figure %s: difference source %d out of range (have %d sources)", path, diffAgainst, len(sources))
	}
	var top, bottom []Panel
	for i, s := range sources {
		top = append(top, Panel{Label: fmt.Sprintf("source %c", 'A'+i), Image: s})
		bottom = append(bottom, Panel{})
	}
	for i, f := range fused {
		d, err := DiffMap(f, sources[diffAgainst])
		if err != nil {
			return fmt.Errorf("figure %s: %s: %w", path, names[i], err)
		}
		top = append(top, Panel{Label: names[i], Image: f})
		bottom = append(bottom, Panel{Label: fmt.Sprintf("%s - %c", names[i], 'A'+diffAgainst), Image: d})
	}
	opt.Cols = len(top)
	return FigureGrid(path, append(top, bottom...), opt)
}
