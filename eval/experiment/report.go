package experiment

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/report"
)

// cellData is what the report finds on disk for one cell.
type cellData struct {
	Cell    Cell
	Status  string // "done", "partial" or "pending"
	Plan    plan
	Run     RunInfo
	Results map[string]*report.Results   // by dataset
	Timing  map[string]map[string]Timing // dataset -> method
	Models  map[string]ModelRef          // method -> model
}

// Summary lists what a report contains.
type Summary struct {
	// Markdown is the path of report.md.
	Markdown string
	// Done, Partial and Pending count the cells by state.
	Done, Partial, Pending int
	// Files are all files written.
	Files []string
}

// Report writes the report of the experiment folder dir (runs/<name>)
// into dir/report from the files on disk alone: one table set per dataset
// (a methods x metrics table without a sweep; a sweep table with the axes
// as columns, and its mean over the repeat axis, with one), line plots of
// every metric over each numeric axis, bar charts, runtime tables, loss
// curves of every trained model, the configured qualitative figures and a
// report.md linking everything. Cells that have not finished contribute
// the datasets they have completed; a cell with nothing is listed as
// pending.
func Report(dir string) (*Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, SpecFile))
	if err != nil {
		return nil, fmt.Errorf("report %s: not an experiment folder: %w", dir, err)
	}
	var s Spec
	if err := configs.Decode(b, nil, &s); err != nil {
		return nil, fmt.Errorf("report %s: %s: %w", dir, SpecFile, err)
	}
	var cells []Cell
	if err := readJSON(filepath.Join(dir, CellsFile), &cells); err != nil {
		return nil, fmt.Errorf("report %s: %w", dir, err)
	}
	rep := &reporter{spec: &s, dir: dir, out: filepath.Join(dir, "report"), sum: &Summary{}, style: report.NewStyles()}
	for _, c := range cells {
		cd, err := loadCell(filepath.Join(dir, c.Name), c)
		if err != nil {
			return nil, fmt.Errorf("report %s: %w", dir, err)
		}
		rep.cells = append(rep.cells, cd)
		for _, m := range cd.Plan.Methods {
			rep.style.Of(m.Name) // every plot of the report draws a method alike
		}
	}
	if err := os.MkdirAll(rep.out, 0o755); err != nil {
		return nil, fmt.Errorf("report %s: %w", dir, err)
	}
	if err := rep.build(); err != nil {
		return nil, fmt.Errorf("report %s: %w", dir, err)
	}
	return rep.sum, nil
}

func loadCell(dir string, c Cell) (*cellData, error) {
	cd := &cellData{Cell: c, Status: string(Pending), Results: map[string]*report.Results{},
		Timing: map[string]map[string]Timing{}}
	var rec cellRecord
	if err := readJSON(filepath.Join(dir, CellFile), &rec); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return cd, nil
		}
		return nil, err
	}
	cd.Plan, cd.Run, cd.Status = rec.Plan, rec.Run, string(Partial)
	if b, err := os.ReadFile(filepath.Join(dir, DoneFile)); err == nil && strings.TrimSpace(string(b)) == rec.Key {
		cd.Status = string(Done)
	}
	for ds := range rec.Plan.Datasets {
		path := filepath.Join(dir, "metrics", ds+".json")
		if _, err := os.Stat(path); err != nil {
			continue
		}
		r, err := report.ReadResults(path)
		if err != nil {
			return nil, err
		}
		if err := r.Summarize(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		cd.Results[ds] = r
		tdir := filepath.Join(dir, "timing", ds)
		entries, _ := os.ReadDir(tdir)
		for _, e := range entries {
			var t Timing
			if err := readJSON(filepath.Join(tdir, e.Name()), &t); err != nil {
				return nil, err
			}
			if cd.Timing[ds] == nil {
				cd.Timing[ds] = map[string]Timing{}
			}
			cd.Timing[ds][t.Method] = t
		}
	}
	if err := readJSON(filepath.Join(dir, CheckpointsFile), &cd.Models); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return cd, nil
}

type reporter struct {
	spec  *Spec
	dir   string
	out   string
	cells []*cellData
	sum   *Summary
	md    strings.Builder
	style *report.Styles
}

func (rp *reporter) mdf(format string, args ...any) { fmt.Fprintf(&rp.md, format+"\n", args...) }

func (rp *reporter) rel(path string) string {
	r, err := filepath.Rel(rp.out, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}

func (rp *reporter) swept() bool { return len(rp.spec.Sweep.Grid)+len(rp.spec.Sweep.Zip) > 0 }

func (rp *reporter) build() error {
	rp.mdf("# Experiment %s\n", rp.spec.Name)
	if rp.spec.Description != "" {
		rp.mdf("%s\n", strings.TrimSpace(rp.spec.Description))
	}
	rp.cellList()
	for _, ds := range report.SortedKeys(rp.spec.Datasets) {
		if rp.spec.Datasets[ds].Train {
			continue
		}
		if err := rp.dataset(ds); err != nil {
			return fmt.Errorf("dataset %s: %w", ds, err)
		}
	}
	if err := rp.losses(); err != nil {
		return err
	}
	if err := rp.figures(); err != nil {
		return err
	}
	path := filepath.Join(rp.out, "report.md")
	if err := atomicfile.WriteFile(path, []byte(rp.md.String())); err != nil {
		return err
	}
	rp.sum.Markdown = path
	rp.sum.Files = append(rp.sum.Files, path)
	return nil
}

func (rp *reporter) cellList() {
	rp.mdf("## Cells\n")
	rp.mdf("| # | cell | values | state | device |")
	rp.mdf("|---|---|---|---|---|")
	for _, cd := range rp.cells {
		switch Status(cd.Status) {
		case Done:
			rp.sum.Done++
		case Partial:
			rp.sum.Partial++
		default:
			rp.sum.Pending++
		}
		dev := cd.Run.Device
		if cd.Run.CPUModel != "" {
			dev += " (" + cd.Run.CPUModel + ")"
		}
		rp.mdf("| %d | `%s` | %s | %s | %s |", cd.Cell.Index, cd.Cell.Name, cd.Cell.Label(), cd.Status, dev)
	}
	rp.mdf("\n%d done, %d partial, %d pending. Results below use every finished dataset of every cell.\n",
		rp.sum.Done, rp.sum.Partial, rp.sum.Pending)
}

// row is one (cell, method) line of a dataset's results.
type row struct {
	cell   *cellData
	method string
	stats  map[string]report.Stat
}

func (rp *reporter) rows(ds string) ([]row, []report.MetricInfo) {
	var out []row
	var infos []report.MetricInfo
	for _, cd := range rp.cells {
		r := cd.Results[ds]
		if r == nil {
			continue
		}
		if infos == nil {
			infos = r.Metrics
		}
		for _, m := range r.Methods {
			out = append(out, row{cell: cd, method: m, stats: r.Summary[m]})
		}
	}
	return out, infos
}

func (rp *reporter) dataset(ds string) error {
	rows, infos := rp.rows(ds)
	rp.mdf("## Dataset %s\n", ds)
	if len(rows) == 0 {
		rp.mdf("No finished results yet.\n")
		return nil
	}
	dir := filepath.Join(rp.out, ds)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if !rp.swept() {
		r := rows[0].cell.Results[ds]
		files, err := report.WriteAll(dir, fmt.Sprintf("%s: %s", rp.spec.Name, ds), r, report.WithStyles(rp.style))
		if err != nil {
			return err
		}
		rp.sum.Files = append(rp.sum.Files, files...)
		rp.mdf("%s", r.Table(fmt.Sprintf("%s on %s (mean over %d pairs)", rp.spec.Name, ds, len(r.Images)), rp.spec.Outputs.Std).Markdown())
		rp.mdf("\nFiles: [page](%s), [CSV](%s), [LaTeX](%s), [results.json](%s).\n\n![bars](%s)\n",
			rp.rel(filepath.Join(dir, report.HTMLFile)), rp.rel(filepath.Join(dir, "table.csv")), rp.rel(filepath.Join(dir, "table.tex")),
			rp.rel(filepath.Join(dir, "results.json")), rp.rel(filepath.Join(dir, "bars.png")))
	} else if err := rp.sweepTables(ds, dir, rows, infos); err != nil {
		return err
	}
	return rp.runtime(ds, dir)
}

// methodsIn lists the distinct methods of rows in order of appearance.
func methodsIn(rows []row) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.method] {
			seen[r.method] = true
			out = append(out, r.method)
		}
	}
	return out
}

func (rp *reporter) axisNames() []string {
	axes, _ := rp.spec.axes()
	out := make([]string, len(axes))
	for i, a := range axes {
		out[i] = a.name
	}
	return out
}

func columns(infos []report.MetricInfo) []report.Column {
	cols := make([]report.Column, len(infos))
	for i, m := range infos {
		cols[i] = report.Column{Name: m.Name, Better: m.Better}
	}
	return cols
}

func (rp *reporter) sweepTables(ds, dir string, rows []row, infos []report.MetricInfo) error {
	axes := rp.axisNames()
	multi := len(methodsIn(rows)) > 1
	keys := append([]string(nil), axes...)
	if multi {
		keys = append(keys, "Method")
	}
	t := &report.Table{Caption: fmt.Sprintf("%s on %s: every cell (mean over pairs)", rp.spec.Name, ds),
		Keys: keys, Columns: columns(infos), ShowStd: rp.spec.Outputs.Std}
	var series []report.Series
	for _, r := range rows {
		var k []string
		for _, a := range axes {
			v, _ := r.cell.Cell.Value(a)
			k = append(k, FormatValue(v))
		}
		label := strings.Join(k, ", ")
		if multi {
			k = append(k, r.method)
			label = r.method + " " + label
		}
		cells := make([]report.Cell, len(infos))
		vals := make([]float64, len(infos))
		for i, m := range infos {
			st, ok := r.stats[m.Name]
			cells[i] = report.Cell{Mean: st.Mean, Std: st.Std, Missing: !ok}
			vals[i] = st.Mean
		}
		t.Rows = append(t.Rows, report.Row{Keys: k, Cells: cells})
		series = append(series, report.Series{Name: label, Values: vals})
	}
	if err := rp.writeTable(dir, "sweep", t); err != nil {
		return err
	}
	groups := make([]string, len(infos))
	for i, m := range infos {
		groups[i] = m.Name
	}
	bars := filepath.Join(dir, "sweep_bars.png")
	if err := report.GroupedBars(bars, rp.spec.Name+" "+ds, "value", groups, series, report.WithStyles(rp.style)); err != nil {
		return err
	}
	rp.sum.Files = append(rp.sum.Files, bars)
	rp.mdf("![bars](%s)\n", rp.rel(bars))
	if rp.spec.Outputs.Repeat != "" {
		if err := rp.repeatTable(ds, dir, rows, infos); err != nil {
			return err
		}
	}
	return rp.linePlots(ds, dir, rows, infos)
}

func (rp *reporter) writeTable(dir, base string, t *report.Table) error {
	if err := t.Validate(); err != nil {
		return err
	}
	files := map[string]string{"md": t.Markdown(), "csv": t.CSV(), "tex": t.LaTeX()}
	for _, ext := range []string{"md", "csv", "tex"} {
		p := filepath.Join(dir, base+"."+ext)
		if err := atomicfile.WriteFile(p, []byte(files[ext])); err != nil {
			return err
		}
		rp.sum.Files = append(rp.sum.Files, p)
	}
	rp.mdf("%s", files["md"])
	rp.mdf("\nFiles: [CSV](%s), [LaTeX](%s).\n", rp.rel(filepath.Join(dir, base+".csv")), rp.rel(filepath.Join(dir, base+".tex")))
	return nil
}

// group is a set of rows that differ only in the repeat axis (and, for a
// line plot, the x axis).
type group struct {
	keys []string
	x    []float64
	vals map[float64]map[string][]float64 // x -> metric -> per-repeat means
}

// groupRows groups rows by method and every axis except the repeat axis
// and skip; x (when xAxis is set) is the numeric value on xAxis.
func (rp *reporter) groupRows(rows []row, infos []report.MetricInfo, xAxis string) ([]*group, bool) {
	var order []*group
	byKey := map[string]*group{}
	zip := rp.zipAxes()
	for _, r := range rows {
		keys := []string{r.method}
		x := 0.0
		for _, a := range rp.axisNames() {
			v, _ := r.cell.Cell.Value(a)
			switch {
			case a == rp.spec.Outputs.Repeat:
				continue
			case a == xAxis:
				f, ok := toFloat(v)
				if !ok {
					return nil, false
				}
				x = f
				continue
			case zip[xAxis] && zip[a]:
				continue // advances with the x axis: not a series of its own
			}
			keys = append(keys, a+"="+FormatValue(v))
		}
		id := strings.Join(keys, "\x00")
		g := byKey[id]
		if g == nil {
			g = &group{keys: keys, vals: map[float64]map[string][]float64{}}
			byKey[id] = g
			order = append(order, g)
		}
		if g.vals[x] == nil {
			g.vals[x] = map[string][]float64{}
			g.x = append(g.x, x)
		}
		for _, m := range infos {
			if st, ok := r.stats[m.Name]; ok {
				g.vals[x][m.Name] = append(g.vals[x][m.Name], st.Mean)
			}
		}
	}
	for _, g := range order {
		sort.Float64s(g.x)
	}
	return order, true
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// meanStd is report.MeanStd as two numbers: the mean and the sample (n-1)
// standard deviation, 0 and 0 for no values.
func meanStd(v []float64) (float64, float64) {
	st := report.MeanStd(v)
	return st.Mean, st.Std
}

func (rp *reporter) repeatTable(ds, dir string, rows []row, infos []report.MetricInfo) error {
	groups, _ := rp.groupRows(rows, infos, "")
	keys := []string{"Method"}
	for _, a := range rp.axisNames() {
		if a != rp.spec.Outputs.Repeat {
			keys = append(keys, a)
		}
	}
	keys = append(keys, "n")
	t := &report.Table{Caption: fmt.Sprintf("%s on %s: mean ± std over %s", rp.spec.Name, ds, rp.spec.Outputs.Repeat),
		Keys: keys, Columns: columns(infos), ShowStd: true}
	for _, g := range groups {
		k := []string{g.keys[0]}
		for _, kv := range g.keys[1:] {
			_, v, _ := strings.Cut(kv, "=")
			k = append(k, v)
		}
		n := 0
		cells := make([]report.Cell, len(infos))
		for i, m := range infos {
			v := g.vals[0][m.Name]
			n = max(n, len(v))
			mean, std := meanStd(v)
			cells[i] = report.Cell{Mean: mean, Std: std, Missing: len(v) == 0, NoStd: len(v) == 1}
		}
		t.Rows = append(t.Rows, report.Row{Keys: append(k, strconv.Itoa(n)), Cells: cells})
	}
	return rp.writeTable(dir, "sweep_mean", t)
}

// zipAxes is the set of zip axes of the sweep.
func (rp *reporter) zipAxes() map[string]bool {
	axes, _ := rp.spec.axes()
	zip := map[string]bool{}
	for _, a := range axes {
		if a.zip {
			zip[a.name] = true
		}
	}
	return zip
}

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
				ls := report.LineSeries{Name: strings.Join(g.keys, " ")}
				for _, x := range g.x {
					v := g.vals[x][m.Name]
					if len(v) == 0 {
						continue
					}
					mean, std := meanStd(v)
					ls.X, ls.Mean = append(ls.X, x), append(ls.Mean, mean)
					if rp.spec.Outputs.Repeat != "" {
						ls.Std = append(ls.Std, std)
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

func (rp *reporter) runtime(ds, dir string) error {
	t := &report.Table{Keys: []string{"Method"}, Columns: []report.Column{{Name: "seconds/pair", Better: report.Lower}},
		ShowStd: true}
	if rp.swept() {
		t.Keys = []string{"Cell", "Method"}
	}
	device := ""
	for _, cd := range rp.cells {
		for _, m := range report.SortedKeys(cd.Timing[ds]) {
			tm := cd.Timing[ds][m]
			var v []float64
			for _, s := range tm.Seconds {
				v = append(v, s)
			}
			mean, std := meanStd(v)
			keys := []string{m}
			if rp.swept() {
				keys = []string{cd.Cell.Label(), m}
			}
			t.Rows = append(t.Rows, report.Row{Keys: keys, Cells: []report.Cell{{Mean: mean, Std: std}}})
			device = cd.Run.Device
			if cd.Run.CPUModel != "" {
				device += ", " + cd.Run.CPUModel
			}
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	t.Caption = fmt.Sprintf("Mean fusion time per pair on %s (device: %s)", ds, device)
	if err := rp.writeTable(dir, "runtime", t); err != nil {
		return err
	}
	return rp.runtimePlots(ds, dir)
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
				mean, std := meanStd(secs)
				ls.X, ls.Mean, ls.Std = append(ls.X, x), append(ls.Mean, mean), append(ls.Std, std)
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

// figures draws the configured qualitative figures.
func (rp *reporter) figures() error {
	if len(rp.spec.Outputs.Figures) == 0 {
		return nil
	}
	rp.mdf("## Figures\n")
	for i, f := range rp.spec.Outputs.Figures {
		p, err := rp.figure(f)
		if err != nil {
			rp.mdf("Figure %d (%s/%s): not drawn: %v\n", i, f.Dataset, f.Pair, err)
			continue
		}
		rp.sum.Files = append(rp.sum.Files, p)
		rp.mdf("![%s %s](%s)\n", f.Dataset, f.Pair, rp.rel(p))
	}
	return nil
}

func (rp *reporter) figurePair(f Figure) (data.Pair, error) {
	for _, cd := range rp.cells {
		d, ok := cd.Plan.Datasets[f.Dataset]
		if !ok {
			continue
		}
		dir := d.Path
		if d.Synthetic != nil {
			r := &Runner{Spec: rp.spec, Root: filepath.Dir(rp.dir)}
			dir = r.SynthDir(f.Dataset, *d.Synthetic)
		}
		pairs, err := data.DiscoverPairs(dir)
		if err != nil {
			return data.Pair{}, err
		}
		for _, p := range pairs {
			if p.Name == f.Pair {
				return p, nil
			}
		}
		return data.Pair{}, fmt.Errorf("no pair %q in %s", f.Pair, dir)
	}
	return data.Pair{}, errors.New("no cell has run this dataset yet")
}

func (rp *reporter) figure(f Figure) (string, error) {
	pair, err := rp.figurePair(f)
	if err != nil {
		return "", err
	}
	srcs, _, err := data.LoadPair(pair)
	if err != nil {
		return "", err
	}
	far := len(srcs) - 1
	if f.Far > 0 && f.Far <= len(srcs) {
		far = f.Far - 1
	}
	var top, fused, diffs []report.Panel
	for i, s := range srcs {
		top = append(top, report.Panel{Label: fmt.Sprintf("source %d", i+1), Image: s})
	}
	for _, cd := range rp.cells {
		if cd.Results[f.Dataset] == nil {
			continue
		}
		for _, m := range cd.Plan.Methods {
			if len(f.Methods) > 0 && !contains(f.Methods, m.Name) {
				continue
			}
			label := m.Name
			if rp.swept() {
				label = m.Name + " " + shortLabel(cd.Cell)
			}
			img, err := rp.panelImage(cd, m, pair.Name, f)
			if err != nil || img == nil {
				continue
			}
			fused = append(fused, report.Panel{Label: label, Image: img})
			if !f.Maps {
				d, err := report.DiffMap(img, srcs[far])
				if err != nil {
					return "", err
				}
				diffs = append(diffs, report.Panel{Label: "diff " + label, Image: d})
			}
		}
	}
	if len(fused) == 0 {
		return "", errors.New("no fused images of this pair yet")
	}
	cols := max(len(top), min(len(fused), 6))
	var panels []report.Panel
	for _, grp := range [][]report.Panel{top, fused, diffs} {
		panels = append(panels, pad(grp, cols, srcs[0].W, srcs[0].H)...)
	}
	opt := report.GridOptions{Cols: cols}
	if len(f.Zoom) == 4 {
		opt.Zoom = image.Rect(f.Zoom[0], f.Zoom[1], f.Zoom[2], f.Zoom[3])
	}
	name := "fig_" + slugify(f.Dataset) + "_" + slugify(f.Pair)
	if f.Maps {
		name += "_maps"
	}
	p := filepath.Join(rp.out, name+".png")
	return p, report.FigureGrid(p, panels, opt)
}

func (rp *reporter) panelImage(cd *cellData, m planMethod, pair string, f Figure) (*data.Image, error) {
	dir := FusedDir(filepath.Join(rp.dir, cd.Cell.Name), f.Dataset, m.Name)
	if f.Maps {
		if m.Results != "" {
			return nil, nil
		}
		return data.ReadImage(filepath.Join(dir, pipeline.MapName(pair)))
	}
	if m.Results != "" {
		dir = resultsDir(m.Results, f.Dataset)
	}
	path, err := data.FindFused(dir, pair, m.Name)
	if err != nil {
		return nil, err
	}
	return data.ReadImage(path)
}

func shortLabel(c Cell) string {
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		parts[i] = FormatValue(v.Value)
	}
	return strings.Join(parts, ",")
}

// pad fills the last row of a panel group with blank panels so the next
// group starts on a new row.
func pad(ps []report.Panel, cols, w, h int) []report.Panel {
	if len(ps) == 0 {
		return nil
	}
	for len(ps)%cols != 0 {
		blank := data.NewImage(w, h, 1)
		for i := range blank.Planes[0] {
			blank.Planes[0][i] = 255
		}
		ps = append(ps, report.Panel{Label: "", Image: blank})
	}
	return ps
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
