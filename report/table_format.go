package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// Markdown renders a GitHub-flavoured Markdown table followed by a one-line
// legend: bold is best, italics is second best, arrows give the direction.
func (t *Table) Markdown() string {
	var b strings.Builder
	if t.Caption != "" {
		fmt.Fprintf(&b, "%s\n\n", mdEscape(t.Caption))
	}
	var head, rule []string
	for _, k := range t.Keys {
		head = append(head, mdEscape(k))
		rule = append(rule, ":---")
	}
	for _, c := range t.Columns {
		head = append(head, strings.TrimSpace(mdEscape(c.Name)+" "+c.Better.arrow()))
		rule = append(rule, "---:")
	}
	fmt.Fprintf(&b, "| %s |\n| %s |\n", strings.Join(head, " | "), strings.Join(rule, " | "))
	marks := t.Marks()
	for i, r := range t.Rows {
		var cells []string
		for _, k := range r.Keys {
			cells = append(cells, mdEscape(k))
		}
		for j, c := range r.Cells {
			s := t.decorated(c, " ± ", "†")
			switch marks[i][j] {
			case Best:
				s = "**" + s + "**"
			case Second:
				s = "_" + s + "_"
			}
			cells = append(cells, s)
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
	}
	b.WriteString("\n" + t.Legend() + "\n")
	return b.String()
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// CSV renders the table as RFC 4180 CSV without marks. With ShowStd every
// column is followed by a "<name>_std" column; a column with ranks by
// "<name>_rank", and one with tests by "<name>_p_holm" (the corrected
// p-value of the test against the column's best, empty for the best).
// Missing cells are empty.
func (t *Table) CSV() string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := append([]string(nil), t.Keys...)
	ranked := make([]bool, len(t.Columns))
	for j, c := range t.Columns {
		head = append(head, c.Name)
		if t.ShowStd {
			head = append(head, c.Name+"_std")
		}
		for _, r := range t.Rows {
			ranked[j] = ranked[j] || (j < len(r.Cells) && r.Cells[j].Rank > 0)
		}
		if ranked[j] {
			head = append(head, c.Name+"_rank")
		}
		if t.tested(j) {
			head = append(head, c.Name+"_p_holm")
		}
	}
	_ = w.Write(head) // writes to a bytes.Buffer cannot fail
	full := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range t.Rows {
		rec := append([]string(nil), r.Keys...)
		for j, c := range r.Cells {
			m, s, rk, p := full(c.Mean), full(c.Std), rankText(c.Rank), full(c.PHolm)
			if c.Missing {
				m, s, rk = "", "", ""
			}
			if c.NoStd {
				s = ""
			}
			if !c.Tested || c.Missing {
				p = ""
			}
			rec = append(rec, m)
			if t.ShowStd {
				rec = append(rec, s)
			}
			if ranked[j] {
				rec = append(rec, rk)
			}
			if t.tested(j) {
				rec = append(rec, p)
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.String()
}

// LaTeX renders a booktabs tabular inside a table environment: best in
// \textbf, second best in \underline. Requires \usepackage{booktabs}.
func (t *Table) LaTeX() string {
	var b strings.Builder
	b.WriteString("\\begin{table}[t]\n\\centering\n")
	fmt.Fprintf(&b, "%% %s\n", strings.ReplaceAll(t.Legend(), "\n", " "))
	if t.Caption != "" {
		fmt.Fprintf(&b, "\\caption{%s}\n", TeXEscape(t.Caption))
	}
	fmt.Fprintf(&b, "\\begin{tabular}{%s%s}\n\\toprule\n",
		strings.Repeat("l", len(t.Keys)), strings.Repeat("r", len(t.Columns)))
	var head []string
	for _, k := range t.Keys {
		head = append(head, TeXEscape(k))
	}
	for _, c := range t.Columns {
		head = append(head, strings.TrimSpace(TeXEscape(c.Name)+" "+c.Better.latexArrow()))
	}
	fmt.Fprintf(&b, "%s \\\\\n\\midrule\n", strings.Join(head, " & "))
	marks := t.Marks()
	for i, r := range t.Rows {
		var cells []string
		for _, k := range r.Keys {
			cells = append(cells, TeXEscape(k))
		}
		for j, c := range r.Cells {
			s := t.decorated(c, ` $\pm$ `, `$^\dagger$`)
			if c.Missing {
				s = "--"
			}
			switch marks[i][j] {
			case Best:
				s = `\textbf{` + s + `}`
			case Second:
				s = `\underline{` + s + `}`
			}
			cells = append(cells, s)
		}
		fmt.Fprintf(&b, "%s \\\\\n", strings.Join(cells, " & "))
	}
	b.WriteString("\\bottomrule\n\\end{tabular}\n\\end{table}\n")
	return b.String()
}

// TeXEscape escapes the characters that are special in LaTeX text mode.
func TeXEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\textbackslash{}`)
		case '&', '%', '$', '#', '_', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '~':
			b.WriteString(`\textasciitilde{}`)
		case '^':
			b.WriteString(`\textasciicircum{}`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
