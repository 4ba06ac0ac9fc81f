package siamese

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
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
	fc.Train.Epochs, fc.Train.CheckpointSteps = 3, traintest.CheckpointSteps()
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

// SIGTERM (Slurm preemption, Ctrl-C) in the middle of an epoch writes
// last.ckpt at the step reached; resuming ends as an uninterrupted run.
func TestTermResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	traintest.TermResume(t, "siamese")
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
	hb, err := k.assemble(k.train, []int{0, 1, 2, 3}, train.NewRand(1), false)
	if err != nil {
		t.Fatal(err)
	}
	var first, last float64
	err = backend.Run(func() error {
		for i := 0; i < 20; i++ {
			v, err := traintest.Step(k, opt, train.Batch{Data: hb})
			if err != nil {
				return err
			}
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
		{"photometric too wide", map[string]any{"data.photometric": 1.5}, "data.photometric"},
		{"negative photometric", map[string]any{"data.photometric": -0.1}, "data.photometric"},
		{"spread on synth", map[string]any{"data.spread": true}, "data.spread"},
	}
	for _, tc := range tests {
		over := map[string]any{"data.kind": "synth", "data.samples": 100} // siamese-cpu needs BSDS500 on disk
		maps.Copy(over, tc.overrides)
		_, err := LoadConfig("siamese-cpu", over)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %s", tc.name, err, tc.want)
		}
	}
	for _, name := range []string{"siamese", "siamese-cpu", "siamese-cpu-wide", "siamese-demo"} {
		over := map[string]any{}
		if name != "siamese-demo" {
			over["data.kind"] = "synth" // the paper config needs VOC, siamese-cpu BSDS500 on disk
			over["data.samples"] = 100
		}
		if _, err := LoadConfig(name, over); err != nil {
			t.Errorf("embedded config %s: %v", name, err)
		}
	}
}

// Validation never sees a source photo of the training side: for VOC-style
// data (three blurred siblings per photo) the split is by photo, and bsds
// validates on its own split.
func TestValidationIsPhotoDisjoint(t *testing.T) {
	for _, kind := range []string{"synth", "voc", "bsds"} {
		t.Run(kind, func(t *testing.T) {
			fc := tinyConfig(12)
			fc.Data.Kind = kind
			switch kind {
			case "voc":
				fc.Data.Root = writeVOC(t, 10)
				fc.Data.Samples = 0
			case "bsds":
				fc.Data.Root = writeBSDS(t, 4, 3)
				fc.Data.Samples, fc.Data.Variants, fc.Data.ValVariants = 0, 2, 1
			}
			tr, val, err := newProviders(fc)
			if err != nil {
				t.Fatal(err)
			}
			photos := func(p provider) map[string]bool {
				ds := p.(dsProvider).ds
				out := map[string]bool{}
				for i := 0; i < ds.Len(); i++ {
					out[data.GroupOf(ds, i)] = true
				}
				return out
			}
			a, b := photos(tr), photos(val)
			if len(a) == 0 || len(b) == 0 {
				t.Fatalf("%d training and %d validation photos", len(a), len(b))
			}
			for g := range b {
				if a[g] {
					t.Errorf("photo %s is on both sides of the split", g)
				}
			}
			if kind == "voc" && tr.Len()+val.Len() != 30 {
				t.Errorf("%d + %d samples, want all 30 (3 per photo)", tr.Len(), val.Len())
			}
		})
	}
}

// writeVOC writes a tiny VOC2012 tree of n photos.
func writeVOC(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"JPEGImages", "SegmentationClass"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	for k := 0; k < n; k++ {
		img, lab := data.NewImage(40, 40, 3), data.NewImage(40, 40, 1)
		for i := range lab.Planes[0] {
			for c := 0; c < 3; c++ {
				img.Planes[c][i] = float64((i*7 + k*13 + c*40) % 256)
			}
			if i%40 < 20 {
				lab.Planes[0][i] = 1
			}
		}
		stem := fmt.Sprintf("2007_%06d", k)
		if err := writeJPEG(filepath.Join(root, "JPEGImages", stem+".jpg"), img); err != nil {
			t.Fatal(err)
		}
		if err := data.WriteImage(filepath.Join(root, "SegmentationClass", stem+".png"), lab, 8); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// writeBSDS writes a tiny BSDS500 tree: nTrain photos in train, nVal in val.
func writeBSDS(t *testing.T, nTrain, nVal int) string {
	t.Helper()
	root := t.TempDir()
	for split, n := range map[string]int{"train": nTrain, "val": nVal} {
		for _, d := range []string{"images", "segments"} {
			os.MkdirAll(filepath.Join(root, d, split), 0o755)
		}
		for k := 0; k < n; k++ {
			img, seg := data.NewImage(48, 40, 3), data.NewImage(48, 40, 1)
			for i := range seg.Planes[0] {
				x, y := i%48, i/48
				for c := 0; c < 3; c++ {
					img.Planes[c][i] = float64((x*9 + y*5 + k*31 + c*50) % 256)
				}
				seg.Planes[0][i] = float64(1 + x/16 + 3*(y/20))
			}
			stem := fmt.Sprintf("%s%d", split, k)
			if err := writeJPEG(filepath.Join(root, "images", split, stem+".jpg"), img); err != nil {
				t.Fatal(err)
			}
			if err := data.WriteImage(filepath.Join(root, "segments", split, stem+".png"), seg, 8); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// writeJPEG writes a colour image as a JPEG file (fixtures only).
func writeJPEG(path string, m *data.Image) error {
	rgba := image.NewRGBA(image.Rect(0, 0, m.W, m.H))
	for i := range m.Planes[0] {
		rgba.Set(i%m.W, i/m.W, color.RGBA{uint8(m.Planes[0][i]), uint8(m.Planes[1][i]), uint8(m.Planes[2][i]), 255})
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, rgba, &jpeg.Options{Quality: 95}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// photometric keeps values in [0,1], changes the levels, draws a new change
// per call and with a range of 0.1 moves no level by more than the
// extreme exposure change allows.
func TestPhotometric(t *testing.T) {
	v := []float32{0, 0.05, 0.25, 0.5, 0.75, 0.95, 1}
	rng := train.NewRand(3)
	first := photometric(v, 0.1, rng)
	again := photometric(v, 0.1, rng)
	if slices.Equal(first, again) {
		t.Error("two calls drew the same exposure change")
	}
	for _, out := range [][]float32{first, again} {
		if slices.Equal(out, v) {
			t.Error("the plane is unchanged")
		}
		for i, x := range out {
			if x < 0 || x > 1 {
				t.Fatalf("level %v became %v, outside [0,1]", v[i], x)
			}
			lo := min(1, math.Exp(-0.1)*math.Pow(float64(v[i]), math.Exp(0.1)))
			hi := min(1, math.Exp(0.1)*math.Pow(float64(v[i]), math.Exp(-0.1)))
			if float64(x) < lo-1e-6 || float64(x) > hi+1e-6 {
				t.Errorf("level %v became %v, outside [%v, %v]", v[i], x, lo, hi)
			}
		}
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
	hb, err := k.assemble(k.train, []int{0, 1}, train.NewRand(1), true)
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

// siamese-cpu-wide is siamese-cpu with model.width 16 and nothing else, so
// experiments/siamese-wide-cpu.yaml (siamese-cpu + model.width: 16)
// measures the shipped config.
func TestWideConfigIsCPUAtWidth16(t *testing.T) {
	base := map[string]any{"data.kind": "synth", "data.samples": 100}
	wide, err := LoadConfig("siamese-cpu-wide", base)
	if err != nil {
		t.Fatal(err)
	}
	over := maps.Clone(base)
	over["model.width"] = 16
	cpu, err := LoadConfig("siamese-cpu", over)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(wide, cpu) {
		t.Errorf("siamese-cpu-wide differs from siamese-cpu at width 16:\n%+v\n%+v", wide, cpu)
	}
}
