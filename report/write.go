package report

import (
	"fmt"
	"path/filepath"
)

// WriteAll writes the standard report of r into dir: results.json and
// results_per_image.csv (every score, one per row), table.md, table.csv,
// table.tex (means ± std), bars.png, bars.svg and bars.pdf, and one box
// plot per metric (box_<metric>.png and .pdf). It returns the paths
// written. r.Summary is recomputed.
func WriteAll(dir, caption string, r *Results) ([]string, error) {
	path := filepath.Join(dir, "results.json")
	if err := WriteResults(path, r); err != nil {
		return nil, err
	}
	paths := []string{path, PerImageCSVPath(path)}
	t := r.Table(caption, true)
	if err := t.Validate(); err != nil {
		return paths, fmt.Errorf("report %s: %w", dir, err)
	}
	for _, f := range []struct{ name, body string }{
		{"table.md", t.Markdown()}, {"table.csv", t.CSV()}, {"table.tex", t.LaTeX()},
	} {
		p := filepath.Join(dir, f.name)
		if err := writeBytes(p, []byte(f.body)); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	if len(r.Methods) == 0 || len(r.Metrics) == 0 {
		return paths, nil
	}
	for _, ext := range []string{"png", "svg", "pdf"} {
		p := filepath.Join(dir, "bars."+ext)
		if err := ResultsBars(p, r); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	for _, ext := range []string{"png", "pdf"} {
		boxes, err := ResultsBoxes(dir, ext, r)
		paths = append(paths, boxes...)
		if err != nil {
			return paths, err
		}
	}
	return paths, nil
}
