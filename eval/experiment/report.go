package experiment

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfif/mfif/configs"
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
