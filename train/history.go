package train

import (
	"encoding/csv"
	"errors"
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

	"github.com/mfif/mfif/internal/atomicfile"
)

// EpochRecord is one completed epoch.
type EpochRecord struct {
	// Epoch is 1-based; Iteration counts optimizer steps so far.
	Epoch     int   `json:"epoch"`
	Iteration int64 `json:"iteration"`
	// LR is the learning rate of the epoch.
	LR float64 `json:"lr"`
	// TrainLoss is the mean training loss over the epoch's batches.
	TrainLoss float64 `json:"train_loss"`
	// HasVal says whether ValLoss and Metrics hold a validation.
	HasVal  bool    `json:"has_val"`
	ValLoss float64 `json:"val_loss"`
	// Metrics are the task's other validation scores (e.g. accuracy),
	// written as val_<name> columns.
	Metrics map[string]float64 `json:"metrics,omitempty"`
	// Seconds is the wall time of the epoch. It is kept in checkpoints
	// and logs but not in history.csv, whose content must not depend on
	// the machine's speed or on interruptions.
	Seconds float64 `json:"seconds"`
}

// History is the per-epoch record of a run.
type History struct {
	Epochs []EpochRecord `json:"epochs"`
}

// Add appends a record.
func (h *History) Add(r EpochRecord) { h.Epochs = append(h.Epochs, r) }

// metricNames lists the validation metric names of every record, sorted.
func (h *History) metricNames() []string {
	seen := map[string]bool{}
	for _, r := range h.Epochs {
		for k := range r.Metrics {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteCSV writes history.csv: the columns epoch, iteration, lr,
// train_loss, val_loss (empty without validation), then one val_<metric>
// column per validation metric in name order. Every trainer writes this
// one schema. Floats are written with the shortest representation that
// round-trips.
func (h *History) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	names := h.metricNames()
	header := []string{"epoch", "iteration", "lr", "train_loss", "val_loss"}
	for _, n := range names {
		header = append(header, "val_"+n)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range h.Epochs {
		val := ""
		if r.HasVal {
			val = g(r.ValLoss)
		}
		row := []string{strconv.Itoa(r.Epoch), strconv.FormatInt(r.Iteration, 10), g(r.LR), g(r.TrainLoss), val}
		for _, n := range names {
			v, ok := r.Metrics[n]
			if ok {
				row = append(row, g(v))
			} else {
				row = append(row, "")
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SaveCSV writes WriteCSV's output to path atomically.
func (h *History) SaveCSV(path string) error {
	return atomicfile.Write(path, h.WriteCSV)
}

// Plot draws the training and validation loss against the epoch.
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

// SavePlots writes the loss curves to each path in the format its
// extension names (png, svg, pdf).
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
