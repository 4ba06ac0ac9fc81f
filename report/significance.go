package report

import (
	"math"
)

// Alpha is the significance level of the tests against the best method.
const Alpha = 0.05

// TestDescription says in words which test the report runs; it is stored
// in results.json and printed under the tables.
const TestDescription = "two-sided Wilcoxon signed-rank test over the images of each method against the best of the metric " +
	"(zero differences dropped; exact distribution for n <= 50 without ties or zeros, else normal approximation), " +
	"Holm-corrected over the methods of each metric"

// PairedTest is the test of one method against the best method of a
// metric, over the images both have, on scores oriented so that larger is
// better (lower-is-better scores negated, closer-to-zero ones as -|v|).
type PairedTest struct {
	// Best is the method tested against.
	Best string `json:"best"`
	WilcoxonResult
	// PHolm is P after Holm's correction over the tests of the metric.
	PHolm float64 `json:"p_holm"`
	// Significant is PHolm < Alpha: the best is significantly better.
	Significant bool `json:"significant"`
}

// Stats holds the statistics of a Results that span methods or metrics;
// the per-method ones (rank, test against the best) are in Summary.
type Stats struct {
	Alpha float64 `json:"alpha"`
	Test  string  `json:"test"`
	// Best is, per ranked metric, the method of rank 1 (the first in
	// method order when several share it).
	Best map[string]string `json:"best,omitempty"`
	// AverageRank is each method's mean rank over AverageRankMetrics: the
	// ranked metrics every method has.
	AverageRank        map[string]float64 `json:"average_rank,omitempty"`
	AverageRankMetrics []string           `json:"average_rank_metrics,omitempty"`
	// Correlations are the rank correlations between every two metrics
	// over all (method, image) scores both have.
	Correlations []Correlation `json:"correlations,omitempty"`
}

// Correlation is the agreement of two metrics over N (method, image)
// scores, oriented so that larger is better: Spearman's rho (SRCC) and
// Kendall's tau-b (KRCC). A coefficient is absent where it is undefined
// (fewer than two scores, or a constant metric).
type Correlation struct {
	A    string   `json:"a"`
	B    string   `json:"b"`
	N    int      `json:"n"`
	SRCC *float64 `json:"srcc,omitempty"`
	KRCC *float64 `json:"krcc,omitempty"`
}

// oriented returns v so that larger is better for direction d; NoRank
// values are returned as they are.
func oriented(d Direction, v float64) float64 {
	if d == NoRank {
		return v
	}
	return d.score(v)
}

// computeStats fills the ranks and tests of Summary and r.Stats from the
// per-image scores; Summary must hold the means.
func (r *Results) computeStats() {
	st := &Stats{Alpha: Alpha, Test: TestDescription, Best: map[string]string{}, AverageRank: map[string]float64{}}
	for _, mi := range r.Metrics {
		if mi.Better == NoRank {
			continue
		}
		var methods []string
		var means []float64
		for _, m := range r.Methods {
			if s, ok := r.Summary[m][mi.Name]; ok && s.N > 0 {
				methods = append(methods, m)
				means = append(means, s.Mean)
			}
		}
		if len(methods) == 0 {
			continue
		}
		ranks := RankBest(means, mi.Better, (&Table{}).digits())
		best := 0
		for i, rk := range ranks {
			s := r.Summary[methods[i]][mi.Name]
			s.Rank = rk
			r.Summary[methods[i]][mi.Name] = s
			if rk < ranks[best] {
				best = i
			}
		}
		st.Best[mi.Name] = methods[best]
		r.testAgainstBest(mi, methods, methods[best])
	}
	r.averageRanks(st)
	st.Correlations = r.correlations()
	r.Stats = st
}

// testAgainstBest runs the paired test of every method against best on
// metric mi and Holm-corrects the p-values.
func (r *Results) testAgainstBest(mi MetricInfo, methods []string, best string) {
	var others []string
	var tests []PairedTest
	for _, m := range methods {
		if m == best {
			continue
		}
		var x, y []float64
		for _, img := range r.Images {
			b, okb := r.PerImage[best][img][mi.Name]
			o, oko := r.PerImage[m][img][mi.Name]
			if okb && oko {
				x, y = append(x, oriented(mi.Better, b)), append(y, oriented(mi.Better, o))
			}
		}
		others = append(others, m)
		tests = append(tests, PairedTest{Best: best, WilcoxonResult: Wilcoxon(x, y)})
	}
	ps := make([]float64, len(tests))
	for i, t := range tests {
		ps[i] = t.P
	}
	for i, adj := range Holm(ps) {
		t := tests[i]
		t.PHolm, t.Significant = adj, adj < Alpha
		s := r.Summary[others[i]][mi.Name]
		s.VsBest = &t
		r.Summary[others[i]][mi.Name] = s
	}
}

// averageRanks sets st.AverageRank over the ranked metrics every method
// has.
func (r *Results) averageRanks(st *Stats) {
	for _, mi := range r.Metrics {
		if _, ok := st.Best[mi.Name]; !ok {
			continue
		}
		all := true
		for _, m := range r.Methods {
			if r.Summary[m][mi.Name].Rank == 0 {
				all = false
			}
		}
		if all {
			st.AverageRankMetrics = append(st.AverageRankMetrics, mi.Name)
		}
	}
	if len(st.AverageRankMetrics) == 0 {
		return
	}
	for _, m := range r.Methods {
		sum := 0.0
		for _, name := range st.AverageRankMetrics {
			sum += r.Summary[m][name].Rank
		}
		st.AverageRank[m] = sum / float64(len(st.AverageRankMetrics))
	}
}

// correlations computes SRCC and KRCC between every two metrics.
func (r *Results) correlations() []Correlation {
	var out []Correlation
	for i, a := range r.Metrics {
		for _, b := range r.Metrics[i+1:] {
			c := Correlation{A: a.Name, B: b.Name}
			var x, y []float64
			for _, m := range r.Methods {
				for _, img := range r.Images {
					va, oka := r.PerImage[m][img][a.Name]
					vb, okb := r.PerImage[m][img][b.Name]
					if oka && okb {
						x, y = append(x, oriented(a.Better, va)), append(y, oriented(b.Better, vb))
					}
				}
			}
			c.N = len(x)
			if c.N >= 2 {
				c.SRCC, c.KRCC = finite(Spearman(x, y)), finite(KendallTauB(x, y))
			}
			out = append(out, c)
		}
	}
	return out
}

// finite returns &v, or nil for NaN or an infinity.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
