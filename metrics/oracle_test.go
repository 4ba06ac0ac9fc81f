package metrics

import (
	"encoding/json"
	"fmt"
	"github.com/mfif/mfif/internal/testshared"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/mfif/mfif/data"
)

// readPNG decodes an 8-bit PNG into a gray or RGB data.Image with
// image/png only.
func readPNG(t testing.TB, path string) *data.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	b := m.Bounds()
	switch g := m.(type) {
	case *image.Gray:
		out := data.NewImage(b.Dx(), b.Dy(), 1)
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				out.Set(0, x, y, float64(g.GrayAt(b.Min.X+x, b.Min.Y+y).Y))
			}
		}
		out.Depth = 8
		return out
	default:
		out := data.NewImage(b.Dx(), b.Dy(), 3)
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				r, gg, bb, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
				out.Set(0, x, y, float64(r>>8))
				out.Set(1, x, y, float64(gg>>8))
				out.Set(2, x, y, float64(bb>>8))
			}
		}
		out.Depth = 8
		return out
	}
}

type oracleTriple struct {
	ID            string             `json:"id"`
	Gray          map[string]string  `json:"inputs_gray_png"`
	RGB           map[string]string  `json:"decoded_rgb_png"`
	Values        map[string]float64 `json:"values"`
	Alternates    map[string]float64 `json:"alternates"`
	Intermediates map[string]float64 `json:"intermediates"`
}

// oracleAlternates maps reference.json alternate keys to registry names.
var oracleAlternates = map[string]string{
	"Q_TE_cvejic_q1.85": "Q_TE_cvejic",
	"Q_W_zl":            "Q_W_zl",
	"Q_G_yuliu":         "Q_G_yuliu",
	"Q_ABF_qabf_m":      "Q_ABF_qabf",
	"Q_S_yuliu_uiqi8":   "Q_Piella_yuliu",
	"Q_W_yuliu_uiqi8":   "Q_W_yuliu",
	"Q_E_yuliu_uiqi8":   "Q_E_yuliu",
}

// oracleSet is one folder of oracle triples: reference.json and the images
// it names, relative to root.
type oracleSet struct {
	name    string
	root    string
	triples []oracleTriple
}

// oracleSets returns the committed subset (testdata/oracle: 96x128 crops of
// three triples, see its README) and, when ../shared is present, the full
// oracle of 16 triples.
func oracleSets(t testing.TB) []oracleSet {
	t.Helper()
	sets := []oracleSet{{name: "testdata", root: filepath.Join("testdata", "oracle")}}
	if root, err := testshared.Find("oracle", "metrics"); err == nil {
		sets = append(sets, oracleSet{name: "shared", root: root})
	} else {
		t.Logf("full oracle not available (%v); testing the committed subset only", err)
	}
	for i := range sets {
		sets[i].triples = readOracle(t, sets[i].root)
	}
	return sets
}

func readOracle(t testing.TB, root string) []oracleTriple {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "reference.json"))
	if err != nil {
		t.Fatalf("read reference.json: %v", err)
	}
	var ref struct {
		Triples []oracleTriple `json:"triples"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatalf("parse %s: %v", filepath.Join(root, "reference.json"), err)
	}
	if len(ref.Triples) == 0 {
		t.Fatalf("%s has no triples", filepath.Join(root, "reference.json"))
	}
	return ref.Triples
}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}

// oracleIntermediates recomputes the reference's intermediate quantities on
// normalize1'd images.
func oracleIntermediates(t testing.TB, a, b, f []float64) map[string]float64 {
	norm := func(x []float64) []float64 {
		n, err := normalize1(x)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	na, nb, nf := norm(a), norm(b), norm(f)
	af, bf, ab := newJoint(na, nf), newJoint(nb, nf), newJoint(na, nb)
	miAF, hA, hF := af.mi()
	miBF, hB, _ := bf.mi()
	_, _, hAF := af.entropies()
	_, _, hBF := bf.entropies()
	return map[string]float64{
		"MI_AF": miAF, "MI_BF": miBF, "H_A": hA, "H_B": hB, "H_F": hF,
		"H_AF_joint": hAF, "H_BF_joint": hBF,
		"tsallis_AF_q0.43137": af.tsallis(qNava), "tsallis_BF_q0.43137": bf.tsallis(qNava),
		"tsallis_AB_q0.43137": ab.tsallis(qNava),
		"tsallis_AF_q1.85":    af.tsallis(qCvejic), "tsallis_BF_q1.85": bf.tsallis(qCvejic),
	}
}

// TestOracle matches every primary value, alternate and intermediate of the
// Octave oracle (the committed crops, and the full set when present) to 1e-9 relative and logs the maximum error per quantity.
func TestOracle(t *testing.T) {
	for _, set := range oracleSets(t) {
		t.Run(set.name, func(t *testing.T) { testOracle(t, set.root, set.triples) })
	}
}

func testOracle(t *testing.T, root string, triples []oracleTriple) {
	const tol = 1e-9
	var mu sync.Mutex
	maxErr := map[string]float64{}
	names := append(Primary(), "Q_TE_cvejic", "Q_W_zl", "Q_G_yuliu", "Q_ABF_qabf", "Q_Piella_yuliu", "Q_W_yuliu", "Q_E_yuliu")
	t.Run("triples", func(t *testing.T) {
		for _, tr := range triples {
			t.Run(tr.ID, func(t *testing.T) {
				t.Parallel()
				a := readPNG(t, filepath.Join(root, tr.Gray["A"]))
				b := readPNG(t, filepath.Join(root, tr.Gray["B"]))
				f := readPNG(t, filepath.Join(root, tr.Gray["F"]))
				got, err := Evaluate(names, Inputs{Sources: []*data.Image{a, b}, Fused: f})
				if err != nil {
					t.Fatal(err)
				}
				check := func(key, name string, want float64, have float64) {
					e := relErr(have, want)
					mu.Lock()
					maxErr[key] = math.Max(maxErr[key], e)
					mu.Unlock()
					if e > tol || math.IsNaN(e) {
						t.Errorf("%s: got %.17g want %.17g (rel %.3g)", name, have, want, e)
					}
				}
				if len(tr.Values) != 6 {
					t.Errorf("%d primary values, want 6", len(tr.Values))
				}
				for k, want := range tr.Values {
					check(k, k, want, got[k])
				}
				for k, want := range tr.Alternates {
					name, ok := oracleAlternates[k]
					if !ok {
						t.Errorf("alternate %s has no registered metric", k)
						continue
					}
					check("alt."+k, name, want, got[name])
				}
				inter := oracleIntermediates(t, a.Planes[0], b.Planes[0], f.Planes[0])
				for k, want := range tr.Intermediates {
					have, ok := inter[k]
					if !ok {
						t.Errorf("intermediate %s not recomputed", k)
						continue
					}
					check("int."+k, k, want, have)
				}
			})
		}
	})
	keys := make([]string, 0, len(maxErr))
	for k := range maxErr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("max rel err %-24s %.3g", k, maxErr[k])
	}
}

// TestOracleRGBToGray checks that Gray() on the decoded RGB PNGs gives the
// oracle's gray PNGs exactly.
func TestOracleRGBToGray(t *testing.T) {
	for _, set := range oracleSets(t) {
		t.Run(set.name, func(t *testing.T) { testOracleRGBToGray(t, set.root, set.triples) })
	}
}

func testOracleRGBToGray(t *testing.T, root string, triples []oracleTriple) {
	n := 0
	for _, tr := range triples {
		for _, role := range []string{"A", "B", "F"} {
			rgbPath, ok := tr.RGB[role]
			if !ok {
				continue
			}
			rgb := readPNG(t, filepath.Join(root, rgbPath))
			if rgb.C() != 3 {
				t.Fatalf("%s: %d planes, want 3", rgbPath, rgb.C())
			}
			g, err := rgb.Gray()
			if err != nil {
				t.Fatal(err)
			}
			want := readPNG(t, filepath.Join(root, tr.Gray[role]))
			if d := firstDiff(g.Planes[0], want.Planes[0], g.W); d != "" {
				t.Errorf("%s %s: %s", tr.ID, role, d)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no RGB inputs in reference.json")
	}
}

func firstDiff(a, b []float64, w int) string {
	if len(a) != len(b) {
		return fmt.Sprintf("length %d vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Sprintf("pixel (%d,%d): %v vs %v", i%w, i/w, a[i], b[i])
		}
	}
	return ""
}
