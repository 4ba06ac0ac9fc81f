package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
