package report

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

func TestMarks(t *testing.T) {
	cases := []struct {
		name   string
		better Direction
		vals   []float64
		want   []Mark
	}{
		{"higher", Higher, []float64{0.5, 0.9, 0.7}, []Mark{Plain, Best, Second}},
		{"lower", Lower, []float64{0.5, 0.9, 0.7}, []Mark{Best, Plain, Second}},
		{"closer to zero", CloserToZero, []float64{-0.01, 0.3, -0.2, 0.02}, []Mark{Best, Plain, Plain, Second}},
		{"closer to zero negative wins", CloserToZero, []float64{-0.001, 0.3, 0.002}, []Mark{Best, Plain, Second}},
		{"tie for best", Higher, []float64{0.8, 0.8, 0.7, 0.6}, []Mark{Best, Best, Second, Plain}},
		{"tie for second", Higher, []float64{0.7, 0.8, 0.7}, []Mark{Second, Best, Second}},
		{"tie after rounding", Higher, []float64{0.80001, 0.80004, 0.7}, []Mark{Best, Best, Second}},
		{"abs tie closer to zero", CloserToZero, []float64{-0.1, 0.1, 0.5}, []Mark{Best, Best, Second}},
		{"single row", Higher, []float64{1}, []Mark{Best}},
		{"no rank", NoRank, []float64{1, 2}, []Mark{Plain, Plain}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := &Table{Keys: []string{"m"}, Columns: []Column{{Name: "x", Better: c.better}}}
			for i, v := range c.vals {
				tb.Rows = append(tb.Rows, Row{Keys: []string{string(rune('a' + i))}, Cells: []Cell{{Mean: v}}})
			}
			marks := tb.Marks()
			for i := range c.want {
				if marks[i][0] != c.want[i] {
					t.Errorf("row %d (%v): mark %v, want %v", i, c.vals[i], marks[i][0], c.want[i])
				}
			}
		})
	}
}

func TestMarksSkipMissing(t *testing.T) {
	tb := &Table{Keys: []string{"m"}, Columns: []Column{{Name: "x", Better: Higher}}, Rows: []Row{
		{Keys: []string{"a"}, Cells: []Cell{{Mean: 9, Missing: true}}},
		{Keys: []string{"b"}, Cells: []Cell{{Mean: 1}}},
	}}
	if m := tb.Marks(); m[0][0] != Plain || m[1][0] != Best {
		t.Fatalf("marks %v: missing cell must not be ranked", m)
	}
	if !strings.Contains(tb.Markdown(), "| a | – |") {
		t.Errorf("missing cell not rendered as dash:\n%s", tb.Markdown())
	}
}

func sample() *Table {
	return &Table{
		Caption: "Means & 50% of_it",
		Keys:    []string{"Method"},
		Columns: []Column{{"Q_NMI", Higher}, {"Q_SF", CloserToZero}},
		Rows: []Row{
			{Keys: []string{"DWT|x"}, Cells: []Cell{{Mean: 1.1, Std: 0.1}, {Mean: -0.02, Std: 0.01}}},
			{Keys: []string{"a,b \"q\""}, Cells: []Cell{{Mean: 0.9, Std: 0.2}, {Mean: 0.01, Std: 0.02}}},
			{Keys: []string{"NSCT"}, Cells: []Cell{{Mean: 0.5, Std: 0}, {Mean: -0.3, Std: 0.05}}},
		},
	}
}

func TestMarkdown(t *testing.T) {
	tb := sample()
	md := tb.Markdown()
	for _, want := range []string{
		"| Method | Q_NMI ↑ | Q_SF →0 |",
		`| DWT\|x | **1.1000** | _-0.0200_ |`,
		`| a,b "q" | _0.9000_ | **0.0100** |`,
		"| NSCT | 0.5000 | -0.3000 |",
		"Bold: best; italics: second best",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	tb.ShowStd = true
	if md := tb.Markdown(); !strings.Contains(md, "**1.1000 ± 0.1000**") {
		t.Errorf("std not shown:\n%s", md)
	}
	tb.Rows[2].Cells[0].NoStd = true // one sample: no std to show
	if md := tb.Markdown(); !strings.Contains(md, "| NSCT | 0.5000 | -0.3000 ± 0.0500 |") {
		t.Errorf("one-sample cell should print its mean alone:\n%s", md)
	}
}

func TestCSVEscapingRoundTrip(t *testing.T) {
	tb := sample()
	tb.ShowStd = true
	recs, err := csv.NewReader(strings.NewReader(tb.CSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ";"); got != "Method;Q_NMI;Q_NMI_std;Q_SF;Q_SF_std" {
		t.Errorf("header %q", got)
	}
	if recs[2][0] != `a,b "q"` || recs[2][1] != "0.9" || recs[2][4] != "0.02" {
		t.Errorf("row %q", recs[2])
	}
	tb.Rows[2].Cells[0].NoStd = true
	recs, err = csv.NewReader(strings.NewReader(tb.CSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[3][1] != "0.5" || recs[3][2] != "" || recs[3][4] != "0.05" {
		t.Errorf("one-sample row %q: want an empty std beside the mean only", recs[3])
	}
	if strings.Contains(tb.CSV(), "**") || strings.Contains(tb.CSV(), "±") {
		t.Error("CSV must not carry marks")
	}
}

func TestLaTeX(t *testing.T) {
	tb := sample()
	tex := tb.LaTeX()
	for _, want := range []string{
		`\caption{Means \& 50\% of\_it}`,
		`\begin{tabular}{lrr}`, `\toprule`, `\midrule`, `\bottomrule`,
		`Method & Q\_NMI $\uparrow$ & Q\_SF $\to 0$ \\`,
		`DWT|x & \textbf{1.1000} & \underline{-0.0200} \\`,
		`a,b "q" & \underline{0.9000} & \textbf{0.0100} \\`,
	} {
		if !strings.Contains(tex, want) {
			t.Errorf("latex lacks %q:\n%s", want, tex)
		}
	}
}

func TestTeXEscape(t *testing.T) {
	cases := map[string]string{
		`a_b`:     `a\_b`,
		`100%`:    `100\%`,
		`x&y#z$`:  `x\&y\#z\$`,
		`{~^\}`:   `\{\textasciitilde{}\textasciicircum{}\textbackslash{}\}`,
		`plain ß`: `plain ß`,
	}
	for in, want := range cases {
		if got := TeXEscape(in); got != want {
			t.Errorf("TeXEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	tb := sample()
	if err := tb.Validate(); err != nil {
		t.Fatal(err)
	}
	tb.Rows[1].Cells = tb.Rows[1].Cells[:1]
	if err := tb.Validate(); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("short row: err %v", err)
	}
}

func TestNoNegativeZero(t *testing.T) {
	tb := &Table{Digits: 2}
	if got := tb.num(-0.001); got != "0.00" {
		t.Errorf("num(-0.001) = %q", got)
	}
}

func ExampleTable_Markdown() {
	t := &Table{
		Keys:    []string{"Method"},
		Columns: []Column{{Name: "Q_G", Better: Higher}},
		Rows: []Row{
			{Keys: []string{"A"}, Cells: []Cell{{Mean: 0.71}}},
			{Keys: []string{"B"}, Cells: []Cell{{Mean: 0.69}}},
		},
		Digits: 2,
	}
	fmt.Print(t.Markdown())
	// Output:
	// | Method | Q_G ↑ |
	// | :--- | ---: |
	// | A | **0.71** |
	// | B | _0.69_ |
	//
	// Bold: best; italics: second best; ↑ higher is better, ↓ lower is better, →0 closer to zero is better.
}

func TestSignificanceMarks(t *testing.T) {
	cells := func(cs ...Cell) *Table {
		tb := &Table{Keys: []string{"m"}, Columns: []Column{{Name: "x", Better: Higher}}}
		for i, c := range cs {
			tb.Rows = append(tb.Rows, Row{Keys: []string{string(rune('a' + i))}, Cells: []Cell{c}})
		}
		return tb
	}
	cases := []struct {
		name string
		t    *Table
		want []Mark
		dag  []bool
	}{
		{"all significant", cells(Cell{Mean: 0.9, Rank: 1}, Cell{Mean: 0.8, Rank: 2, Tested: true, Significant: true}, Cell{Mean: 0.7, Rank: 3, Tested: true, Significant: true}),
			[]Mark{Best, Second, Plain}, []bool{false, false, false}},
		{"one not significant", cells(Cell{Mean: 0.9, Rank: 1}, Cell{Mean: 0.8, Rank: 2, Tested: true, Significant: true}, Cell{Mean: 0.7, Rank: 3, Tested: true}),
			[]Mark{Plain, Second, Plain}, []bool{false, false, true}},
		{"untested row", cells(Cell{Mean: 0.9, Rank: 1}, Cell{Mean: 0.8, Rank: 2, Tested: true, Significant: true}, Cell{Mean: 0.7}),
			[]Mark{Plain, Second, Plain}, []bool{false, false, false}},
		{"missing rows do not count", cells(Cell{Mean: 0.9, Rank: 1}, Cell{Missing: true, Tested: true}, Cell{Mean: 0.7, Rank: 2, Tested: true, Significant: true}),
			[]Mark{Best, Plain, Second}, []bool{false, false, false}},
		{"no tests: as before", cells(Cell{Mean: 0.9}, Cell{Mean: 0.8}),
			[]Mark{Best, Second}, []bool{false, false}},
	}
	for _, c := range cases {
		marks := c.t.Marks()
		for i := range c.want {
			if marks[i][0] != c.want[i] || c.t.Rows[i].Cells[0].NotSignificant() != c.dag[i] {
				t.Errorf("%s: row %d mark %v dagger %v, want %v %v", c.name, i, marks[i][0], c.t.Rows[i].Cells[0].NotSignificant(), c.want[i], c.dag[i])
			}
		}
	}
	tb := cells(Cell{Mean: 0.9, Rank: 1}, Cell{Mean: 0.8, Rank: 2, Tested: true, PHolm: 0.2})
	md, tex, csvText := tb.Markdown(), tb.LaTeX(), tb.CSV()
	for _, want := range []string{"| a | 0.9000 (1) |", "| b | _0.8000 (2)†_ |", "†: the best is not significantly better"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(tex, `\underline{0.8000 (2)$^\dagger$}`) {
		t.Errorf("LaTeX:\n%s", tex)
	}
	if want := "m,x,x_rank,x_p_holm\na,0.9,1,\nb,0.8,2,0.2\n"; csvText != want {
		t.Errorf("CSV:\n%s\nwant\n%s", csvText, want)
	}
}
