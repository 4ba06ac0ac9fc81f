package experiment

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/report"
)

// fakeTrainer writes a checkpoint and a loss.csv like a real trainer, and
// counts its calls. failNext makes the next call fail after writing a
// partial file, as an interrupted training would leave.
type fakeTrainer struct {
	mu       sync.Mutex
	calls    int
	resumes  int
	failNext bool
}

func (f *fakeTrainer) train(_ context.Context, r TrainRequest) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir, ov := r.Dir, r.Overrides
	f.calls++
	if r.Resume {
		f.resumes++
	}
	if err := os.WriteFile(filepath.Join(dir, "last.ckpt"), []byte("x"), 0o644); err != nil {
		return "", err
	}
	if f.failNext {
		f.failNext = false
		return "", errors.New("interrupted")
	}
	loss := "epoch,iteration,lr,train_loss,val_loss\n1,4,0.1,0.9,1.0\n2,8,0.1,0.5,0.7\n"
	if err := os.WriteFile(filepath.Join(dir, "history.csv"), []byte(loss), 0o644); err != nil {
		return "", err
	}
	ckpt := filepath.Join(dir, "best.ckpt")
	return ckpt, os.WriteFile(ckpt, []byte(fmt.Sprint(ov["train.seed"])), 0o644)
}

var (
	trainer   = &fakeTrainer{}
	fuseCalls struct {
		sync.Mutex
		n      int
		failAt int // fail when n reaches failAt (0: never)
	}
)

// fakeModel is an eval method that needs option model (a checkpoint on
// disk) and takes a threshold, like the real trained methods.
type fakeModel struct{ threshold float64 }

func (m fakeModel) Fuse(srcs []*data.Image) (*eval.Result, error) {
	fuseCalls.Lock()
	fuseCalls.n++
	fail := fuseCalls.failAt != 0 && fuseCalls.n == fuseCalls.failAt
	fuseCalls.Unlock()
	if fail {
		return nil, errors.New("killed")
	}
	a, b := srcs[0], srcs[1]
	d := data.NewImage(a.W, a.H, 1)
	for i := range d.Planes[0] {
		if m.threshold <= 0.5 {
			d.Planes[0][i] = 1
		}
	}
	f, err := eval.FuseWithMap(a, b, d)
	return &eval.Result{Fused: f, Map: d}, err
}

func init() {
	RegisterTrainer("fake", trainer.train)
	// The shipped experiments name the real kinds and methods; fakes stand
	// in so this libtorch-free test can load them.
	RegisterTrainer("siamese", trainer.train)
	RegisterTrainer("fusiondiff", trainer.train)
	for _, name := range []string{"fakemodel", "siamese", "fusiondiff"} {
		eval.Register(eval.Info{Name: name, Description: "test stand-in", HasMap: true}, func(o eval.Options) (eval.Method, error) {
			ckpt, _ := o["model"].(string)
			if _, err := os.Stat(ckpt); err != nil {
				return nil, fmt.Errorf("option model: %w", err)
			}
			th, _ := o["threshold"].(float64)
			return fakeModel{threshold: th}, nil
		})
	}
	data.ProgressOutput = io.Discard
}

const tinySpec = `
name: tiny
datasets:
  synth: {synthetic: {n: 3, w: 32, h: 24, seed: 5}}
methods:
  - {name: average}
  - name: fm
    method: fakemodel
    train: {kind: fake, config: %s, set: {train.epochs: 1}}
metrics: [Q_G, Q_SF]
sweep:
  grid:
    train.seed: [1, 2]
outputs:
  repeat: ""
  figures:
    - {dataset: synth, pair: synth_00001, zoom: [2, 2, 10, 10]}
    - {dataset: synth, pair: synth_00001, maps: true, methods: [fm]}
`

func tinyRunner(t *testing.T) (*Runner, []Cell) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "fake.yaml")
	if err := os.WriteFile(cfg, []byte("train: {epochs: 3, seed: 0}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]byte(fmt.Sprintf(tinySpec, cfg)), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := s.Cells()
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{Spec: s, Root: t.TempDir(), Workers: 2, Version: "test-1"}, cells
}

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

func mtime(t *testing.T, path string) time.Time {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.ModTime()
}

func TestRunSkipResumeStale(t *testing.T) {
	r, cells := tinyRunner(t)
	*trainer = fakeTrainer{failNext: true}
	// First run: training of cell 0 is "interrupted".
	if err := r.Run(cells); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("first run: %v", err)
	}
	if st, _, _ := r.Status(cells[0]); st != Partial {
		t.Fatalf("cell 0 after interruption: %s, want partial", st)
	}
	// Second run: training resumes, then fusion of cell 0 is killed mid-way.
	fuseCalls.Lock()
	fuseCalls.n, fuseCalls.failAt = 0, 2
	fuseCalls.Unlock()
	r.Workers = 1
	if err := r.Run(cells); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("second run: %v", err)
	}
	if trainer.calls != 2 || trainer.resumes != 1 {
		t.Errorf("trainer calls %d resumes %d, want 2 and 1", trainer.calls, trainer.resumes)
	}
	fmDir := FusedDir(filepath.Join(r.Dir(), cells[0].Name), "synth", "fm")
	first := filepath.Join(fmDir, "synth_00000_fm.png")
	t0 := mtime(t, first)
	// Third run: cell 0 resumes (only the 2 missing pairs are fused),
	// cell 1 trains and runs in full.
	fuseCalls.Lock()
	fuseCalls.n, fuseCalls.failAt = 0, 0
	fuseCalls.Unlock()
	if err := r.Run(cells); err != nil {
		t.Fatal(err)
	}
	if fuseCalls.n != 2+3 {
		t.Errorf("%d fusions, want 2 (cell 0 remainder) + 3 (cell 1)", fuseCalls.n)
	}
	if !mtime(t, first).Equal(t0) {
		t.Error("an image written before the interruption was rewritten")
	}
	if trainer.calls != 3 {
		t.Errorf("trainer calls %d, want 3", trainer.calls)
	}
	for _, c := range cells {
		if st, _, _ := r.Status(c); st != Done {
			t.Errorf("cell %s: %s", c.Name, st)
		}
		for _, f := range []string{DoneFile, CellFile, CheckpointsFile, LogFile, "config-fm.yaml", "metrics/synth.json", "model-fm/best.ckpt"} {
			if _, err := os.Stat(filepath.Join(r.Dir(), c.Name, f)); err != nil {
				t.Error(err)
			}
		}
	}
	res, err := report.ReadResults(filepath.Join(r.Dir(), cells[1].Name, "metrics", "synth.json"))
	if err != nil || len(res.Images) != 3 || len(res.Methods) != 2 {
		t.Fatalf("metrics: %v %+v", err, res)
	}
	// Fourth run: everything is done, nothing is repeated.
	doneAt := mtime(t, filepath.Join(r.Dir(), cells[1].Name, DoneFile))
	if err := r.Run(cells); err != nil {
		t.Fatal(err)
	}
	if trainer.calls != 3 || fuseCalls.n != 5 || !mtime(t, filepath.Join(r.Dir(), cells[1].Name, DoneFile)).Equal(doneAt) {
		t.Errorf("rerun repeated work: trainer %d, fusions %d", trainer.calls, fuseCalls.n)
	}
	// A new code version makes the cells stale: they are set aside and rerun.
	r.Version = "test-2"
	if st, _, _ := r.Status(cells[0]); st != Stale {
		t.Fatalf("after version change: %s, want stale", st)
	}
	if _, err := r.RunCell(cells[0]); err != nil {
		t.Fatal(err)
	}
	aside, _ := filepath.Glob(filepath.Join(r.Dir(), cells[0].Name+".stale-*"))
	if len(aside) != 1 || trainer.calls != 4 {
		t.Errorf("stale cell: set aside %v, trainer calls %d (want 1 folder, 4 calls)", aside, trainer.calls)
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

func TestReportPartial(t *testing.T) {
	r, cells := tinyRunner(t)
	*trainer = fakeTrainer{}
	if err := r.Run(cells[:1]); err != nil {
		t.Fatal(err)
	}
	sum, err := Report(r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Done != 1 || sum.Pending != 1 {
		t.Errorf("done %d pending %d, want 1 and 1", sum.Done, sum.Pending)
	}
	md, err := os.ReadFile(sum.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(r.Dir(), "report")
	for _, f := range []string{"synth/sweep.md", "synth/sweep.csv", "synth/sweep.tex", "synth/sweep_bars.png",
		"synth/line_train.seed_q-g.png", "loss_fm.png", "fig_synth_synth-00001.png", "fig_synth_synth-00001_maps.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("report lacks %s (%v); report.md:\n%s", f, err, md)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(out, "synth", "sweep.csv"))
	if lines := strings.Count(strings.TrimSpace(string(csv)), "\n"); lines != 2 {
		t.Errorf("sweep.csv has %d data rows, want 2 (one finished cell x 2 methods):\n%s", lines, csv)
	}
	if !strings.Contains(string(md), "pending") || !strings.Contains(string(md), "train.seed") {
		t.Errorf("report.md:\n%s", md)
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

// A sweep over an evaluation option trains one model for all cells; timing
// mode records seconds per pair and the report tabulates and plots them.
func TestSharedModelAndTiming(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "fake.yaml")
	if err := os.WriteFile(cfg, []byte("train: {seed: 0}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := fmt.Sprintf(`
name: timed
datasets:
  synth: {synthetic: {n: 2, w: 24, h: 16, seed: 1}}
methods:
  - {name: fm, method: fakemodel, train: {kind: fake, config: %s}}
metrics: [Q_G]
sweep:
  grid:
    options.threshold: [0.25, 0.75]
outputs: {timing: true}
`, cfg)
	s, err := Parse([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := s.Cells()
	*trainer = fakeTrainer{}
	r := &Runner{Spec: s, Root: t.TempDir(), Version: "v", Device: "cpu-test"}
	if err := r.Run(cells); err != nil {
		t.Fatal(err)
	}
	if trainer.calls != 1 {
		t.Errorf("trainer called %d times for an options-only sweep, want 1", trainer.calls)
	}
	var tm Timing
	if err := readJSON(filepath.Join(r.Dir(), cells[1].Name, "timing", "synth", "fm.json"), &tm); err != nil {
		t.Fatal(err)
	}
	if len(tm.Seconds) != 2 || tm.Device != "cpu-test" {
		t.Errorf("timing %+v: want 2 pairs on cpu-test", tm)
	}
	sum, err := Report(r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(r.Dir(), "report", "synth", "runtime.md"))
	if !strings.Contains(string(md), "cpu-test") || strings.Count(string(md), "| fm |") != 2 {
		t.Errorf("runtime table:\n%s", md)
	}
	if _, err := os.Stat(filepath.Join(r.Dir(), "report", "synth", "runtime_options.threshold.png")); err != nil {
		t.Errorf("no runtime plot: %v (files %v)", err, sum.Files)
	}
}

// Published results are read from their folder ({dataset} expanded) and
// scored next to the methods run here.
func TestResultsFolder(t *testing.T) {
	root := t.TempDir()
	pairs, err := data.WriteSyntheticSet(filepath.Join(root, "set"), 2, data.SynthConfig{W: 24, H: 16}, 9)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(root, "pub", "mine")
	if err := os.MkdirAll(pub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		src, _, err := data.LoadPair(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := data.WriteImage(filepath.Join(pub, p.Name+"_PUB.png"), src[0], 8); err != nil {
			t.Fatal(err)
		}
	}
	doc := fmt.Sprintf("name: pubtest\ndatasets: {mine: {path: %s}}\nmethods: [{name: average}, {name: PUB, results: %q}]\nmetrics: [Q_G]\n",
		filepath.Join(root, "set"), filepath.Join(root, "pub", "{dataset}"))
	s, err := Parse([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := s.Cells()
	r := &Runner{Spec: s, Root: t.TempDir(), Version: "v"}
	if err := r.Run(cells); err != nil {
		t.Fatal(err)
	}
	res, err := report.ReadResults(filepath.Join(r.Dir(), "base", "metrics", "mine.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Methods) != "[average PUB]" || len(res.PerImage["PUB"]) != 2 {
		t.Errorf("methods %v, PUB images %d", res.Methods, len(res.PerImage["PUB"]))
	}
	if _, err := Report(r.Dir()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir(), "report", "mine", "table.tex")); err != nil {
		t.Error(err)
	}
	// A results folder that is not there is a clear error.
	s.Methods[1].Results = filepath.Join(root, "nothing")
	r2 := &Runner{Spec: s, Root: t.TempDir(), Version: "v"}
	if err := r2.Run(cells); err == nil || !strings.Contains(err.Error(), "results folder") {
		t.Errorf("missing results folder: %v", err)
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

// budgetTrainer writes real checkpoints whose epoch is the requested
// budget, continuing from last.ckpt when it resumes.
type budgetTrainer struct{ calls, resumes int }

func (b *budgetTrainer) train(_ context.Context, r TrainRequest) (string, error) {
	b.calls++
	from := 0
	if r.Resume {
		b.resumes++
		c, err := checkpoint.Load(filepath.Join(r.Dir, "last.ckpt"), "")
		if err != nil {
			return "", err
		}
		from = c.Epoch
	}
	want, _ := toInt(r.Overrides["train.epochs"])
	c := checkpoint.New("budget")
	c.Epoch = max(from, want)
	c.Tensors["model/w"] = checkpoint.Float32Array([]float32{float32(c.Epoch)}, 1)
	for _, n := range []string{"last.ckpt", "best.ckpt"} {
		if err := c.Save(filepath.Join(r.Dir, n)); err != nil {
			return "", err
		}
	}
	return filepath.Join(r.Dir, "best.ckpt"), nil
}

// Budgets that differ only in train.epochs share one model folder: the
// longer resumes the shorter, each budget keeps its own snapshot, and a
// budget shorter than what the folder has already trained is refused.
func TestBudgetsShareOneTraining(t *testing.T) {
	bt := &budgetTrainer{}
	RegisterTrainer("budget-test", bt.train)
	cfg := filepath.Join(t.TempDir(), "b.yaml")
	os.WriteFile(cfg, []byte("train: {epochs: 1}\n"), 0o644)
	doc := fmt.Sprintf(`
name: budgets
datasets:
  synth: {synthetic: {n: 2, w: 24, h: 16, seed: 5}}
methods:
  - name: fm
    method: fakemodel
    train: {kind: budget-test, config: %s}
metrics: [Q_G]
sweep:
  grid:
    epochs: {values: [2, 5], targets: {fm: train.epochs}}
    seed: {values: [1], targets: {fm: train.seed}}
`, cfg)
	r, cells := newRunner(t, doc)
	if err := r.Run(cells); err != nil {
		t.Fatal(err)
	}
	models, _ := filepath.Glob(filepath.Join(r.Dir(), "models", "fm-*"))
	if len(models) != 1 {
		t.Fatalf("%d model folders, want 1 shared by both budgets", len(models))
	}
	if bt.calls != 2 || bt.resumes != 1 {
		t.Errorf("trainer called %d times (%d resumes), want 2 (1)", bt.calls, bt.resumes)
	}
	for budget, epoch := range map[string]int{"epochs=2": 2, "epochs=5": 5} {
		c, err := checkpoint.Load(filepath.Join(models[0], "best-"+budget+".ckpt"), "")
		if err != nil || c.Epoch != epoch {
			t.Errorf("snapshot %s: %v, epoch %v", budget, err, c)
		}
		if _, err := os.Stat(filepath.Join(models[0], DoneFile+"-"+budget)); err != nil {
			t.Errorf("no done marker for %s", budget)
		}
	}
	// The cell of budget 2 uses its snapshot, not the folder's 5-epoch
	// best.ckpt.
	b, _ := os.ReadFile(filepath.Join(r.Dir(), cells[0].Name, CheckpointsFile))
	if !strings.Contains(string(b), "best-epochs=2.ckpt") {
		t.Errorf("cell 0 checkpoints: %s", b)
	}
	// A new, shorter budget cannot be cut from the longer run.
	if err := notPast(filepath.Join(models[0], "last.ckpt"), map[string]any{"train.epochs": 3}); err == nil ||
		!strings.Contains(err.Error(), "already trained 5 epochs") {
		t.Errorf("shorter budget after a longer one: %v", err)
	}
}

// TestReportZipAxesOneCurve: zip axes advance together, so the report draws
// one curve over the first numeric one (not one single-point series per
// value of the others, nor a plot per zip axis; a text label is skipped),
// and a mean over one seed prints no "± 0".
func TestReportZipAxesOneCurve(t *testing.T) {
	*trainer = fakeTrainer{}
	cfg := filepath.Join(t.TempDir(), "fake.yaml")
	os.WriteFile(cfg, []byte("train: {epochs: 3, seed: 0, lr: 0.1}\n"), 0o644)
	doc := fmt.Sprintf(`
name: zipcurve
datasets:
  synth: {synthetic: {n: 2, w: 24, h: 16, seed: 5}}
methods:
  - name: fm
    method: fakemodel
    train: {kind: fake, config: %s}
metrics: [Q_G]
sweep:
  zip:
    a: {values: [1, 2], targets: {fm: train.lr}}
    b: {values: [10, 20]}
    0label: {values: [x, y]}
  grid:
    seed: {values: [1, 2], targets: {fm: train.seed}}
outputs: {repeat: seed, std: true}
`, cfg)
	r, cells := newRunner(t, doc)
	if err := r.Run(cells[:3]); err != nil { // a=2 gets seed 1 only
		t.Fatal(err)
	}
	sum, err := Report(r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(r.Dir(), "report", "synth")
	if _, err := os.Stat(filepath.Join(out, "line_a_q-g.png")); err != nil {
		t.Errorf("no curve over the first zip axis: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "line_b_q-g.png")); err == nil {
		t.Error("a second plot over zip axis b, which only repeats the curve over a")
	}
	md, _ := os.ReadFile(sum.Markdown)
	if !strings.Contains(string(md), "metrics vs a") || strings.Contains(string(md), "metrics vs b") {
		t.Errorf("report.md plots:\n%s", md)
	}
	b, err := os.ReadFile(filepath.Join(out, "sweep_mean.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Method, 0label, a, b, n, Q_G, Q_G_std: a=1 has two seeds, a=2 one.
	if len(rows) != 3 || rows[1][4] != "2" || rows[1][6] == "" || rows[2][4] != "1" || rows[2][6] != "" {
		t.Errorf("sweep_mean.csv:\n%v", rows)
	}
}

// newRunner parses an experiment document and returns a one-worker Runner
// in a temporary folder with the cells of its sweep.
func newRunner(t *testing.T, doc string) (*Runner, []Cell) {
	t.Helper()
	s, err := Parse([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := s.Cells()
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{Spec: s, Root: t.TempDir(), Workers: 1, Version: "test-1"}, cells
}
