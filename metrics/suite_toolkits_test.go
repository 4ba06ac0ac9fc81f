package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

// toolkitDir holds the triples and toolkit values of the zhengliu, cddfuse
// and yuliu suites (README.md there says how they were made). The variable
// MFIF_TOOLKIT_VECTORS points the tests at another folder of the same
// layout, for checks on other images kept outside the repository.
var toolkitDir = func() string {
	if d := os.Getenv("MFIF_TOOLKIT_VECTORS"); d != "" {
		return d
	}
	return filepath.Join("testdata", "suites", "toolkits")
}()

// toolkitVectors is one testdata/suites/toolkits/<suite>.json file: the values the
// real toolkit computed on the triples t<k>_{A,B,F}.png (see README.md in
// that folder for the commands). A null value is a NaN of the toolkit.
type toolkitVectors struct {
	Toolkit string                         `json:"toolkit"`
	Values  map[string]map[string]*float64 `json:"values"`
}

// readToolkitTriple reads testdata/suites/toolkits/<name>_{A,B,F}.png and,
// where there is one, the ground truth <name>_R.png.
func readToolkitTriple(t *testing.T, name string) Inputs {
	t.Helper()
	read := func(s string) *data.Image {
		m, err := data.ReadImage(filepath.Join(toolkitDir, name+"_"+s+".png"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	in := Inputs{Sources: []*data.Image{read("A"), read("B")}, Fused: read("F")}
	if _, err := os.Stat(filepath.Join(toolkitDir, name+"_R.png")); err == nil {
		in.Reference = read("R") // the ground truth of the full-reference metrics
	}
	return in
}

// checkSuite compares every metric of suite with the toolkit's values in
// testdata/suites/toolkits/<suite>.json within relative tolerance tol, and returns
// the largest relative error seen.
func compareWithToolkit(t *testing.T, suite string, tol float64) float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(toolkitDir, suite+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var vec toolkitVectors
	if err := json.Unmarshal(b, &vec); err != nil {
		t.Fatalf("%s.json: %v", suite, err)
	}
	s, err := LookupSuite(suite)
	if err != nil {
		t.Fatal(err)
	}
	triples := make([]string, 0, len(vec.Values))
	for k := range vec.Values {
		triples = append(triples, k)
	}
	sort.Strings(triples)
	if len(triples) < 6 {
		t.Errorf("%s.json has %d triples, want at least 6", suite, len(triples))
	}
	worst := 0.0
	perMetric := map[string]float64{}
	for _, tr := range triples {
		want := vec.Values[tr]
		in := readToolkitTriple(t, tr)
		got, evalErr := Evaluate(s.Keys(), in)
		for _, m := range s.Metrics {
			key := suite + "." + m.Name
			w, ok := want[m.Name]
			if !ok {
				t.Errorf("%s %s: no toolkit value in %s.json", tr, key, suite)
				continue
			}
			g, have := got[key]
			if w == nil {
				if have {
					t.Errorf("%s %s = %.17g, toolkit gives NaN", tr, key, g)
				} else if !errors.Is(evalErr, ErrDegenerate) {
					t.Errorf("%s %s: toolkit gives NaN, want ErrDegenerate, got %v", tr, key, evalErr)
				}
				continue
			}
			if !have {
				t.Errorf("%s %s: %v (toolkit %.17g)", tr, key, evalErr, *w)
				continue
			}
			rel := math.Abs(g-*w) / math.Max(math.Abs(*w), 1e-300)
			if *w == 0 {
				rel = math.Abs(g)
			}
			worst = math.Max(worst, rel)
			perMetric[m.Name] = math.Max(perMetric[m.Name], rel)
			if !(rel <= tol) {
				t.Errorf("%s %s = %.17g, toolkit %.17g (relative error %.3g > %g)", tr, key, g, *w, rel, tol)
			}
		}
	}
	var per []string
	for _, m := range s.Metrics {
		per = append(per, fmt.Sprintf("%s %.2g", m.Name, perMetric[m.Name]))
	}
	t.Logf("%s: largest relative error against %s: %.3g (%s)", suite, vec.Toolkit, worst, strings.Join(per, ", "))
	return worst
}

func TestSuiteZhengLiuMatchesToolkit(t *testing.T) { compareWithToolkit(t, "zhengliu", 1e-9) }

func TestSuiteCDDFuseMatchesToolkit(t *testing.T) { compareWithToolkit(t, "cddfuse", 1e-5) }

func TestSuiteYuLiuMatchesToolkit(t *testing.T) { compareWithToolkit(t, "yuliu", 1e-9) }

// sortedMedian is the median of x by sorting a copy: the middle value, or
// the mean of the two middle values for an even count.
func sortedMedian(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[n/2]
}

// TestMedianOf compares the quickselect median with sorting, odd and even
// counts, with repeated values.
func TestMedianOf(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 7, 10, 101, 1000} {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64((i * 7919) % 13)
		}
		want := sortedMedian(x)
		if got := medianOf(x); got != want {
			t.Errorf("n=%d: median %g, want %g", n, got, want)
		}
	}
	// Large enough for the histogram path: signs, zeros of both signs,
	// magnitudes over many octaves, ties, odd and even counts.
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{4096, 4097, 10000, 270400, 270401} {
		for _, kind := range []string{"spread", "ties", "e2"} {
			x := make([]float64, n)
			for i := range x {
				switch kind {
				case "spread":
					x[i] = math.Ldexp(r.Float64()-0.5, r.IntN(80)-40)
				case "ties":
					x[i] = float64(r.IntN(5) - 2)
					if x[i] == 0 && r.IntN(2) == 0 {
						x[i] = math.Copysign(0, -1)
					}
				default:
					v := r.NormFloat64() * 1e-3
					x[i] = v * v
				}
			}
			want := sortedMedian(x)
			if got := medianOf(x); got != want {
				t.Errorf("n=%d %s: median %g, want %g", n, kind, got, want)
			}
		}
	}
}
