package report

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// The functions of this file are the statistics behind the significance
// marks, ranks and correlations of a report. They follow SciPy so that a
// reader can check a number with the tool most papers use:
// report/testdata/scipy_stats.py writes SciPy 1.10's values for the same
// data into report/testdata/scipy_stats.json, and the tests compare.

// WilcoxonExactMax is the largest number of differences for which Wilcoxon
// uses the exact null distribution (SciPy's limit for method "auto").
const WilcoxonExactMax = 50

// WilcoxonResult is the outcome of a two-sided Wilcoxon signed-rank test.
type WilcoxonResult struct {
	// N is the number of pairs, NonZero those with a non-zero difference
	// (zero differences are dropped, SciPy's zero_method "wilcox").
	N       int `json:"n"`
	NonZero int `json:"nonzero"`
	// Statistic is min(R+, R-), the smaller of the rank sums of the
	// positive and the negative differences (SciPy's statistic).
	Statistic float64 `json:"statistic"`
	// P is the two-sided p-value; 1 when every difference is zero.
	P float64 `json:"p"`
	// Method is "exact" (the null distribution of R+, for at most
	// WilcoxonExactMax differences without ties or zeros), "normal" (the
	// normal approximation with tie-corrected variance and no continuity
	// correction) or "none" (no non-zero difference).
	Method string `json:"method"`
}

// Wilcoxon runs the paired two-sided Wilcoxon signed-rank test of x
// against y (differences x[i]-y[i]) with SciPy's defaults: zero
// differences dropped, average ranks for tied |differences|, the exact
// distribution for n <= WilcoxonExactMax without ties or zeros, the normal
// approximation otherwise. x and y must have the same length.
func Wilcoxon(x, y []float64) WilcoxonResult {
	if len(x) != len(y) {
		panic("report: Wilcoxon of samples of different lengths")
	}
	res := WilcoxonResult{N: len(x), P: 1, Method: "none"}
	var d []float64
	for i := range x {
		if v := x[i] - y[i]; v != 0 {
			d = append(d, v)
		}
	}
	res.NonZero = len(d)
	if len(d) == 0 {
		return res
	}
	abs := make([]float64, len(d))
	for i, v := range d {
		abs[i] = math.Abs(v)
	}
	ranks, ties := averageRanks(abs)
	var plus, minus float64
	for i, v := range d {
		if v > 0 {
			plus += ranks[i]
		} else {
			minus += ranks[i]
		}
	}
	res.Statistic = math.Min(plus, minus)
	n := float64(len(d))
	if len(x) <= WilcoxonExactMax && len(d) == len(x) && len(ties) == 0 {
		res.Method, res.P = "exact", wilcoxonExactP(len(d), int(plus))
		return res
	}
	mean := n * (n + 1) / 4
	v := n * (n + 1) * (2*n + 1)
	for _, t := range ties {
		v -= 0.5 * t * (t*t - 1)
	}
	z := (res.Statistic - mean) / math.Sqrt(v/24)
	res.Method, res.P = "normal", math.Min(1, 2*distuv.UnitNormal.Survival(math.Abs(z)))
	return res
}

// wilcoxonExactP is the two-sided p-value of the rank sum plus of n
// positive-or-negative ranks 1..n: twice the smaller tail of the exact
// null distribution (every sign pattern equally likely), 1 at its centre.
func wilcoxonExactP(n, plus int) float64 {
	top := n * (n + 1) / 2
	count := make([]float64, top+1) // count[s]: subsets of 1..n summing to s
	count[0] = 1
	for k := 1; k <= n; k++ {
		for s := k * (k + 1) / 2; s >= k; s-- {
			count[s] += count[s-k]
		}
	}
	if 2*plus == top {
		return 1
	}
	var less, greater float64
	for s, c := range count {
		if s <= plus {
			less += c
		}
		if s >= plus {
			greater += c
		}
	}
	return math.Min(1, 2*math.Min(less, greater)/math.Exp2(float64(n)))
}

// averageRanks returns the ranks of xs in increasing order (1 for the
// smallest) with tied values sharing the mean of their places (SciPy's
// rankdata "average"), and the sizes of the groups of ties (groups of two
// or more only).
func averageRanks(xs []float64) (ranks, ties []float64) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	ranks = make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && xs[idx[j]] == xs[idx[i]] {
			j++
		}
		r := float64(i+j+1) / 2 // mean of places i+1 .. j
		for k := i; k < j; k++ {
			ranks[idx[k]] = r
		}
		if j-i > 1 {
			ties = append(ties, float64(j-i))
		}
		i = j
	}
	return ranks, ties
}

// Holm adjusts p-values for multiple comparisons by Holm's step-down
// method: the k-th smallest of m p-values is multiplied by m-k+1, the
// results are made non-decreasing in that order and capped at 1. A
// hypothesis is rejected at level alpha when its adjusted value is below
// alpha. The result is in the order of p.
func Holm(p []float64) []float64 {
	m := len(p)
	idx := make([]int, m)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	out := make([]float64, m)
	run := 0.0
	for k, i := range idx {
		run = math.Max(run, math.Min(1, float64(m-k)*p[i]))
		out[i] = run
	}
	return out
}

// Spearman returns Spearman's rank correlation of x and y: Pearson's
// correlation (gonum's stat.Correlation) of their average ranks, as
// scipy.stats.spearmanr. It is NaN when either sample is constant.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) {
		panic("report: Spearman of samples of different lengths")
	}
	rx, _ := averageRanks(x)
	ry, _ := averageRanks(y)
	if constant(rx) || constant(ry) {
		return math.NaN()
	}
	return stat.Correlation(rx, ry, nil)
}

// KendallTauB returns Kendall's tau-b of x and y, which corrects tau for
// ties in either sample, as scipy.stats.kendalltau: (concordant -
// discordant) / sqrt((n0 - tiesX) (n0 - tiesY)) over the n0 = n(n-1)/2
// pairs. It is NaN when either sample is constant. (gonum's stat.Kendall
// is tau-a and counts tied pairs as concordant.)
func KendallTauB(x, y []float64) float64 {
	if len(x) != len(y) {
		panic("report: Kendall of samples of different lengths")
	}
	var conc, disc, tx, ty, n0 float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			n0++
			dx, dy := x[i]-x[j], y[i]-y[j]
			switch {
			case dx == 0 && dy == 0:
				tx++
				ty++
			case dx == 0:
				tx++
			case dy == 0:
				ty++
			case (dx > 0) == (dy > 0):
				conc++
			default:
				disc++
			}
		}
	}
	den := math.Sqrt((n0 - tx) * (n0 - ty))
	if den == 0 {
		return math.NaN()
	}
	return (conc - disc) / den
}

func constant(xs []float64) bool {
	for _, v := range xs {
		if v != xs[0] {
			return false
		}
	}
	return true
}

// RankBest returns the rank of each value, 1 for the best in direction d
// and tied values sharing the mean of their places (two methods tied for
// first both get 1.5), comparing values as printed with digits decimals,
// as Table.Marks does. NoRank gives no ranks (all 0).
func RankBest(values []float64, d Direction, digits int) []float64 {
	if d == NoRank {
		return make([]float64, len(values))
	}
	t := Table{Digits: digits}
	neg := make([]float64, len(values))
	for i, v := range values {
		neg[i] = -d.score(t.rounded(v))
	}
	r, _ := averageRanks(neg)
	return r
}
