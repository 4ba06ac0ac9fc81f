package siamese

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/mfif/mfif/train"
)

// settledRSS collects Go garbage (running the finalizers of unreachable
// gotch handles) and returns free Go pages to the OS before reading RSS,
// so what remains is live C memory and live Go data.
func settledRSS() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	return residentBytes()
}

// TestStepMemoryBounded runs training steps (forward, loss, backward,
// Adam, zero-grad) and validations on the siamese-cpu network and fails
// when resident memory grows by more than a bound. A leaked gradient or
// optimizer temporary per step (gotch's in-place methods orphan the C
// handle they replace) costs several times the 0.3 MB of parameters per
// step, i.e. well over the bound after 40 steps.
func TestStepMemoryBounded(t *testing.T) {
	if residentBytes() == 0 {
		t.Skip("no /proc/self/status")
	}
	fc, err := LoadConfig("siamese-cpu", map[string]any{"train.samples": 8, "train.size": 32, "train.batch": 4})
	if err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, err := newRun(fc, Options{OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	hb, err := r.assemble([]int{0, 1, 2, 3}, train.NewRand(1), true)
	if err != nil {
		t.Fatal(err)
	}
	round := func(i int) {
		if _, err := r.step(hb, 1e-3); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if _, _, err := r.validate(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 0; i < 10; i++ { // warm-up: allocator pools, Adam moments
		round(i)
	}
	const steps, boundMB = 40, 24
	before := settledRSS()
	for i := 0; i < steps; i++ {
		round(i)
	}
	grew := float64(settledRSS()-before) / (1 << 20)
	t.Logf("RSS grew %.1f MB over %d steps (%d parameters)", grew, steps, paramCount(r.model))
	if grew > boundMB {
		t.Errorf("RSS grew %.1f MB over %d steps, want at most %d MB: tensors are leaking", grew, steps, boundMB)
	}
}

// TestAdamMatchesTrainAdam checks that the local Adam updates weights
// bit for bit like train's Adam and that its state loads into it.
func TestAdamMatchesTrainAdam(t *testing.T) {
	fc := tinyConfig(4)
	fc.Train.Augment = false
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var runs [2]*run
	for i := range runs {
		r, err := newRun(fc, Options{OutDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		runs[i] = r
	}
	ref, err := train.NewOptimizer(train.OptimConfig{Kind: "adam", LR: 0.01}, train.Trainable(runs[1].model.VS))
	if err != nil {
		t.Fatal(err)
	}
	runs[1].optim = ref
	hb, err := runs[0].assemble([]int{0, 1, 2, 3}, train.NewRand(1), false)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		for _, r := range runs {
			if _, err := r.step(hb, 0.01); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, b := runs[0].model.Blobs(), runs[1].model.Blobs()
	for name, x := range a {
		for k := range x.Data {
			if x.Data[k] != b[name].Data[k] {
				t.Fatalf("%s[%d]: local Adam %v, train Adam %v", name, k, x.Data[k], b[name].Data[k])
			}
		}
	}
	st, err := runs[0].optim.State()
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.LoadState(st); err != nil {
		t.Errorf("train's Adam rejects the local state: %v", err)
	}
	st.Config.Kind = "sgd"
	if err := runs[0].optim.LoadState(st); err == nil {
		t.Error("local Adam accepted an SGD state")
	}
}
