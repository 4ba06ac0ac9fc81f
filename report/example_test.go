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

// Ten images on which method A scores higher than B on all but one. Some
// differences tie (0.01 four times), so the p-value comes from the normal
// approximation (scipy.stats.wilcoxon(a, b, method="approx") gives the same
// 0.010319...). Holm's correction then treats it with two other
// comparisons.
func ExampleWilcoxon() {
	a := []float64{0.71, 0.74, 0.69, 0.80, 0.77, 0.72, 0.75, 0.70, 0.78, 0.73}
	b := []float64{0.70, 0.72, 0.70, 0.76, 0.74, 0.71, 0.70, 0.66, 0.71, 0.72}
	w := report.Wilcoxon(a, b)
	fmt.Printf("T = %g, p = %.4f (%s)\n", w.Statistic, w.P, w.Method)
	fmt.Printf("Holm: %.4f\n", report.Holm([]float64{w.P, 0.04, 0.5}))
	// Output:
	// T = 2.5, p = 0.0103 (normal)
	// Holm: [0.0310 0.0800 0.5000]
}
