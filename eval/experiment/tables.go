package experiment

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/report"
)

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

// groupRows groups rows (report.Groups) by method and every axis except
// the repeat axis and skip; x (when xAxis is set) is the numeric value on
// xAxis. It reports false when a value on xAxis is not a number.
func (rp *reporter) groupRows(rows []row, infos []report.MetricInfo, xAxis string) ([]*report.Group, bool) {
	var gs report.Groups
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
		gs.Point(keys, x)
		for _, m := range infos {
			if st, ok := r.stats[m.Name]; ok {
				gs.Add(keys, x, m.Name, st.Mean)
			}
		}
	}
	return gs.List(), true
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
		k := []string{g.Keys[0]}
		for _, kv := range g.Keys[1:] {
			_, v, _ := strings.Cut(kv, "=")
			k = append(k, v)
		}
		n := 0
		cells := make([]report.Cell, len(infos))
		for i, m := range infos {
			st := g.Stat(0, m.Name)
			n = max(n, st.N)
			cells[i] = report.Cell{Mean: st.Mean, Std: st.Std, Missing: st.N == 0, NoStd: st.N == 1}
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
			st := report.MeanStd(v)
			keys := []string{m}
			if rp.swept() {
				keys = []string{cd.Cell.Label(), m}
			}
			t.Rows = append(t.Rows, report.Row{Keys: keys, Cells: []report.Cell{{Mean: st.Mean, Std: st.Std}}})
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
