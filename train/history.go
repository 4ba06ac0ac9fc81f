package train

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/mfif/mfif/internal/atomicfile"
)

// EpochRecord summarizes one epoch.
type EpochRecord struct {
	// Epoch is 1-based.
	Epoch int `json:"epoch"`
	// Iteration is the number of optimizer steps completed at the end of
	// the epoch.
	Iteration int64 `json:"iteration"`
	// LR is the learning rate used during the epoch.
	LR float64 `json:"lr"`
	// TrainLoss is the mean training loss over the epoch's batches.
	TrainLoss float64 `json:"train_loss"`
	// HasVal reports whether ValLoss was measured.
	HasVal bool `json:"has_val"`
	// ValLoss is the validation loss after the epoch.
	ValLoss float64 `json:"val_loss"`
	// Seconds is the wall-clock duration of the epoch, validation included.
	Seconds float64 `json:"seconds"`
}

// History is the per-epoch loss history of a run; it is stored in every
// checkpoint.
type History struct {
	Epochs []EpochRecord `json:"epochs"`
}

// Add appends a record.
func (h *History) Add(r EpochRecord) { h.Epochs = append(h.Epochs, r) }

// csvHeader names the CSV columns.
var csvHeader = []string{"epoch", "iteration", "lr", "train_loss", "val_loss", "seconds"}

// WriteCSV writes the history as CSV (an empty val_loss cell when none was
// measured). Floats are printed with the shortest exact representation.
func (h *History) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range h.Epochs {
		val := ""
		if r.HasVal {
			val = g(r.ValLoss)
		}
		row := []string{strconv.Itoa(r.Epoch), strconv.FormatInt(r.Iteration, 10), g(r.LR),
			g(r.TrainLoss), val, strconv.FormatFloat(r.Seconds, 'f', 3, 64)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SaveCSV writes the history atomically to path.
func (h *History) SaveCSV(path string) error {
	return atomicfile.Write(path, h.WriteCSV)
}

// Plot returns a loss-versus-epoch plot with a training and, when any
// validation loss was measured, a validation series. Non-finite losses are
// skipped. A history without epochs is an error.
func (h *History) Plot(title string) (*plot.Plot, error) {
	if len(h.Epochs) == 0 {
		return nil, errors.New("loss curves: empty history")
	}
	var tr, va plotter.XYs
	for _, r := range h.Epochs {
		if finite(r.TrainLoss) {
			tr = append(tr, plotter.XY{X: float64(r.Epoch), Y: r.TrainLoss})
		}
		if r.HasVal && finite(r.ValLoss) {
			va = append(va, plotter.XY{X: float64(r.Epoch), Y: r.ValLoss})
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss"
	p.Add(plotter.NewGrid())
	for _, s := range []struct {
		name string
		xys  plotter.XYs
		c    color.Color
	}{{"train", tr, color.RGBA{R: 31, G: 119, B: 180, A: 255}}, {"validation", va, color.RGBA{R: 214, G: 39, B: 40, A: 255}}} {
		if len(s.xys) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return nil, fmt.Errorf("loss curves: %s series: %w", s.name, err)
		}
		l.Color, pts.Color = s.c, s.c
		pts.Radius = vg.Points(1.5)
		p.Add(l, pts)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top = true
	return p, nil
}

// SavePlots writes the loss curves atomically to each of paths; the format
// follows the extension (.png, .svg, .pdf...).
func (h *History) SavePlots(title string, paths ...string) error {
	p, err := h.Plot(title)
	if err != nil {
		return err
	}
	for _, path := range paths {
		ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
		wt, err := p.WriterTo(16*vg.Centimeter, 10*vg.Centimeter, ext)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		if err := atomicfile.Write(path, func(w io.Writer) error { _, err := wt.WriteTo(w); return err }); err != nil {
			return err
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
