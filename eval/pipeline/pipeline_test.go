package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mfif/mfif/data"
)

func touch(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiscoverMethods(t *testing.T) {
	pairs := []data.Pair{{Name: "lytro_01"}, {Name: "lytro_01_b"}, {Name: "img2"}}
	cases := []struct {
		name  string
		files []string
		dir   string
		want  []string
	}{
		{"mfibb flat", []string{"lytro_01_CNN.png", "img2_DWT.jpg", "img2_CNN.png", "img2_map.png", "img2_CNN_map.png", "notes.txt"}, "", []string{"CNN", "DWT"}},
		{"longest pair prefix", []string{"lytro_01_b_gff.png"}, "", []string{"gff"}},
		{"subfolders", []string{"gff/lytro_01.png", "sf-map/img2_sf-map.png", "empty/readme.txt"}, "", []string{"gff", "sf-map"}},
		{"bare folder", []string{"lytro_01.png", "img2.tif"}, "average", []string{"average"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), c.dir)
			for _, f := range c.files {
				touch(t, filepath.Join(dir, f))
			}
			got, err := DiscoverMethods(dir, pairs)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("methods %v, want %v", got, c.want)
			}
		})
	}
	if _, err := DiscoverMethods(t.TempDir(), pairs); err == nil || !strings.Contains(err.Error(), "no <pair>_<method>") {
		t.Errorf("empty folder: %v", err)
	}
}

func TestDiscoverSources(t *testing.T) {
	pairs := []data.Pair{{Name: "p1"}}
	a, b := t.TempDir(), t.TempDir()
	touch(t, filepath.Join(a, "p1_X.png"), filepath.Join(a, "p1_Y.png"), filepath.Join(b, "p1_Y.png"))
	if _, err := DiscoverSources([]string{a, b}, pairs, nil); err == nil || !strings.Contains(err.Error(), "method Y has fused images in both") {
		t.Errorf("duplicate: %v", err)
	}
	got, err := DiscoverSources([]string{a, b}, pairs, []string{"X"})
	if err != nil || len(got) != 1 || got[0] != (Source{"X", a}) {
		t.Errorf("filter: %v %v", got, err)
	}
	if _, err := DiscoverSources([]string{a}, pairs, []string{"Z"}); err == nil || !strings.Contains(err.Error(), "method Z") {
		t.Errorf("unknown filtered method: %v", err)
	}
}

func TestParallelLowestError(t *testing.T) {
	var ran atomic.Int32
	err := parallel(50, Options{Workers: 4}, "t", func(_, i int) error {
		ran.Add(1)
		if i == 7 || i == 9 {
			return fmt.Errorf("job %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "job 7" {
		t.Errorf("err %v, want job 7", err)
	}
	if ran.Load() == 0 {
		t.Error("no job ran")
	}
	seen := make([]bool, 20)
	if err := parallel(20, Options{Workers: 3}, "t", func(_, i int) error { seen[i] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for i, s := range seen {
		if !s {
			t.Errorf("job %d skipped", i)
		}
	}
}

// TestParallelProgressLines checks that progress written to a file (not a
// terminal) is plain lines, one per 10 %, ending with the final count.
func TestParallelProgressLines(t *testing.T) {
	var buf strings.Builder
	if err := parallel(20, Options{Workers: 2, Progress: &buf}, "fuse x", func(_, i int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if strings.Contains(out, "\r") || len(lines) != 10 || !strings.HasPrefix(lines[9], "fuse x: done 20/20") {
		t.Errorf("progress output:\n%q", out)
	}
}

func synthPairs(t *testing.T, n int) []data.Pair {
	t.Helper()
	data.ProgressOutput = io.Discard
	pairs, err := data.WriteSyntheticSet(t.TempDir(), n, data.SynthConfig{W: 40, H: 32}, 3)
	if err != nil {
		t.Fatal(err)
	}
	return pairs
}

func TestFuseAndEvaluate(t *testing.T) {
	pairs := synthPairs(t, 3)
	root := t.TempDir()
	sources, err := FuseAll(pairs, []string{"average", "sf-map"}, root, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		for _, f := range []string{"average/" + FusedName(p.Name, "average"), "sf-map/" + FusedName(p.Name, "sf-map"), "sf-map/" + MethodMapName(p.Name, "sf-map")} {
			m, err := data.ReadImage(filepath.Join(root, f))
			if err != nil {
				t.Fatal(err)
			}
			if m.W != 40 || m.H != 32 {
				t.Errorf("%s: %dx%d", f, m.W, m.H)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(root, "average", MethodMapName(pairs[0].Name, "average"))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("average has no map but one was written: %v", err)
	}
	found, err := DiscoverSources([]string{root}, pairs, nil)
	if err != nil || len(found) != 2 {
		t.Fatalf("rediscover: %v %v", found, err)
	}
	res, err := Evaluate(pairs, sources, EvalOptions{Metrics: []string{"Q_G"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 3 || res.Summary["sf-map"]["Q_G"].N != 3 {
		t.Errorf("results %+v", res.Summary)
	}
	// The decision-map method keeps more gradient information than plain
	// averaging on synthetic defocus.
	if res.Summary["sf-map"]["Q_G"].Mean <= res.Summary["average"]["Q_G"].Mean {
		t.Errorf("Q_G sf-map %v <= average %v", res.Summary["sf-map"]["Q_G"].Mean, res.Summary["average"]["Q_G"].Mean)
	}

	missing := filepath.Join(root, "average", FusedName(pairs[1].Name, "average"))
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}
	_, err = Evaluate(pairs, sources, EvalOptions{Metrics: []string{"Q_G"}}, Options{})
	if err == nil || !strings.Contains(err.Error(), pairs[1].Name) || !strings.Contains(err.Error(), "method average") {
		t.Errorf("missing fused file: %v", err)
	}
	res, err = Evaluate(pairs, sources, EvalOptions{Metrics: []string{"Q_G"}, SkipMissing: true, RankAll: true}, Options{})
	if err != nil || res.Summary["average"]["Q_G"].N != 2 || res.Summary["sf-map"]["Q_G"].N != 3 {
		t.Errorf("skip missing: %v %+v", err, res)
	}
}

func TestFuseFolderBadOptions(t *testing.T) {
	pairs := synthPairs(t, 1)
	_, err := FuseFolder(pairs, "sf-map", map[string]any{"windw": 3}, t.TempDir(), Options{})
	if err == nil || !strings.Contains(err.Error(), "windw") {
		t.Errorf("unknown option: %v", err)
	}
	if _, err := FuseFolder(pairs, "no-such", nil, t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "no-such") {
		t.Errorf("unknown method: %v", err)
	}
}
