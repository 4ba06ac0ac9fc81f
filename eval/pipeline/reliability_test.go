package pipeline

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

// counting is a test method that counts how often it is built and closed.
type counting struct{ eval.Method }

var (
	registerCounting sync.Once
	countBuilt       atomic.Int32
	countClosed      atomic.Int32
)

func (counting) Close() error {
	countClosed.Add(1)
	return nil
}

// countingMethod registers "test-counting" (it needs option load=true, so
// DefaultMethods leaves it out) and resets its counters.
func countingMethod(t *testing.T) string {
	t.Helper()
	registerCounting.Do(func() {
		eval.Register(eval.Info{Name: "test-counting"}, func(opts eval.Options) (eval.Method, error) {
			r := eval.NewOptionReader(opts)
			load := r.Bool("load", false)
			if err := r.Done(); err != nil {
				return nil, err
			}
			if !load {
				return nil, errors.New("option load is required")
			}
			avg, err := eval.New("average", nil)
			if err != nil {
				return nil, err
			}
			countBuilt.Add(1)
			return counting{avg}, nil
		})
	})
	countBuilt.Store(0)
	countClosed.Store(0)
	return "test-counting"
}

// TestFuseFolderLoadsOncePerWorker: the instance built to check the
// options is used, at most one instance per worker exists, and all are
// closed.
func TestFuseFolderLoadsOncePerWorker(t *testing.T) {
	name := countingMethod(t)
	pairs := synthPairs(t, 5)
	for _, workers := range []int{1, 2} {
		countBuilt.Store(0)
		countClosed.Store(0)
		if _, err := FuseFolder(pairs, name, eval.Options{"load": true}, t.TempDir(), Options{Workers: workers}); err != nil {
			t.Fatal(err)
		}
		if b, c := countBuilt.Load(), countClosed.Load(); b < 1 || int(b) > workers || c != b {
			t.Errorf("%d workers: built %d, closed %d (want 1..%d, all closed)", workers, b, c, workers)
		}
	}
	countBuilt.Store(0)
	if _, err := FuseFolder(pairs, name, nil, t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "load") {
		t.Errorf("bad options: %v", err)
	}
	if DefaultMethods(); countBuilt.Load() != 0 {
		t.Errorf("DefaultMethods built the model method")
	}
}

func TestCheckOutDir(t *testing.T) {
	root := t.TempDir()
	pairs := filepath.Join(root, "pairs")
	link := filepath.Join(root, "link")
	if err := os.MkdirAll(filepath.Join(pairs, "source_1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(pairs, link); err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	relInside, err := filepath.Rel(wd, filepath.Join(pairs, "x"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, out, want string
	}{
		{"same folder", pairs, "is the input folder"},
		{"same folder, trailing slash", pairs + "/", "is the input folder"},
		{"inside", filepath.Join(pairs, "fused"), "is inside the input folder"},
		{"inside, not created yet", filepath.Join(pairs, "a", "b"), "is inside the input folder"},
		{"containing", root, "contains the input folder"},
		{"through a link", filepath.Join(link, "fused"), "is inside the input folder"},
		{"relative", relInside, "is inside"},
		{"sibling", filepath.Join(root, "fused"), ""},
		{"prefix is not inside", pairs + "-fused", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOutDir(tc.out, pairs)
			if tc.want == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrOutDir) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrOutDir saying %q", err, tc.want)
			}
		})
	}
}

// TestFuseFolderRefusesPairFolder: fusing into the pairs' own folder (or a
// folder inside it) fails before anything is written.
func TestFuseFolderRefusesPairFolder(t *testing.T) {
	pairs := synthPairs(t, 1)
	srcDir := filepath.Dir(pairs[0].Sources[0])
	for _, out := range []string{srcDir, filepath.Join(srcDir, "fused"), filepath.Dir(srcDir)} {
		before, _ := os.ReadDir(srcDir)
		_, err := FuseFolder(pairs, "average", nil, out, Options{})
		if !errors.Is(err, ErrOutDir) {
			t.Errorf("out %s: %v, want ErrOutDir", out, err)
		}
		if after, _ := os.ReadDir(srcDir); len(after) != len(before) {
			t.Errorf("out %s: files written before the refusal", out)
		}
	}
}

// writePairImage writes a small gray image at dir/rel.
func writePairImage(t *testing.T, dir, rel string) {
	t.Helper()
	m := data.NewImage(16, 12, 1)
	for i := range m.Planes[0] {
		m.Planes[0][i] = float64(i % 200)
	}
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteImage(p, m, 8); err != nil {
		t.Fatal(err)
	}
}

// TestDiscoverMethodsIgnoresSources: source and reference images are never
// methods, whether --fused names the pair folder itself or a copy.
func TestDiscoverMethodsIgnoresSources(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
		err   string
	}{
		{"flat pair folder", []string{"p1_A.png", "p1_B.png", "p2_A.png", "p2_B.png"}, nil, "holds only the source"},
		{"flat pair folder with results", []string{"p1_A.png", "p1_B.png", "p2_A.png", "p2_B.png", "p1_gff.png"}, []string{"gff"}, ""},
		{"parallel folders", []string{"source_1/p1.png", "source_2/p1.png", "full_clear/p1.png", "source_1/p2.png", "source_2/p2.png", "full_clear/p2.png"}, nil, "holds only the source"},
		{"parallel folders with a method folder", []string{"source_1/p1.png", "source_2/p1.png", "source_1/p2.png", "source_2/p2.png", "gff/p1.png"}, []string{"gff"}, ""},
		{"infrared-visible", []string{"ir/p1.png", "vi/p1.png", "ir/p2.png", "vi/p2.png"}, nil, "holds only the source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				writePairImage(t, dir, f)
			}
			pairs, err := data.DiscoverPairs(dir)
			if err != nil {
				t.Fatal(err)
			}
			// The folder itself and a copy of it (other paths, same names).
			cp := t.TempDir()
			for _, f := range tc.files {
				writePairImage(t, cp, f)
			}
			for _, fused := range []string{dir, cp} {
				got, err := DiscoverMethods(fused, pairs)
				if tc.err != "" {
					if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), fused) {
						t.Errorf("%s: methods %v, error %v; want an error naming the folder and saying %q", fused, got, err, tc.err)
					}
					continue
				}
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: methods %v (%v), want %v", fused, got, err, tc.want)
				}
			}
		})
	}
}

// TestEvaluateSkipMissing: skipped pairs are listed per method, and unless
// RankAll is set every method is averaged over the same (common) pairs.
func TestEvaluateSkipMissing(t *testing.T) {
	pairs := synthPairs(t, 3)
	root := t.TempDir()
	sources, err := FuseAll(pairs, []string{"average", "sf-map"}, root, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "average", FusedName(pairs[1].Name, "average"))); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		rankAll bool
		images  int
		n       map[string]int
		log     []string
	}{
		{"common pairs", false, 2, map[string]int{"average": 2, "sf-map": 2},
			[]string{"skipped for method average: 1 of 3 pairs", pairs[1].Name, "over the 2 of 3 pairs every method has"}},
		{"rank all", true, 3, map[string]int{"average": 2, "sf-map": 3},
			[]string{"skipped for method average: 1 of 3 pairs", pairs[1].Name, "its own pairs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			res, err := Evaluate(pairs, sources, EvalOptions{Metrics: []string{"Q_G"}, SkipMissing: true, RankAll: tc.rankAll, Log: &log}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Images) != tc.images {
				t.Errorf("images %v, want %d", res.Images, tc.images)
			}
			for m, n := range tc.n {
				if got := res.Summary[m]["Q_G"].N; got != n {
					t.Errorf("%s: n = %d, want %d", m, got, n)
				}
			}
			for _, want := range tc.log {
				if !strings.Contains(log.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, log.String())
				}
			}
			skipped, _ := res.Provenance.Config["skipped"].(map[string][]string)
			if !reflect.DeepEqual(skipped["average"], []string{pairs[1].Name}) {
				t.Errorf("provenance skipped = %v", res.Provenance.Config["skipped"])
			}
			table := res.Table("", false).Markdown()
			if hasN := strings.Contains(table, "| Method | n |"); hasN != tc.rankAll {
				t.Errorf("n column shown = %v, want %v:\n%s", hasN, tc.rankAll, table)
			}
		})
	}
	// No pair common to all methods: an error, not a table of incomparable
	// means.
	if err := os.Remove(filepath.Join(root, "sf-map", FusedName(pairs[0].Name, "sf-map"))); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, "average", FusedName(pairs[2].Name, "average"))); err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(pairs, sources, EvalOptions{Metrics: []string{"Q_G"}, SkipMissing: true}, Options{}); err == nil || !strings.Contains(err.Error(), "--rank-all") {
		t.Errorf("no common pair: %v", err)
	}
}

// TestLongPairName fuses and evaluates a pair whose name is 240
// characters long: every file written (fused image, map, and their
// temporary names) stays within the 255-byte file-name limit.
func TestLongPairName(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("n", 236) + "_240"
	sc, err := data.Synthesize(data.SynthConfig{W: 40, H: 32}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for k, letter := range []string{"A", "B"} {
		if err := data.WriteImage(filepath.Join(dir, name+"_"+letter+".png"), sc.Sources[k], 8); err != nil {
			t.Fatal(err)
		}
	}
	pairs, err := data.DiscoverPairs(dir)
	if err != nil || len(pairs) != 1 || len(pairs[0].Name) != 240 {
		t.Fatalf("discover: %v %v", pairs, err)
	}
	root := t.TempDir()
	sources, err := FuseAll(pairs, []string{"average", "sf-map"}, root, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join("average", FusedName(name, "average")), filepath.Join("sf-map", FusedName(name, "sf-map")), filepath.Join("sf-map", MethodMapName(name, "sf-map"))} {
		if _, err := data.ReadImage(filepath.Join(root, f)); err != nil {
			t.Errorf("%d-character file name: %v", len(filepath.Base(f)), err)
		}
	}
	res, err := Evaluate(pairs, sources, EvalOptions{Metrics: []string{"Q_G"}}, Options{})
	if err != nil || res.Summary["sf-map"]["Q_G"].N != 1 {
		t.Fatalf("evaluate: %v", err)
	}
}
