package siamese

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mfif/mfif/train"

	net "github.com/mfif/mfif/nets/siamese"
)

// tinyConfig is a seconds-scale config: 4×4-wide net on 32×32 crops.
func tinyConfig(samples int) FileConfig {
	return FileConfig{
		Model: net.Config{Name: "siamese", Width: 4, Levels: 2, ResBlocks: 1, DFEBBlocks: 1,
			GCBDepth: 3, GCBWidth: 4, CGAHidden: 4, CBAMReduction: 2, Modules: net.AllModules},
		Train: Config{Data: "synth", Samples: samples, Size: 32, ValFraction: 0.25, Batch: 2, Epochs: 2,
			LR: 0.003, Schedule: train.ScheduleConfig{Kind: "step", Every: 2, Gamma: 0.88}, Patience: 6,
			Seed: 5, Augment: true, NoiseSigma: 0.02, Loss: LossConfig{BCE: 1, Dice: 1, GCB: 1}},
	}
}

func TestOverfitFourPairs(t *testing.T) {
	fc := tinyConfig(4)
	fc.Train.Augment = false
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, err := newRun(fc, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	hb, err := r.assemble([]int{0, 1, 2, 3}, train.NewRand(1), false)
	if err != nil {
		t.Fatal(err)
	}
	var first, last float64
	for i := 0; i < 20; i++ {
		l, err := r.step(hb, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = l
		}
		last = l
	}
	if !(last < 0.4*first) {
		t.Errorf("loss fell from %.4f to %.4f only; want below 40%% of the start", first, last)
	}
}

func blobsEqual(t *testing.T, a, b string) {
	t.Helper()
	_, ca, err := net.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	_, cb, err := net.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ca.Tensors) != len(cb.Tensors) {
		t.Fatalf("%d vs %d tensors", len(ca.Tensors), len(cb.Tensors))
	}
	for k, x := range ca.Tensors {
		y, ok := cb.Tensors[k]
		if !ok {
			t.Fatalf("tensor %s missing", k)
		}
		if !x.Equal(y) {
			xs, _ := x.Float32s()
			ys, _ := y.Float32s()
			for i := range xs {
				if i < len(ys) && xs[i] != ys[i] {
					t.Fatalf("tensor %s[%d]: %v vs %v", k, i, xs[i], ys[i])
				}
			}
			t.Fatalf("tensor %s differs", k)
		}
	}
	var sa, sb state
	if err := ca.State(stateName, &sa); err != nil {
		t.Fatal(err)
	}
	if err := cb.State(stateName, &sb); err != nil {
		t.Fatal(err)
	}
	if sa.Step != sb.Step || sa.Epoch != sb.Epoch || sa.Early != sb.Early {
		t.Errorf("state differs: %+v vs %+v", sa, sb)
	}
	if string(ca.States["optimizer"]) != string(cb.States["optimizer"]) {
		t.Errorf("optimizer state differs: %s vs %s", ca.States["optimizer"], cb.States["optimizer"])
	}
}

func TestResumeEqualsUninterrupted(t *testing.T) {
	fc := tinyConfig(6)
	full, split := t.TempDir(), t.TempDir()
	if _, err := Train(fc, Options{OutDir: full}); err != nil {
		t.Fatal(err)
	}
	half := fc
	half.Train.Epochs = 1
	if _, err := Train(half, Options{OutDir: split}); err != nil {
		t.Fatal(err)
	}
	res, err := Train(fc, Options{OutDir: split, Resume: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 2 || len(res.History.Epochs) != 2 {
		t.Fatalf("resumed run has %d epochs / %d records", res.Epochs, len(res.History.Epochs))
	}
	blobsEqual(t, filepath.Join(full, LastName), filepath.Join(split, LastName))
	for _, f := range []string{BestName, "history.csv", "loss.png"} {
		if _, err := os.Stat(filepath.Join(split, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
}

func TestResumeErrors(t *testing.T) {
	dir := t.TempDir()
	fc := tinyConfig(4)
	if _, err := Train(fc, Options{OutDir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), LastName) {
		t.Errorf("resume without checkpoint: %v", err)
	}
	os.WriteFile(filepath.Join(dir, LastName), []byte("garbage"), 0o644)
	if _, err := Train(fc, Options{OutDir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("resume from garbage: %v", err)
	}
	fc.Train.Epochs = 1
	if _, err := Train(fc, Options{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	other := fc
	other.Model.Width = 6
	if _, err := Train(other, Options{OutDir: dir, Resume: true}); err == nil || !strings.Contains(err.Error(), "different config") {
		t.Errorf("resume with another model: %v", err)
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
		{"missing voc", map[string]any{"train.data": "voc", "train.voc_root": "/nonexistent/VOC2012"}, "train.voc_root"},
		{"bad size", map[string]any{"train.size": 100}, "train.size"},
		{"bad data", map[string]any{"train.data": "imagenet"}, "train.data"},
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
			over["train.data"] = "synth" // the paper config needs VOC on disk
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
