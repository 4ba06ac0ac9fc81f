package siamese

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
	"github.com/mfif/mfif/train/traintest"

	net "github.com/mfif/mfif/nets/siamese"
)

// tinyConfig is a seconds-scale config: a 4-wide net on 32×32 crops.
func tinyConfig(samples int) FileConfig {
	return FileConfig{
		Model: net.Config{Name: "siamese", Width: 4, Levels: 2, ResBlocks: 1, DFEBBlocks: 1,
			GCBDepth: 3, GCBWidth: 4, CGAHidden: 4, CBAMReduction: 2, Modules: net.AllModules},
		Data: DataConfig{Kind: "synth", Samples: samples, Size: 32, ValFraction: 0.25, Augment: true, NoiseSigma: 0.02},
		Loss: LossConfig{BCE: 1, Dice: 1, GCB: 1},
		Train: train.LoopConfig{Epochs: 2, BatchSize: 2, Seed: 5, Patience: 6, Threads: 1,
			Optimizer: train.OptimConfig{Kind: "adam", LR: 0.003},
			Schedule:  train.ScheduleConfig{Kind: "step", Every: 2, Gamma: 0.88}},
	}
}

func TestMain(m *testing.M) { traintest.Main(m) }

// killRun is the run TestKillResume kills: 3 epochs of 6 batches, a
// checkpoint after every step.
var _ = traintest.Register("siamese", func(ctx context.Context, dir string, resume bool) error {
	fc := tinyConfig(16)
	fc.Train.Epochs, fc.Train.CheckpointSteps = 3, 1
	_, err := Train(ctx, fc, train.Request{Dir: dir, Resume: resume})
	return err
})

// kill -9 in the middle of an epoch, then --resume: the same history.csv
// and bit-identical weights and Adam moments as an uninterrupted run.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	traintest.KillResume(t, "siamese")
}

func TestOverfitFourPairs(t *testing.T) {
	fc := tinyConfig(8)
	fc.Data.Augment = false
	k, err := NewTask(fc)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	opt, err := train.NewOptimizer(train.OptimConfig{Kind: "adam", LR: 0.01}, backend.Trainable(k.VarStore()))
	if err != nil {
		t.Fatal(err)
	}
	hb, err := k.assemble([]int{0, 1, 2, 3}, train.NewRand(1), false)
	if err != nil {
		t.Fatal(err)
	}
	var first, last float64
	err = backend.Run(func() error {
		for i := 0; i < 20; i++ {
			s := backend.NewScope()
			l, _, err := k.Loss(s, train.Batch{Data: hb})
			if err != nil {
				return err
			}
			v, _ := backend.Value(l)
			if err := l.Backward(); err != nil {
				return err
			}
			if err := opt.Step(); err != nil {
				return err
			}
			if err := opt.ZeroGrad(); err != nil {
				return err
			}
			s.Close()
			if i == 0 {
				first = v
			}
			last = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !(last < 0.4*first) {
		t.Errorf("loss fell from %.4f to %.4f only; want below 40%% of the start", first, last)
	}
}

// Training writes the common layout, best.ckpt loads as a model, and the
// history has the accuracy column.
func TestTrainOutputs(t *testing.T) {
	dir := t.TempDir()
	res, err := Train(context.Background(), tinyConfig(8), train.Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := net.Load(res.Best)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	h, _ := os.ReadFile(filepath.Join(dir, train.HistoryName))
	if !strings.HasPrefix(string(h), "epoch,iteration,lr,train_loss,val_loss,val_accuracy\n") {
		t.Errorf("history.csv:\n%s", h)
	}
	sc, _ := os.ReadFile(filepath.Join(dir, train.ScalarsName))
	if !strings.Contains(string(sc), "bce,dice,gcb") {
		t.Errorf("scalars.csv lacks the loss terms:\n%s", sc)
	}
}

func TestResumeErrors(t *testing.T) {
	dir := t.TempDir()
	fc := tinyConfig(4)
	ctx := context.Background()
	if _, err := Train(ctx, fc, train.Request{Dir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), train.LastName) {
		t.Errorf("resume without checkpoint: %v", err)
	}
	os.WriteFile(filepath.Join(dir, train.LastName), []byte("garbage"), 0o644)
	if _, err := Train(ctx, fc, train.Request{Dir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), "bad magic") {
		t.Errorf("resume from garbage: %v", err)
	}
	fc.Train.Epochs = 1
	if _, err := Train(ctx, fc, train.Request{Dir: dir, Force: true}); err != nil {
		t.Fatal(err)
	}
	other := fc
	other.Model.Width = 6
	if _, err := Train(ctx, other, train.Request{Dir: dir, Resume: true}); err == nil {
		t.Errorf("resume with another model accepted")
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]any
		want      string
	}{
		{"unknown module", map[string]any{"model.modules": []any{"dca", "lstm"}}, `"lstm"`},
		{"unknown key", map[string]any{"train.warmup": 3}, "warmup"},
		{"missing voc", map[string]any{"data.kind": "voc", "data.root": "/nonexistent/VOC2012"}, "data.root"},
		{"bad size", map[string]any{"data.size": 100}, "data.size"},
		{"bad kind", map[string]any{"data.kind": "imagenet"}, "data.kind"},
		{"levels 0", map[string]any{"model.levels": 0}, "model.levels"},
		{"bad workers type", map[string]any{"train.epochs": "abc"}, "epochs"},
		{"zero lr", map[string]any{"train.optimizer.lr": 0}, "train.optimizer.lr"},
	}
	for _, tc := range tests {
		_, err := LoadConfig("siamese-cpu", tc.overrides)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %s", tc.name, err, tc.want)
		}
	}
	for _, name := range []string{"siamese", "siamese-cpu", "siamese-demo"} {
		over := map[string]any{}
		if name == "siamese" {
			over["data.kind"] = "synth" // the paper config needs VOC on disk
			over["data.samples"] = 100
		}
		if _, err := LoadConfig(name, over); err != nil {
			t.Errorf("embedded config %s: %v", name, err)
		}
	}
}

func TestSplitAndDihedral(t *testing.T) {
	tr, val := split(10, 0.2, 1)
	if len(tr) != 8 || len(val) != 2 {
		t.Fatalf("split 10 @0.2 = %d/%d", len(tr), len(val))
	}
	seen := map[int]bool{}
	for _, i := range append(tr, val...) {
		seen[i] = true
	}
	if len(seen) != 10 {
		t.Errorf("split lost indices: %v %v", tr, val)
	}
	// The 8 dihedral transforms of a 3×3 square are distinct permutations.
	perms := map[[9]int]bool{}
	for tf := 0; tf < 8; tf++ {
		var p [9]int
		for y := 0; y < 3; y++ {
			for x := 0; x < 3; x++ {
				p[y*3+x] = dihedral(tf, x, y, 3)
			}
		}
		perms[p] = true
	}
	if len(perms) != 8 {
		t.Errorf("%d distinct dihedral transforms, want 8", len(perms))
	}
}

// A training step and a validation leave no tensor handle for the garbage
// collector.
func TestStepLeavesNoHandles(t *testing.T) {
	k, err := NewTask(tinyConfig(8))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	hb, err := k.assemble([]int{0, 1}, train.NewRand(1), true)
	if err != nil {
		t.Fatal(err)
	}
	err = backend.Run(func() error {
		n, err := backend.LeakedHandles(func() error {
			s := backend.NewScope()
			defer s.Close()
			l, _, err := k.Loss(s, train.Batch{Data: hb})
			if err != nil {
				return err
			}
			if err := l.Backward(); err != nil {
				return err
			}
			_, err = k.Validate(1)
			return err
		})
		if n != 0 {
			t.Errorf("%d tensor handles left after a step and a validation", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
