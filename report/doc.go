// Package report turns evaluation numbers into the artefacts a paper or a
// reader needs: a results.json with provenance and the same scores as a long
// per-image CSV (docs/results.md); statistics over the images (ranks, a
// Wilcoxon signed-rank test of every method against the best with Holm's
// correction, average ranks, Spearman and Kendall correlations between the
// metrics, checked against SciPy); tables in Markdown, CSV and LaTeX with
// the ranks and the best (when significant) and second-best entry of every
// column marked; plots (bars, boxes, error-bar lines, loss curves) in PNG,
// SVG or PDF that draw each method in one Style throughout a report;
// labelled image grids for qualitative figures; and index.html, one page per
// report with a sortable table, the plots and a gallery of every pair whose
// panels share one crop.
//
// The package is pure Go and knows nothing about how numbers were produced;
// the direction in which a metric improves is given by a Direction value so
// that report does not depend on the metrics registry.
package report
