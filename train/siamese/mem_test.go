package siamese

import (
	"github.com/mfif/mfif/internal/memstat"
	"runtime"
	"testing"

	"github.com/mfif/mfif/train"
)

// TestStepMemoryBounded runs training steps (forward, loss, backward,
// Adam, zero-grad) and validations on the siamese-cpu network and fails
// when resident memory grows by more than a bound. A leaked gradient or
// optimizer temporary per step (gotch's in-place methods orphan the C
// handle they replace) costs several times the 0.3 MB of parameters per
// step, i.e. well over the bound after 40 steps.
func TestStepMemoryBounded(t *testing.T) {
	if memstat.Resident() == 0 {
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
	before := memstat.Settled()
	for i := 0; i < steps; i++ {
		round(i)
	}
	grew := float64(memstat.Settled()-before) / (1 << 20)
	t.Logf("RSS grew %.1f MB over %d steps (%d parameters)", grew, steps, paramCount(r.model))
	if grew > boundMB {
		t.Errorf("RSS grew %.1f MB over %d steps, want at most %d MB: tensors are leaking", grew, steps, boundMB)
	}
}
