package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Column is one numeric column of a Table.
type Column struct {
	Name   string
	Better Direction
}

// Cell is one numeric entry: a mean, an optional standard deviation, and a
// Missing flag for entries that have no value (rendered as "–" and never
// ranked). NoStd marks a mean without a standard deviation (one sample in
// a mean ± std table): it is printed alone and its CSV std is empty.
//
// Rank, when above 0, is printed after the value as "(2)". Tested marks a
// cell whose row was tested against the best row of its column, and
// Significant whether the best is significantly better (PHolm is the
// corrected p-value); see Marks for how the tests change the marks.
type Cell struct {
	Mean, Std   float64
	Missing     bool
	NoStd       bool
	Rank        float64
	Tested      bool
	Significant bool
	PHolm       float64
}

// Row is one table row: its label cells (one per Table.Keys) and its numeric
// cells (one per Table.Columns).
type Row struct {
	Keys  []string
	Cells []Cell
}

// Mark is the rank annotation of a cell.
type Mark int

const (
	// Plain cells are neither best nor second best.
	Plain Mark = iota
	// Best cells hold the best value of their column.
	Best
	// Second cells hold the second-best distinct value of their column.
	Second
)

// Table is a generic results table: leading label columns (Keys, for
// example "Method", or the varied keys of a sweep such as "lr" and "dca")
// followed by numeric Columns. Rendering marks, per ranked column, the best
// value in bold and the second best in italics (Markdown) or underlined
// (LaTeX).
//
// Ranking compares values as they are printed (rounded to Digits), so two
// entries that look equal are treated as equal: every row sharing the best
// printed value is marked best, and every row sharing the next distinct
// printed value is marked second. This is deterministic and independent of
// row order.
type Table struct {
	Caption string
	Keys    []string
	Columns []Column
	Rows    []Row
	// Digits is the number of decimals printed (default 4 when 0).
	Digits int
	// ShowStd prints "mean ± std" instead of the mean alone.
	ShowStd bool
	// Note, when set, is printed after the legend.
	Note string
}

func (t *Table) digits() int {
	if t.Digits <= 0 {
		return 4
	}
	return t.Digits
}

// Validate reports rows whose length does not match Keys and Columns, and
// non-finite numbers, which no renderer can show meaningfully.
func (t *Table) Validate() error {
	for i, r := range t.Rows {
		if len(r.Keys) != len(t.Keys) {
			return fmt.Errorf("table row %d: %d keys, want %d", i, len(r.Keys), len(t.Keys))
		}
		if len(r.Cells) != len(t.Columns) {
			return fmt.Errorf("table row %d: %d cells, want %d", i, len(r.Cells), len(t.Columns))
		}
		for j, c := range r.Cells {
			if !c.Missing && (math.IsNaN(c.Mean) || math.IsInf(c.Mean, 0) || math.IsNaN(c.Std) || math.IsInf(c.Std, 0)) {
				return fmt.Errorf("table row %d (%s), column %s: non-finite value %v ± %v",
					i, strings.Join(r.Keys, ","), t.Columns[j].Name, c.Mean, c.Std)
			}
		}
	}
	return nil
}

// Marks returns the rank annotation of every cell, indexed [row][column].
// In a column with tests (a cell with Tested set), the best value is marked
// Best only when the best is significantly better than every other row
// that has a value; otherwise no cell of the column is bold, and the rows
// the best does not beat significantly carry a dagger (NotSignificant).
func (t *Table) Marks() [][]Mark {
	marks := make([][]Mark, len(t.Rows))
	for i := range marks {
		marks[i] = make([]Mark, len(t.Columns))
	}
	for j, col := range t.Columns {
		if col.Better == NoRank {
			continue
		}
		scores := map[int]float64{}
		for i, r := range t.Rows {
			if j >= len(r.Cells) || r.Cells[j].Missing || math.IsNaN(r.Cells[j].Mean) {
				continue
			}
			scores[i] = col.Better.score(t.rounded(r.Cells[j].Mean))
		}
		best, second := math.Inf(-1), math.Inf(-1)
		for _, s := range scores {
			switch {
			case s > best:
				best, second = s, best
			case s < best && s > second:
				second = s
			}
		}
		clear := t.clearWinner(j, scores, best)
		for i, s := range scores {
			switch {
			case s == best && clear:
				marks[i][j] = Best
			case s == second:
				marks[i][j] = Second
			}
		}
	}
	return marks
}

// clearWinner reports whether the best of column j may be marked: always
// in a column without tests, else when every row with a value other than
// the best ones was tested and found significantly worse.
func (t *Table) clearWinner(j int, scores map[int]float64, best float64) bool {
	if !t.tested(j) {
		return true
	}
	for i, s := range scores {
		if c := t.Rows[i].Cells[j]; s != best && !(c.Tested && c.Significant) {
			return false
		}
		if c := t.Rows[i].Cells[j]; s == best && c.Tested && !c.Significant {
			return false // a tie for best the test cannot separate
		}
	}
	return true
}

// tested reports whether column j carries tests against its best.
func (t *Table) tested(j int) bool {
	for _, r := range t.Rows {
		if j < len(r.Cells) && r.Cells[j].Tested {
			return true
		}
	}
	return false
}

// NotSignificant reports whether a cell was tested against the best of its
// column and the best is not significantly better (printed with a dagger).
func (c Cell) NotSignificant() bool { return c.Tested && !c.Significant && !c.Missing }

// hasTests and hasRanks report whether any cell carries a test or a rank.
func (t *Table) hasTests() bool {
	for j := range t.Columns {
		if t.tested(j) {
			return true
		}
	}
	return false
}

func (t *Table) hasRanks() bool {
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			if c.Rank > 0 {
				return true
			}
		}
	}
	return false
}

// rankText formats a rank: "2", or "2.5" for a shared place.
func rankText(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// decorated is the cell text with its rank and dagger; dagger is the
// renderer's spelling of the dagger.
func (t *Table) decorated(c Cell, pm, dagger string) string {
	s := t.cellText(c, pm)
	if c.Missing {
		return s
	}
	if c.Rank > 0 {
		s += " (" + rankText(c.Rank) + ")"
	}
	if c.NotSignificant() {
		s += dagger
	}
	return s
}

// Legend explains the marks of the table in one line of plain text.
func (t *Table) Legend() string {
	var parts []string
	if t.hasTests() {
		parts = append(parts, fmt.Sprintf("Bold: best and significantly better than every other row (two-sided Wilcoxon signed-rank test over the images against the best, Holm-corrected, p < %g)", Alpha),
			"italics: second best", "†: the best is not significantly better than this row")
	} else {
		parts = append(parts, "Bold: best", "italics: second best")
	}
	if t.hasRanks() {
		parts = append(parts, "(k): rank, tied means sharing the mean of their places")
	}
	parts = append(parts, "↑ higher is better, ↓ lower is better, →0 closer to zero is better")
	legend := strings.Join(parts, "; ") + "."
	if t.Note != "" {
		legend += " " + t.Note
	}
	return legend
}

// rounded returns v as printed, so ranking agrees with what the reader sees.
func (t *Table) rounded(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', t.digits(), 64), 64)
	if err != nil {
		return v
	}
	return r
}

func (t *Table) num(v float64) string {
	s := strconv.FormatFloat(v, 'f', t.digits(), 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "-0.0000"
	}
	return s
}

func (t *Table) cellText(c Cell, pm string) string {
	if c.Missing {
		return "–"
	}
	if t.ShowStd && !c.NoStd {
		return t.num(c.Mean) + pm + t.num(c.Std)
	}
	return t.num(c.Mean)
}
