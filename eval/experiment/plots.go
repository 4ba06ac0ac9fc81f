package experiment

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mfif/mfif/report"
)

// linePlots draws, for each numeric axis other than the repeat axis, one
// plot per metric: x = axis value, one line per method and combination of
// the other axes, error bars = std over the repeat axis. Zip axes advance
// together, so they make one x axis: the first numeric zip axis in name
// order (its label names the others), never a series each.
func (rp *reporter) linePlots(ds, dir string, rows []row, infos []report.MetricInfo) error {
	zip := rp.zipAxes()
	zipPlotted := false
	for _, axis := range rp.axisNames() {
		if axis == rp.spec.Outputs.Repeat || (zip[axis] && zipPlotted) {
			continue
		}
		groups, ok := rp.groupRows(rows, infos, axis)
		if !ok {
			continue
		}
		xlabel := axis
		if zip[axis] {
			zipPlotted = true
			var others []string
			for _, a := range rp.axisNames() {
				if zip[a] && a != axis {
					others = append(others, a)
				}
			}
			if len(others) > 0 {
				xlabel += " (with " + strings.Join(others, ", ") + ")"
			}
		}
		var links []string
		for _, m := range infos {
			var series []report.LineSeries
			for _, g := range groups {
				ls := report.LineSeries{Name: strings.Join(g.Keys, " ")}
				for _, x := range g.X() {
					st := g.Stat(x, m.Name)
					if st.N == 0 {
						continue
					}
					ls.X, ls.Mean = append(ls.X, x), append(ls.Mean, st.Mean)
					if rp.spec.Outputs.Repeat != "" {
						ls.Std = append(ls.Std, st.Std)
					}
				}
				if len(ls.X) > 0 {
					series = append(series, ls)
				}
			}
			if len(series) == 0 {
				continue
			}
			p := filepath.Join(dir, "line_"+slugify(axis)+"_"+slugify(m.Name)+".png")
			if err := report.LinePlot(p, fmt.Sprintf("%s: %s vs %s", ds, m.Name, axis), xlabel, m.Name, series, report.WithStyles(rp.style)); err != nil {
				return err
			}
			rp.sum.Files = append(rp.sum.Files, p)
			links = append(links, fmt.Sprintf("![%s](%s)", m.Name, rp.rel(p)))
		}
		if len(links) > 0 {
			rp.mdf("### %s vs %s\n\n%s\n", "metrics", axis, strings.Join(links, "\n"))
		}
	}
	return nil
}

// runtimePlots draws seconds per pair against every numeric sweep axis
// (e.g. sampler steps), one line per method, std over pairs as error bars;
// zip axes are one axis, as in linePlots.
func (rp *reporter) runtimePlots(ds, dir string) error {
	zip, zipPlotted := rp.zipAxes(), false
	for _, axis := range rp.axisNames() {
		if zip[axis] && zipPlotted {
			continue // advances with the zip axis already plotted
		}
		byMethod := map[string]*report.LineSeries{}
		numeric := true
		for _, cd := range rp.cells {
			v, _ := cd.Cell.Value(axis)
			x, ok := toFloat(v)
			if !ok {
				numeric = false
				break
			}
			for _, m := range report.SortedKeys(cd.Timing[ds]) {
				var secs []float64
				for _, s := range cd.Timing[ds][m].Seconds {
					secs = append(secs, s)
				}
				if len(secs) == 0 {
					continue
				}
				ls := byMethod[m]
				if ls == nil {
					ls = &report.LineSeries{Name: m}
					byMethod[m] = ls
				}
				st := report.MeanStd(secs)
				ls.X, ls.Mean, ls.Std = append(ls.X, x), append(ls.Mean, st.Mean), append(ls.Std, st.Std)
			}
		}
		if !numeric || len(byMethod) == 0 {
			continue
		}
		zipPlotted = zipPlotted || zip[axis]
		var series []report.LineSeries
		for _, m := range report.SortedKeys(byMethod) {
			series = append(series, *byMethod[m])
		}
		p := filepath.Join(dir, "runtime_"+slugify(axis)+".png")
		if err := report.LinePlot(p, ds+": seconds per pair vs "+axis, axis, "seconds per pair", series, report.WithStyles(rp.style)); err != nil {
			return err
		}
		rp.sum.Files = append(rp.sum.Files, p)
		rp.mdf("![runtime vs %s](%s)\n", axis, rp.rel(p))
	}
	return nil
}

// losses plots the training curves of every trained model, one figure per
// method, one curve per cell (train and, when recorded, validation loss).
func (rp *reporter) losses() error {
	byMethod := map[string]map[string][]float64{}
	seen := map[string]bool{}
	for _, cd := range rp.cells {
		for m, ref := range cd.Models {
			if ref.Dir == "" || seen[ref.Dir] {
				continue
			}
			seen[ref.Dir] = true
			dir := ref.Dir
			if _, err := os.Stat(filepath.Join(rp.dir, dir)); err == nil && !filepath.IsAbs(dir) {
				dir = filepath.Join(rp.dir, dir)
			}
			tr, val, err := readLoss(dir)
			if err != nil || len(tr) == 0 {
				continue
			}
			if byMethod[m] == nil {
				byMethod[m] = map[string][]float64{}
			}
			label := shortLabel(cd.Cell)
			byMethod[m][label+" train"] = tr
			if len(val) > 0 {
				byMethod[m][label+" val"] = val
			}
		}
	}
	if len(byMethod) == 0 {
		return nil
	}
	rp.mdf("## Training curves\n")
	for _, m := range report.SortedKeys(byMethod) {
		p := filepath.Join(rp.out, "loss_"+slugify(m)+".png")
		if err := report.LossCurves(p, "training loss: "+m, byMethod[m], report.WithStyles(rp.style)); err != nil {
			return err
		}
		rp.sum.Files = append(rp.sum.Files, p)
		rp.mdf("![loss %s](%s)\n", m, rp.rel(p))
	}
	return nil
}

// HistoryFile is the per-epoch record every trainer writes in its folder
// (columns epoch, iteration, lr, train_loss, val_loss, val_<metric>...).
const HistoryFile = "history.csv"

// readLoss reads the train_loss and val_loss columns of a training
// folder's history.csv.
func readLoss(dir string) (train, val []float64, err error) {
	f, err := os.Open(filepath.Join(dir, HistoryFile))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, nil, err
	}
	ti, vi := -1, -1
	for i, h := range recs[0] {
		switch h {
		case "train_loss":
			ti = i
		case "val_loss":
			vi = i
		}
	}
	if ti < 0 {
		return nil, nil, fmt.Errorf("%s: no train_loss column", dir)
	}
	for _, r := range recs[1:] {
		if x, err := strconv.ParseFloat(r[ti], 64); err == nil {
			train = append(train, x)
		}
		if vi >= 0 && vi < len(r) {
			if x, err := strconv.ParseFloat(r[vi], 64); err == nil {
				val = append(val, x)
			}
		}
	}
	return train, val, nil
}
