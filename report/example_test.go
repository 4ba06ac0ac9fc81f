package report_test

import (
	"fmt"

	"github.com/mfif/mfif/report"
)

func ExampleResults_Table() {
	r := report.NewResults(report.Provenance{Tool: "mfif"}, []report.MetricInfo{
		{Name: "Q_G", Better: report.Higher},
		{Name: "Q_SF", Better: report.CloserToZero},
	})
	// A beats B on Q_G in every one of 6 images: with one comparison the
	// exact two-sided p is 2/64, so A's mean is bold. On Q_SF A is nearer
	// to 0 on average but not on every image: no bold, and a dagger on B.
	for i, img := range []string{"i1", "i2", "i3", "i4", "i5", "i6"} {
		d := 0.01 * float64(i)
		r.Add("A", img, map[string]float64{"Q_G": 0.70 + d, "Q_SF": -0.10 + 0.03*float64(i%2)})
		r.Add("B", img, map[string]float64{"Q_G": 0.65 + d, "Q_SF": 0.01 + 0.1*float64(i%3)})
	}
	if err := r.Summarize(); err != nil {
		fmt.Println(err)
		return
	}
	t := r.Table("", false)
	t.Digits = 2
	fmt.Print(t.LaTeX())
	// Output:
	// \begin{table}[t]
	// \centering
	// % Bold: best and significantly better than every other row (two-sided Wilcoxon signed-rank test over the images against the best, Holm-corrected, p < 0.05); italics: second best; †: the best is not significantly better than this row; (k): rank, tied means sharing the mean of their places; ↑ higher is better, ↓ lower is better, →0 closer to zero is better.
	// \begin{tabular}{lrrr}
	// \toprule
	// Method & Q\_G $\uparrow$ & Q\_SF $\to 0$ & Avg. rank $\downarrow$ \\
	// \midrule
	// A & \textbf{0.72 (1)} & -0.09 (1) & \textbf{1.00} \\
	// B & \underline{0.68 (2)} & \underline{0.11 (2)$^\dagger$} & \underline{2.00} \\
	// \bottomrule
	// \end{tabular}
	// \end{table}
}
