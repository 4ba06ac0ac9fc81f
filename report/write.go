package report

import (
	"fmt"
	"path/filepath"
)

// WriteAll writes the standard report of r into dir: results.json and
// results_per_image.csv (every score, one per row), table.md, table.csv,
// table.tex (means ± std with ranks and significance marks), bars.png,
// bars.svg and bars.pdf, one box plot per metric (box_<metric>.png and
// .pdf), and index.html, the page that shows them all (with the gallery
// of WithGallery, whose images go into dir/gallery). Every plot draws a
// method in the same Style (WithStyles; by default in r.Methods order). It
// returns the paths written (the gallery's images not listed). r.Summary
// is recomputed.
func WriteAll(dir, caption string, r *Results, opts ...Option) ([]string, error) {
	path := filepath.Join(dir, "results.json")
	if err := WriteResults(path, r); err != nil {
		return nil, err
	}
	o := collect(opts, r.Methods...)
	styled := WithStyles(o.styles)
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
	if len(r.Methods) > 0 && len(r.Metrics) > 0 {
		for _, ext := range []string{"png", "svg", "pdf"} {
			p := filepath.Join(dir, "bars."+ext)
			if err := ResultsBars(p, r, styled); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
		for _, ext := range []string{"png", "pdf"} {
			boxes, err := ResultsBoxes(dir, ext, r, styled)
			paths = append(paths, boxes...)
			if err != nil {
				return paths, err
			}
		}
	}
	var entries []galleryEntry
	left := 0
	if o.gallery != nil && len(o.gallery.Pairs) > 0 {
		var err error
		if entries, left, err = writeGallery(dir, o.gallery, r.Methods); err != nil {
			return paths, fmt.Errorf("report %s: %w", dir, err)
		}
	}
	p, err := writeHTML(dir, caption, r, t, paths, o.styles, entries, left)
	if err != nil {
		return paths, err
	}
	return append(paths, p), nil
}
