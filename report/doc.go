// Package report turns evaluation numbers into the artefacts a paper or a
// reader needs: a results.json with provenance and the same scores as a long
// per-image CSV (docs/results.md), tables in Markdown, CSV and LaTeX with the
// best and second-best entry of every column marked, plots (bars, boxes,
// error-bar lines, loss curves) in PNG, SVG or PDF, and labelled image grids
// for qualitative figures.
//
// The package is pure Go and knows nothing about how numbers were produced;
// the direction in which a metric improves is given by a Direction value so
// that report does not depend on the metrics registry.
package report
