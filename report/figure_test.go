package report

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

func ramp(w, h, c int, f func(x, y int) float64) *data.Image {
	m := data.NewImage(w, h, c)
	for p := 0; p < c; p++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.Set(p, x, y, f(x, y))
			}
		}
	}
	return m
}

func TestDiffMap(t *testing.T) {
	src := ramp(4, 2, 1, func(x, y int) float64 { return 100 })
	fused := ramp(4, 2, 1, func(x, y int) float64 { return 100 + float64(x-1)*10 })
	d, err := DiffMap(fused, src)
	if err != nil {
		t.Fatal(err)
	}
	// differences -10, 0, 10, 20: peak 20 maps to 255, -10 to 63.75.
	want := []float64{63.75, 127.5, 191.25, 255}
	for x, w := range want {
		if got := d.At(0, x, 1); got != w {
			t.Errorf("diff at x=%d: %v, want %v", x, got, w)
		}
	}
	same, err := DiffMap(src, src)
	if err != nil || same.At(0, 0, 0) != 128 {
		t.Errorf("identical images: %v, %v", same.At(0, 0, 0), err)
	}
	if _, err := DiffMap(ramp(3, 2, 1, nil2), src); err == nil || !strings.Contains(err.Error(), "3x2 vs 4x2") {
		t.Errorf("size mismatch: %v", err)
	}
}

func nil2(x, y int) float64 { return 0 }

func TestFigureGrid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fig.png")
	gray := ramp(40, 30, 1, func(x, y int) float64 { return float64(x * 6) })
	rgb := ramp(40, 30, 3, func(x, y int) float64 { return float64(y * 8) })
	panels := []Panel{{"source A", gray}, {"source B", rgb}, {"a very long method name here", gray}}
	err := FigureGrid(path, panels, GridOptions{Cols: 2, Zoom: image.Rect(5, 5, 15, 12), ZoomScale: 2})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	cellW, cellH := 40+2*gridPad, 30+labelLineH+2*gridPad
	if m.Bounds().Dx() != 2*cellW || m.Bounds().Dy() != 2*cellH {
		t.Errorf("grid size %v, want %dx%d", m.Bounds(), 2*cellW, 2*cellH)
	}
	// The zoom outline's top-left corner is red on the first panel.
	r, g, _, _ := m.At(gridPad+5, gridPad+5).RGBA()
	if r>>8 != 230 || g>>8 != 30 {
		t.Errorf("zoom outline missing: got r=%d g=%d", r>>8, g>>8)
	}
	// The lower-right inset shows the crop enlarged: the first panel's pixel
	// inside the inset equals the source at the matching zoom position.
	ix, iy := gridPad+40-20+3, gridPad+30-14+3 // inset origin + (3,3) => source (5+1, 5+1)
	r, _, _, _ = m.At(ix, iy).RGBA()
	if want := uint32(6 * 6); r>>8 != want {
		t.Errorf("inset pixel %d, want %d", r>>8, want)
	}
	if err := FigureGrid(path, []Panel{{"empty", nil}}, GridOptions{}); err == nil {
		t.Error("nil image accepted")
	}
}

func TestQualitative(t *testing.T) {
	path := filepath.Join(t.TempDir(), "qual.png")
	a := ramp(20, 10, 3, func(x, y int) float64 { return float64(10 * x) })
	b := ramp(20, 10, 3, func(x, y int) float64 { return 50 })
	f := ramp(20, 10, 3, func(x, y int) float64 { return float64(10*x) + 5 })
	if err := Qualitative(path, []*data.Image{a, b}, []string{"m1"}, []*data.Image{f}, 0, GridOptions{}); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	m, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	cellW, cellH := 20+2*gridPad, 10+labelLineH+2*gridPad
	if m.Bounds().Dx() != 3*cellW || m.Bounds().Dy() != 2*cellH {
		t.Fatalf("size %v", m.Bounds())
	}
	// Bottom-left cell is blank; the diff under m1 is a constant +5, which
	// stretches to white.
	if r, _, _, _ := m.At(gridPad+3, cellH+gridPad+3).RGBA(); r>>8 != 255 {
		t.Errorf("blank cell not white: %d", r>>8)
	}
	if r, g, b, _ := m.At(2*cellW+gridPad+3, cellH+gridPad+3).RGBA(); r>>8 != 255 || g != r || b != r {
		t.Errorf("diff pixel %d %d %d, want white", r>>8, g>>8, b>>8)
	}
	if r, _, _, _ := m.At(2*cellW+gridPad+3, gridPad+3).RGBA(); r>>8 != 35 {
		t.Errorf("fused pixel %d, want 35", r>>8)
	}
	if err := Qualitative(path, []*data.Image{a}, []string{"m1", "m2"}, []*data.Image{f}, 0, GridOptions{}); err == nil {
		t.Error("name/image count mismatch accepted")
	}
	if err := Qualitative(path, []*data.Image{a}, []string{"m1"}, []*data.Image{f}, 2, GridOptions{}); err == nil {
		t.Error("out-of-range diff source accepted")
	}
}
