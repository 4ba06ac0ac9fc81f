package report

import (
	"bytes"
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
