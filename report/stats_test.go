package report

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// scipyValues is report/testdata/scipy_stats.json, written by
// report/testdata/scipy_stats.py with SciPy 1.10.1 and statsmodels 0.13.5.
type scipyValues struct {
	Versions map[string]string `json:"versions"`
	Wilcoxon []struct {
		Name        string    `json:"name"`
		X           []float64 `json:"x"`
		Y           []float64 `json:"y"`
		ScipyMethod string    `json:"scipy_method"`
		Statistic   float64   `json:"statistic"`
		P           float64   `json:"p"`
	} `json:"wilcoxon"`
	Correlation []struct {
		Name        string    `json:"name"`
		X           []float64 `json:"x"`
		Y           []float64 `json:"y"`
		Spearman    float64   `json:"spearman"`
		KendallTauB float64   `json:"kendall_tau_b"`
	} `json:"correlation"`
	Rankdata []struct {
		X        []float64 `json:"x"`
		RankDesc []float64 `json:"rank_desc"`
	} `json:"rankdata"`
	Holm []struct {
		P    []float64 `json:"p"`
		Holm []float64 `json:"holm"`
	} `json:"holm"`
}

func loadScipy(t *testing.T) scipyValues {
	t.Helper()
	b, err := os.ReadFile("testdata/scipy_stats.json")
	if err != nil {
		t.Fatal(err)
	}
	var v scipyValues
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Wilcoxon) < 10 || len(v.Correlation) < 3 {
		t.Fatalf("testdata holds %d Wilcoxon and %d correlation cases", len(v.Wilcoxon), len(v.Correlation))
	}
	return v
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func TestWilcoxonMatchesSciPy(t *testing.T) {
	v := loadScipy(t)
	methods := map[string]int{}
	for _, c := range v.Wilcoxon {
		if len(c.X) != len(c.Y) || len(c.X) == 0 {
			t.Fatalf("%s: bad testdata (%d x, %d y)", c.Name, len(c.X), len(c.Y))
		}
		got := Wilcoxon(c.X, c.Y)
		methods[got.Method]++
		if got.Statistic != c.Statistic || !near(got.P, c.P, 1e-12) {
			t.Errorf("%s: T %v p %.17g (%s), SciPy %v p %.17g", c.Name, got.Statistic, got.P, got.Method, c.Statistic, c.P)
		}
	}
	if methods["exact"] < 5 || methods["normal"] < 4 {
		t.Errorf("cases cover exact %d and normal %d times", methods["exact"], methods["normal"])
	}
}

func TestWilcoxonEdges(t *testing.T) {
	if r := Wilcoxon([]float64{1, 2}, []float64{1, 2}); r.P != 1 || r.Method != "none" || r.NonZero != 0 {
		t.Errorf("all zero: %+v", r)
	}
	if r := Wilcoxon(nil, nil); r.P != 1 || r.N != 0 {
		t.Errorf("empty: %+v", r)
	}
	// 10 positive differences: exact p = 2/1024.
	x, y := make([]float64, 10), make([]float64, 10)
	for i := range x {
		x[i] = float64(i + 1)
	}
	if r := Wilcoxon(x, y); r.Method != "exact" || r.P != 2.0/1024 {
		t.Errorf("all positive: %+v", r)
	}
}

func TestCorrelationsMatchSciPy(t *testing.T) {
	v := loadScipy(t)
	for _, c := range v.Correlation {
		if s := Spearman(c.X, c.Y); !near(s, c.Spearman, 1e-12) {
			t.Errorf("%s: Spearman %.17g, SciPy %.17g", c.Name, s, c.Spearman)
		}
		if k := KendallTauB(c.X, c.Y); !near(k, c.KendallTauB, 1e-12) {
			t.Errorf("%s: Kendall tau-b %.17g, SciPy %.17g", c.Name, k, c.KendallTauB)
		}
	}
	if !math.IsNaN(Spearman([]float64{1, 1, 1}, []float64{1, 2, 3})) || !math.IsNaN(KendallTauB([]float64{1, 2, 3}, []float64{4, 4, 4})) {
		t.Error("a constant sample should give NaN")
	}
}

func TestRanksAndHolmMatchSciPy(t *testing.T) {
	v := loadScipy(t)
	for _, c := range v.Rankdata {
		got := RankBest(c.X, Higher, 4)
		for i := range got {
			if got[i] != c.RankDesc[i] {
				t.Errorf("ranks of %v: %v, SciPy %v", c.X, got, c.RankDesc)
				break
			}
		}
	}
	for _, c := range v.Holm {
		got := Holm(c.P)
		for i := range got {
			if !near(got[i], c.Holm[i], 1e-12) {
				t.Errorf("Holm %v: %v, statsmodels %v", c.P, got, c.Holm)
				break
			}
		}
	}
}

func TestRankBestDirections(t *testing.T) {
	cases := []struct {
		name string
		d    Direction
		vals []float64
		want []float64
	}{
		{"lower", Lower, []float64{0.5, 0.9, 0.7}, []float64{1, 3, 2}},
		{"closer to zero", CloserToZero, []float64{-0.01, 0.3, -0.2, 0.02}, []float64{1, 4, 3, 2}},
		{"tie after rounding", Higher, []float64{0.80001, 0.80004, 0.7}, []float64{1.5, 1.5, 3}},
		{"no rank", NoRank, []float64{1, 2}, []float64{0, 0}},
	}
	for _, c := range cases {
		got := RankBest(c.vals, c.d, 4)
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

// statsResults has three methods on 8 images: "good" beats the others on
// every image of Q_A (so the exact two-sided p is 2/256 before Holm),
// "twin" equals "good" but on one image (no test can separate them).
func statsResults() *Results {
	r := NewResults(Provenance{}, []MetricInfo{{Name: "Q_A", Better: Higher}, {Name: "err", Better: Lower}, {Name: "map.acc", Better: Higher}})
	for i := 0; i < 8; i++ {
		img := string(rune('a' + i))
		base := 0.5 + 0.01*float64(i)
		r.Add("bad", img, map[string]float64{"Q_A": base - 0.1 - 0.001*float64(i), "err": 2 + 0.1*float64(i)})
		r.Add("good", img, map[string]float64{"Q_A": base, "err": 1 + 0.1*float64(i), "map.acc": 0.9})
		twin := base
		if i == 3 {
			twin -= 0.001
		}
		r.Add("twin", img, map[string]float64{"Q_A": twin, "err": 1.5 + 0.1*float64(i)})
	}
	return r
}

func TestResultsStats(t *testing.T) {
	r := statsResults()
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	st := r.Stats
	if st == nil || st.Best["Q_A"] != "good" || st.Best["err"] != "good" || st.Best["map.acc"] != "good" {
		t.Fatalf("best: %+v", st)
	}
	if g := r.Summary["good"]["Q_A"]; g.Rank != 1 || g.VsBest != nil {
		t.Errorf("good: %+v", g)
	}
	bad := r.Summary["bad"]["Q_A"].VsBest
	if bad == nil || bad.Method != "exact" || bad.P != 2.0/256 || bad.PHolm != 2*2.0/256 || !bad.Significant {
		t.Errorf("bad vs good: %+v", bad)
	}
	twin := r.Summary["twin"]["Q_A"].VsBest
	if twin == nil || twin.NonZero != 1 || twin.Significant {
		t.Errorf("twin vs good: %+v", twin)
	}
	// Ranks: Q_A good 1, twin 2, bad 3; err good 1, twin 2, bad 3; map.acc
	// only good has, so it does not enter the average.
	if len(st.AverageRankMetrics) != 2 || st.AverageRank["twin"] != 2 || st.AverageRank["bad"] != 3 {
		t.Errorf("average rank over %v: %v", st.AverageRankMetrics, st.AverageRank)
	}
	// Q_A rises and err rises with the image index, err is lower-better:
	// oriented, the two disagree within a method but Q_A and -err order
	// methods alike across images.
	var qa *Correlation
	for i, c := range st.Correlations {
		if c.A == "Q_A" && c.B == "err" {
			qa = &st.Correlations[i]
		}
	}
	if qa == nil || qa.N != 24 || qa.SRCC == nil || qa.KRCC == nil {
		t.Fatalf("correlations: %+v", st.Correlations)
	}
	x, y := []float64{}, []float64{}
	for _, m := range r.Methods {
		for _, img := range r.Images {
			x, y = append(x, r.PerImage[m][img]["Q_A"]), append(y, -r.PerImage[m][img]["err"])
		}
	}
	if *qa.SRCC != Spearman(x, y) || *qa.KRCC != KendallTauB(x, y) {
		t.Errorf("SRCC %v KRCC %v, want %v %v", *qa.SRCC, *qa.KRCC, Spearman(x, y), KendallTauB(x, y))
	}
}
