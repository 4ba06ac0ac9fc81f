package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/metrics"
)

// TestMapScores fuses a synthetic set that has true masks with a map
// method and a method without maps, into one shared folder and into one
// folder per method, and checks the map columns of Evaluate.
func TestMapScores(t *testing.T) {
	pairs := synthPairs(t, 3)
	shared := t.TempDir()
	for _, m := range []string{"average", "sf-map"} {
		if _, err := FuseFolder(pairs, m, nil, shared, Options{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	perMethod := t.TempDir()
	perSources, err := FuseAll(pairs, []string{"average", "sf-map"}, perMethod, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The experiment runner's layout: untagged <pair>_map.png in a folder
	// holding one method.
	for _, p := range pairs {
		tagged := filepath.Join(perMethod, "sf-map", MethodMapName(p.Name, "sf-map"))
		if err := os.Rename(tagged, filepath.Join(perMethod, "sf-map", MapName(p.Name))); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		sources []Source
	}{
		{"shared folder", []Source{{"average", shared}, {"sf-map", shared}}},
		{"folder per method", perSources},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Evaluate(pairs, tc.sources, EvalOptions{Metrics: []string{"PSNR"}}, Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, m := range res.Metrics {
				cols = append(cols, m.Name)
			}
			if strings.Join(cols, ",") != "PSNR,MapAcc,BoundaryF" {
				t.Fatalf("columns %v", cols)
			}
			if _, ok := res.Summary["average"][metrics.MapAccuracyName]; ok {
				t.Error("average has no decision map but got a map score")
			}
			for _, p := range pairs {
				s := res.PerImage["sf-map"][p.Name]
				mp, err := data.ReadImage(filepath.Join(tc.sources[1].Dir, MethodMapName(p.Name, "sf-map")))
				if err != nil {
					mp, err = data.ReadImage(filepath.Join(tc.sources[1].Dir, MapName(p.Name)))
				}
				if err != nil {
					t.Fatal(err)
				}
				for i := range mp.Planes[0] {
					mp.Planes[0][i] /= 255
				}
				mask, _ := data.ReadMask(p.Mask)
				acc, _ := metrics.MapAccuracy(mp, mask)
				bf, _ := metrics.BoundaryF(mp, mask, metrics.DefaultBoundaryTolerance)
				if s[metrics.MapAccuracyName] != acc || s[metrics.BoundaryFName] != bf.F {
					t.Errorf("%s: scores %v, want MapAcc %v BoundaryF %v", p.Name, s, acc, bf.F)
				}
				if acc < 0.8 {
					t.Errorf("%s: sf-map agrees with the true mask on only %.3f of the pixels", p.Name, acc)
				}
			}
		})
	}
	// Without masks there are no map columns.
	noMask := append([]data.Pair(nil), pairs...)
	for i := range noMask {
		noMask[i].Mask = ""
	}
	res, err := Evaluate(noMask, perSources, EvalOptions{Metrics: []string{"PSNR"}}, Options{})
	if err != nil || len(res.Metrics) != 1 {
		t.Errorf("no masks: %v, %d columns", err, len(res.Metrics))
	}
	// A map of the wrong size is an error naming the file.
	bad := filepath.Join(shared, MethodMapName(pairs[0].Name, "sf-map"))
	if err := data.WriteImage(bad, data.NewImage(5, 5, 1), 8); err != nil {
		t.Fatal(err)
	}
	_, err = Evaluate(pairs, []Source{{"sf-map", shared}}, EvalOptions{Metrics: []string{"PSNR"}}, Options{})
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "size") {
		t.Errorf("wrong-size map: %v", err)
	}
}

func TestFindMap(t *testing.T) {
	dir := t.TempDir()
	touch := func(rel string) string {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tagged := touch("p1_gff_map.png")
	bare := touch("p2_map.png")
	sub := touch("dct/p3_map.png")
	for _, tc := range []struct {
		name    string
		s       Source
		pair    string
		sources []Source
		want    string
	}{
		{"tagged", Source{"gff", dir}, "p1", nil, tagged},
		{"tagged, other method", Source{"sf-map", dir}, "p1", nil, ""},
		{"bare, own folder", Source{"gff", dir}, "p2", nil, bare},
		{"bare, shared folder", Source{"gff", dir}, "p2", []Source{{"gff", dir}, {"average", dir}}, ""},
		{"method subfolder", Source{"dct", dir}, "p3", []Source{{"dct", dir}, {"gff", dir}}, sub},
	} {
		if got := findMap(tc.s, tc.pair, tc.sources); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
