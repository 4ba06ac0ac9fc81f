package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCellsGridZip(t *testing.T) {
	tests := []struct {
		name  string
		sweep string
		want  []string // labels in order
	}{
		{"none", "", []string{"base"}},
		{"grid", "sweep: {grid: {train.seed: [1, 2], train.lr: [0.1, 0.2]}}",
			[]string{"train.lr=0.1, train.seed=1", "train.lr=0.1, train.seed=2", "train.lr=0.2, train.seed=1", "train.lr=0.2, train.seed=2"}},
		{"zip+grid", "sweep: {zip: {label: {values: [a, b]}, model.modules: [[], [dca, gcb]]}, grid: {train.seed: [1, 2]}}",
			[]string{"label=a, model.modules=none, train.seed=1", "label=a, model.modules=none, train.seed=2",
				"label=b, model.modules=dca+gcb, train.seed=1", "label=b, model.modules=dca+gcb, train.seed=2"}},
		{"zip repeats a value", "sweep: {zip: {v: {values: [hard, spread, photo]}, data.spread: [false, true, true], data.photometric: [0, 0, 0.1]}}",
			[]string{"data.photometric=0, data.spread=false, v=hard", "data.photometric=0, data.spread=true, v=spread", "data.photometric=0.1, data.spread=true, v=photo"}},
		{"long form", "sweep: {grid: {N: {values: [10, 25], targets: {fm: train.samples}}}}",
			[]string{"N=10", "N=25"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := "name: x\ndatasets: {d: {path: p}}\nmethods: [{name: fm, method: fakemodel, train: {kind: fake, config: siamese-cpu}}]\n" + tc.sweep
			s, err := Parse([]byte(doc), nil)
			if err != nil {
				t.Fatal(err)
			}
			cells, err := s.Cells()
			if err != nil {
				t.Fatal(err)
			}
			again, _ := s.Cells()
			if len(cells) != len(tc.want) {
				t.Fatalf("%d cells, want %d", len(cells), len(tc.want))
			}
			names := map[string]bool{}
			for i, c := range cells {
				if c.Index != i || c.Label() != tc.want[i] {
					t.Errorf("cell %d: index %d label %q, want %q", i, c.Index, c.Label(), tc.want[i])
				}
				if c.Name != again[i].Name || names[c.Name] {
					t.Errorf("cell %d: name %q not stable or not unique", i, c.Name)
				}
				names[c.Name] = true
			}
		})
	}
}

func TestCellNameStable(t *testing.T) {
	vals := []AxisValue{{"model.dca", false}, {"train.seed", 1}}
	name := CellName(vals)
	if !regexp.MustCompile(`^model\.dca-false_train\.seed-1-[0-9a-f]{8}$`).MatchString(name) {
		t.Errorf("name %q", name)
	}
	if CellName([]AxisValue{{"model.dca", false}, {"train.seed", 2}}) == name {
		t.Error("different values, same name")
	}
	long := CellName([]AxisValue{{"model.modules", []any{"dca", "siamese", "residual", "dfeb", "gcb", "dca2", "x", "y", "z", "w"}}})
	if len(long) > 80+9 {
		t.Errorf("name %q too long", long)
	}
	// The slug alone would collide (both map to "a-b"); the hash keeps them apart.
	if CellName([]AxisValue{{"a", "b c"}}) == CellName([]AxisValue{{"a", "b/c"}}) {
		t.Error("slug collision not disambiguated")
	}
}

func TestShardPartition(t *testing.T) {
	cells := make([]Cell, 11)
	for i := range cells {
		cells[i] = Cell{Index: i, Name: fmt.Sprint(i)}
	}
	for n := 1; n <= 12; n++ {
		seen := map[int]int{}
		for i := 0; i < n; i++ {
			sh, err := Shard(cells, i, n)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range sh {
				if c.Index%n != i {
					t.Errorf("n=%d shard %d holds cell %d", n, i, c.Index)
				}
				seen[c.Index]++
			}
		}
		for i := range cells {
			if seen[i] != 1 {
				t.Errorf("n=%d: cell %d in %d shards", n, i, seen[i])
			}
		}
	}
	for _, bad := range []string{"", "1", "2/2", "-1/3", "a/b", "0/0"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	if i, n, err := ParseShard("3/8"); err != nil || i != 3 || n != 8 {
		t.Errorf("ParseShard(3/8) = %d, %d, %v", i, n, err)
	}
}

func TestSpecErrors(t *testing.T) {
	base := "name: x\ndatasets: {d: {path: p}}\nmethods: [{name: fm, method: fakemodel, train: {kind: fake, config: siamese-cpu}}, {name: average}]\n"
	tests := []struct{ doc, want string }{
		{base + "bogus: 1\n", "bogus"},
		{"name: x\ndatasets: {d: {}}\nmethods: [{name: average}]\n", "--set datasets.d.path=DIR"},
		{base + "sweep: {zip: {a: [1, 2], b: [1]}}\n", "zip"},
		{base + "sweep: {grid: {N: {values: [1], targets: {nope: x}}}}\n", "nope"},
		{base + "sweep: {grid: {N: {values: [1], targets: {average: train.x}}}}\n", "no train"},
		{base + "sweep: {grid: {N: {valus: [1]}}}\n", "valus"},
		{base + "sweep: {grid: {train.seed: [1, 1]}}\n", "twice"},
		{base + "sweep: {zip: {a: [1, 2, 1], b: [x, y, x]}}\n", "entries 1 and 3"},
		{"name: x\ndatasets: {d: {path: p}}\nmethods: [{name: m, method: nosuch}]\n", "nosuch"},
		{"name: x\ndatasets: {d: {path: p}}\nmethods: [{name: m, method: fakemodel, train: {kind: nokind, config: siamese-cpu}}]\n", "nokind"},
		{base + "metrics: [Q_NOPE]\n", "Q_NOPE"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.doc), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to mention %q", tc.doc, err, tc.want)
		}
	}
}

func TestMissingDatasetPath(t *testing.T) {
	s, err := Parse([]byte("name: x\ndatasets: {lytro: {path: /nonexistent/lytro}}\n"+
		"methods: [{name: average}, {name: fm, method: fakemodel, train: {kind: fake, config: siamese-cpu}}]\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := s.Cells()
	*trainer = fakeTrainer{}
	r := &Runner{Spec: s, Root: t.TempDir(), Version: "v"}
	err = r.Run(cells)
	if err == nil || !strings.Contains(err.Error(), "datasets.lytro.path") || !strings.Contains(err.Error(), "--set") {
		t.Errorf("error %v: want one naming datasets.lytro.path and how to set it", err)
	}
	if trainer.calls != 0 {
		t.Errorf("trained %d models before noticing the missing dataset", trainer.calls)
	}
}

func TestSlurmScriptMatchesShards(t *testing.T) {
	r, cells := tinyRunner(t)
	script, err := SlurmScript(r.Spec, "experiments/tiny.yaml", "runs", []string{"datasets.synth.offset=0"}, SlurmOptions{CPUs: 2, Time: "01:00:00"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#!/bin/bash\n",
		fmt.Sprintf("#SBATCH --array=0-%d\n", len(cells)-1),
		"#SBATCH --cpus-per-task=2\n",
		"#SBATCH --time=01:00:00\n",
		`mfif run experiments/tiny.yaml --runs runs --cell "$SLURM_ARRAY_TASK_ID"`,
		"--set datasets.synth.offset=0",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	// The script lists task k = cell k, which is also shard k/N.
	for _, c := range cells {
		if !strings.Contains(script, fmt.Sprintf("# cell %d: %s ", c.Index, c.Name)) {
			t.Errorf("script does not map task %d to %s", c.Index, c.Name)
		}
		sh, _ := Shard(cells, c.Index, len(cells))
		if len(sh) != 1 || sh[0].Name != c.Name {
			t.Errorf("shard %d/%d = %v, want cell %s", c.Index, len(cells), sh, c.Name)
		}
	}
}

func TestShippedExperiments(t *testing.T) {
	files, _ := filepath.Glob("../../experiments/*.yaml")
	if len(files) == 0 {
		t.Fatal("no experiments/*.yaml")
	}
	want := map[string]int{"table7-ablation": 5, "table7-ablation-cpu": 15, "table8-threshold": 5, "table8-threshold-cpu": 5,
		"table6-window": 4, "table6-window-cpu": 4, "siamese-budget-cpu": 12,
		"siamese-synthesis-cpu": 9, "siamese-window-cpu": 3, "siamese-wide-cpu": 6}
	for _, f := range files {
		s, err := Load(f, pathOverrides(t, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		cells, err := s.Cells()
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if n, ok := want[s.Name]; ok && len(cells) != n {
			t.Errorf("%s: %d cells, want %d", f, len(cells), n)
		}
		if !strings.HasSuffix(s.Name, "-cpu") {
			if _, err := os.Stat(strings.TrimSuffix(f, ".yaml") + "-cpu.yaml"); err != nil {
				t.Errorf("%s has no CPU variant: %v", f, err)
			}
		}
	}
}

// Content keys follow what a config says, not how it is written.
func TestKeyIgnoresConfigComments(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	key := func(body string) string {
		t.Helper()
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Parse([]byte(fmt.Sprintf("name: k\ndatasets: {d: {path: p}}\nmethods: [{name: fm, method: fakemodel, train: {kind: fake, config: %s}}]\n", cfg)), nil)
		if err != nil {
			t.Fatal(err)
		}
		cells, _ := s.Cells()
		p, err := (&Runner{Spec: s, Version: "v"}).plan(cells[0])
		if err != nil {
			t.Fatal(err)
		}
		return p.key()
	}
	a := key("train: {epochs: 3, lr: 0.1}\n")
	if b := key("# a comment\ntrain:\n  lr: 0.1   # rate\n  epochs: 3\n"); b != a {
		t.Error("reformatting the config changed the key")
	}
	if c := key("train: {epochs: 4, lr: 0.1}\n"); c == a {
		t.Error("changing a value kept the key")
	}
}
