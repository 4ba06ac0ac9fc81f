package report

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkImageFile asserts that path holds a decodable PNG or an SVG document.
func checkImageFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(path) {
	case ".png":
		m, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if m.Bounds().Dx() < 50 || m.Bounds().Dy() < 50 {
			t.Errorf("%s: tiny image %v", path, m.Bounds())
		}
	case ".svg":
		if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("</svg>")) {
			t.Errorf("%s: not an SVG document", path)
		}
	case ".pdf":
		if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[len(b)-32:], []byte("%%EOF")) {
			t.Errorf("%s: not a PDF document", path)
		}
	}
}

func TestPlots(t *testing.T) {
	dir := t.TempDir()
	r := tinyResults()
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"png", "svg"} {
		bars := filepath.Join(dir, "bars."+ext)
		if err := ResultsBars(bars, r); err != nil {
			t.Fatal(err)
		}
		checkImageFile(t, bars)
		boxes, err := ResultsBoxes(dir, ext, r)
		if err != nil || len(boxes) != 2 {
			t.Fatalf("boxes %v: %v", boxes, err)
		}
		for _, p := range boxes {
			checkImageFile(t, p)
		}
		line := filepath.Join(dir, "sweep."+ext)
		err = LinePlot(line, "sweep", "lr", "Q_G", []LineSeries{
			{Name: "dca", X: []float64{1, 2, 3}, Mean: []float64{0.5, 0.6, 0.55}, Std: []float64{0.01, 0.02, 0.01}},
			{Name: "plain", X: []float64{1, 2, 3}, Mean: []float64{0.4, 0.5, 0.52}},
		})
		if err != nil {
			t.Fatal(err)
		}
		checkImageFile(t, line)
		loss := filepath.Join(dir, "loss."+ext)
		if err := LossCurves(loss, "training", map[string][]float64{"train": {1, 0.5, 0.3}, "val": {1.1, 0.7, 0.5}}); err != nil {
			t.Fatal(err)
		}
		checkImageFile(t, loss)
	}
}

func TestPlotErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"bad extension", LossCurves(filepath.Join(dir, "x.gif"), "", map[string][]float64{"a": {1}}), "unsupported extension"},
		{"nan loss", LossCurves(filepath.Join(dir, "x.png"), "", map[string][]float64{"a": {1, math.NaN()}}), "not finite"},
		{"empty loss", LossCurves(filepath.Join(dir, "x.png"), "", nil), "no series"},
		{"ragged bars", GroupedBars(filepath.Join(dir, "x.png"), "", "", []string{"a", "b"}, []Series{{Name: "s", Values: []float64{1}}}), "1 values for 2 groups"},
		{"empty box", BoxPlot(filepath.Join(dir, "x.png"), "", "", []string{"m"}, map[string][]float64{}), "empty"},
		{"ragged line", LinePlot(filepath.Join(dir, "x.png"), "", "", "", []LineSeries{{Name: "s", X: []float64{1, 2}, Mean: []float64{1}}}), "2 x, 1 means"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, c.err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.png")); !os.IsNotExist(err) {
		t.Errorf("a failed plot left a file behind: %v", err)
	}
}

func TestGroupedBarsAndPanels(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.svg")
	if err := GroupedBars(path, "t", "score", []string{"Q_G", "Q_CB"}, []Series{{"a", []float64{0.5, 0.6}}, {"b", []float64{0.7, -0.1}}}); err != nil {
		t.Fatal(err)
	}
	checkImageFile(t, path)
	path = filepath.Join(dir, "p.png")
	panels := []BarPanel{{"PSNR", []string{"a", "b"}, []float64{30, 40}}, {"SSIM", []string{"a", "b"}, []float64{0.9, 0.95}}, {"Q_SF", []string{"a", "b"}, []float64{-0.1, 0.02}}}
	if err := BarPanels(path, "", panels, 2); err != nil {
		t.Fatal(err)
	}
	checkImageFile(t, path)
	panels[1].Values = []float64{math.Inf(1), 0}
	if err := BarPanels(path, "", panels, 2); err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("inf bar: %v", err)
	}
}

func TestBarAxis(t *testing.T) {
	cases := []struct {
		name        string
		vals        []float64
		cut, labels bool
		decimals    int
	}{
		{"close values far from 0: cut, labelled", []float64{0.812, 0.815, 0.809}, true, true, 4},
		{"spread from near 0: from 0, no labels", []float64{0.1, 0.9, 0.5}, false, false, 4},
		{"two close among spread: from 0, labelled", []float64{0.3, 0.305, 0.9}, false, true, 4},
		{"around 0", []float64{-0.05, 0.01, -0.02}, false, false, 5},
		{"negative far from 0: cut", []float64{-30.2, -30.5, -30.1}, true, true, 2},
		{"one value", []float64{0.7}, true, true, 4},
		{"PSNR", []float64{44.78, 47.55, 47.35}, true, true, 2},
		{"needs more digits", []float64{1.00001, 1.00002}, true, true, 5},
	}
	for _, c := range cases {
		ax := newBarAxis(c.vals)
		if ax.cut != c.cut || ax.labels != c.labels || ax.decimals != c.decimals {
			t.Errorf("%s: cut %v labels %v decimals %d, want %v %v %d", c.name, ax.cut, ax.labels, ax.decimals, c.cut, c.labels, c.decimals)
		}
		for _, v := range c.vals {
			if v <= ax.lo || v >= ax.hi {
				t.Errorf("%s: %v outside the axis [%v, %v]", c.name, v, ax.lo, ax.hi)
			}
		}
		if !c.cut && (ax.lo > 0 || ax.hi < 0) {
			t.Errorf("%s: axis [%v, %v] should hold 0", c.name, ax.lo, ax.hi)
		}
		if c.cut && ax.lo <= 0 && ax.hi >= 0 {
			t.Errorf("%s: cut axis [%v, %v] holds 0", c.name, ax.lo, ax.hi)
		}
	}
}

func TestStylesStable(t *testing.T) {
	s := NewStyles("b", "a")
	if s.Of("b").CSS() != "#1f77b4" || s.Of("a").CSS() != "#ff7f0e" || s.Of("new").CSS() != "#2ca02c" {
		t.Errorf("styles in order of first use: %s %s %s", s.Of("b").CSS(), s.Of("a").CSS(), s.Of("new").CSS())
	}
	if got := s.Names(); strings.Join(got, ",") != "b,a,new" {
		t.Errorf("names %v", got)
	}
	seen := map[string]bool{}
	for i := 0; i < 40; i++ {
		st := s.Of(fmt.Sprint("m", i))
		key := fmt.Sprintf("%s %T", st.CSS(), st.Shape)
		if seen[key] {
			t.Fatalf("style %d repeats colour and marker %s", i, key)
		}
		seen[key] = true
	}
}

// TestBarsColourPerMethod draws bars.svg for methods of which the first
// lacks a metric and checks, in the SVG, that every method's colour is
// used in every panel where it has a value: no method takes another's
// colour when a panel has fewer bars.
func TestBarsColourPerMethod(t *testing.T) {
	r := NewResults(Provenance{}, []MetricInfo{{Name: "map.acc", Better: Higher}, {Name: "Q_G", Better: Higher}})
	for i, m := range []string{"nomap", "one", "two"} {
		sc := map[string]float64{"Q_G": 0.5 + 0.1*float64(i)}
		if m != "nomap" {
			sc["map.acc"] = 0.9 + 0.01*float64(i)
		}
		r.Add(m, "img", sc)
	}
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bars.svg")
	if err := ResultsBars(path, r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	// category10 colours as the SVG writer spells them; the first three
	// markers (circle, box, pyramid) are filled, so each panel fills the
	// colour twice.
	colours := map[string]string{"nomap": "#1F77B4", "one": "#FF7F0E", "two": "#2CA02C"}
	for m, c := range colours {
		want := 2 // one panel: the bar and its marker
		if m != "nomap" {
			want = 4
		}
		if n := strings.Count(svg, "fill:"+c); n != want {
			t.Errorf("%s: colour %s filled %d times, want %d (bar and marker in each panel)", m, c, n, want)
		}
	}
}
