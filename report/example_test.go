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
	r.Add("A", "img1", map[string]float64{"Q_G": 0.70, "Q_SF": -0.10})
	r.Add("A", "img2", map[string]float64{"Q_G": 0.72, "Q_SF": -0.06})
	r.Add("B", "img1", map[string]float64{"Q_G": 0.65, "Q_SF": 0.01})
	r.Add("B", "img2", map[string]float64{"Q_G": 0.67, "Q_SF": 0.03})
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
	// \begin{tabular}{lrr}
	// \toprule
	// Method & Q\_G $\uparrow$ & Q\_SF $\to 0$ \\
	// \midrule
	// A & \textbf{0.71} & \underline{-0.08} \\
	// B & \underline{0.66} & \textbf{0.02} \\
	// \bottomrule
	// \end{tabular}
	// \end{table}
}
