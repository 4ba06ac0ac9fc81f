package experiment

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

var checkBuilt, checkClosed, cheapChecked atomic.Int32

// closingModel is a model method stand-in that counts builds and closes.
type closingModel struct{ fakeModel }

func (closingModel) Close() error {
	checkClosed.Add(1)
	return nil
}

func init() {
	eval.Register(eval.Info{Name: "test-closing-model"}, func(o eval.Options) (eval.Method, error) {
		r := eval.NewOptionReader(o)
		ckpt := r.String("model", "")
		th := r.Float("threshold", 0.5)
		if err := r.Done(); err != nil {
			return nil, err
		}
		if _, err := os.Stat(ckpt); err != nil {
			return nil, fmt.Errorf("option model: %w", err)
		}
		checkBuilt.Add(1)
		return closingModel{fakeModel{threshold: th}}, nil
	})
	eval.Register(eval.Info{Name: "test-cheap", CheckOptions: func(o eval.Options) error {
		cheapChecked.Add(1)
		if _, bad := o["bad"]; bad {
			return errors.New("option bad: not accepted")
		}
		return nil
	}}, func(eval.Options) (eval.Method, error) { return nil, errors.New("never built by a dry run") })
}

const checkSpec = `
name: check
datasets:
  real: {path: %[1]s/pairs}
  gone: {path: %[1]s/missing}
methods:
  - {name: gff, options: {r1: 3}}
  - {name: lap, method: laplacian, options: {levls: 3}}
  - {name: lap2, method: laplacian}
  - {name: given, method: test-closing-model, checkpoint: %[1]s/model.ckpt, options: {threshold: 0.3}}
  - {name: lost, method: fakemodel, checkpoint: %[1]s/nope.ckpt}
  - {name: pub, results: %[1]s/published}
  - {name: tr, method: test-cheap, train: {kind: fake, config: %[2]s}, options: {bad: 1}}
  - {name: tr2, method: fakemodel, train: {kind: fake, config: %[2]s}}
sweep:
  grid:
    levels: {values: [2, 0], targets: {lap2: options.levels}}
`

// TestCheckDryRun: Check finds every missing folder or checkpoint and every
// bad option (sweep values included) without running anything, reports
// each once, and closes the models it builds.
func TestCheckDryRun(t *testing.T) {
	root := t.TempDir()
	if _, err := data.WriteSyntheticSet(filepath.Join(root, "pairs"), 1, data.SynthConfig{W: 32, H: 24}, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "model.ckpt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(root, "fake.yaml")
	if err := os.WriteFile(cfg, []byte("train: {epochs: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]byte(fmt.Sprintf(checkSpec, root, cfg)), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := s.Cells()
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Spec: s, Root: filepath.Join(root, "runs"), Version: "test-1"}
	checkBuilt.Store(0)
	checkClosed.Store(0)
	cheapChecked.Store(0)
	err = r.Check(cells)
	if err == nil {
		t.Fatal("no problem found")
	}
	msg := err.Error()
	for _, want := range []string{
		`datasets.gone.path "` + root + `/missing" is not a folder`,
		": lap: method laplacian: unknown option(s) levls",
		": lap2: method laplacian: option levels: must be between 1 and 30 (got 0)",
		"method lost: checkpoint " + root + "/nope.ckpt does not exist",
		`method pub: results folder "` + root + `/published"`,
		": tr: method test-cheap: option bad: not accepted",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("dry run does not report %q:\n%s", want, msg)
		}
	}
	if n := strings.Count(msg, "nope.ckpt"); n != 1 {
		t.Errorf("the missing checkpoint is reported %d times:\n%s", n, msg)
	}
	if strings.Contains(msg, "tr2") || strings.Contains(msg, "gff") || strings.Contains(msg, "given") {
		t.Errorf("valid methods reported:\n%s", msg)
	}
	if b, c := checkBuilt.Load(), checkClosed.Load(); b != 1 || c != 1 {
		t.Errorf("model built %d and closed %d times, want once each", b, c)
	}
	if cheapChecked.Load() != 1 {
		t.Errorf("Info.CheckOptions called %d times, want 1", cheapChecked.Load())
	}
	if _, err := os.Stat(r.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dry run wrote the experiment folder: %v", err)
	}
	// With the problems fixed the same experiment passes.
	if err := os.MkdirAll(filepath.Join(root, "published"), 0o755); err != nil {
		t.Fatal(err)
	}
	good := strings.NewReplacer(
		"  gone: {path: "+root+"/missing}\n", "",
		"levls", "levels",
		"[2, 0]", "[2, 3]",
		"/nope.ckpt", "/model.ckpt",
		"options: {bad: 1}", "options: {}",
	).Replace(fmt.Sprintf(checkSpec, root, cfg))
	s, err = Parse([]byte(good), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, err = s.Cells()
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Runner{Spec: s, Root: filepath.Join(root, "runs"), Version: "test-1"}).Check(cells); err != nil {
		t.Errorf("valid experiment: %v", err)
	}
}

// TestRunClosesModels: a cell builds a model method at most once per
// worker (the options check's instance included) and closes every one.
func TestRunClosesModels(t *testing.T) {
	root := t.TempDir()
	ckpt := filepath.Join(root, "model.ckpt")
	if err := os.WriteFile(ckpt, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, timing := range []bool{false, true} {
		spec := fmt.Sprintf("name: closing\ndatasets:\n  s: {synthetic: {n: 4, w: 24, h: 16, seed: 2}}\n"+
			"methods:\n  - {name: given, method: test-closing-model, checkpoint: %s}\nmetrics: [Q_G]\noutputs: {timing: %v}\n", ckpt, timing)
		s, err := Parse([]byte(spec), nil)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := s.Cells()
		if err != nil {
			t.Fatal(err)
		}
		checkBuilt.Store(0)
		checkClosed.Store(0)
		r := &Runner{Spec: s, Root: t.TempDir(), Workers: 2, Version: "test-1"}
		if err := r.Run(cells); err != nil {
			t.Fatal(err)
		}
		if b, c := checkBuilt.Load(), checkClosed.Load(); b < 1 || b > 2 || c != b {
			t.Errorf("timing %v: built %d, closed %d (want 1..2, all closed)", timing, b, c)
		}
	}
}
