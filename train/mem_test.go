package train

import (
	"runtime"
	"testing"

	"github.com/mfif/mfif/internal/memstat"
	"github.com/mfif/mfif/nets/backend"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// memRound runs one training step on sum(w²) over vs: backward, gradient
// clipping, the optimizer step, the EMA update and zero-grad, the code
// paths that run once per batch.
func memRound(t *testing.T, vs *nn.VarStore, o Optimizer, e *EMA) {
	t.Helper()
	var loss *ts.Tensor
	for _, p := range backend.Trainable(vs) {
		s := p.Tensor.MustMul(p.Tensor, false).MustSum(gotch.Float, true)
		if loss == nil {
			loss = s
			continue
		}
		loss = loss.MustAdd(s, true)
		s.MustDrop()
	}
	if err := loss.Backward(); err != nil {
		t.Fatal(err)
	}
	loss.MustDrop()
	if _, err := ClipGradNorm(backend.Trainable(vs), 1); err != nil {
		t.Fatal(err)
	}
	if err := o.Step(); err != nil {
		t.Fatal(err)
	}
	if err := e.Update(); err != nil {
		t.Fatal(err)
	}
	if err := o.ZeroGrad(); err != nil {
		t.Fatal(err)
	}
}

// TestStepMemoryBounded fails when resident memory grows by more than a
// bound in each of two windows of 15 steps on 4 MB of parameters. gotch
// v0.9.1's in-place methods orphan the C tensor they replace, so a leaked
// update temporary costs 4 MB per step, 60 MB per window, in every window
// (measured before the fix: 124 to 250 MB per window; after: under 10 MB).
// Requiring both windows to exceed the bound tolerates a one-off allocator
// jump. The warm-up is long because the allocator grows for about 25 steps
// before it levels off.
func TestStepMemoryBounded(t *testing.T) {
	if memstat.Settled() == 0 {
		t.Skip("no /proc/self/status")
	}
	cases := []struct {
		name string
		cfg  OptimConfig
	}{
		{"adam-l2", OptimConfig{Kind: "adam", LR: 1e-3, WeightDecay: ptr(1e-4)}},
		{"adamw", OptimConfig{Kind: "adamw", LR: 1e-3}},
		{"sgd-nesterov", OptimConfig{Kind: "sgd", LR: 1e-3, Momentum: 0.9, Nesterov: true, WeightDecay: ptr(1e-4)}},
		{"sgd-momentum", OptimConfig{Kind: "sgd", LR: 1e-3, Momentum: 0.9, Dampening: 0.1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Grad mode and malloc arenas are per OS thread.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			vs := backend.NewVarStore()
			for _, name := range []string{"a", "b", "c", "d"} {
				vs.Root().MustRandn(name, []int64{256, 1024}, 0, 1) // 1 MB each
			}
			o, err := NewOptimizer(tc.cfg, backend.Trainable(vs))
			if err != nil {
				t.Fatal(err)
			}
			e, err := NewEMA(vs, 0.99)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 25; i++ { // warm-up: moments, allocator pools
				memRound(t, vs, o, e)
			}
			const window, boundMB = 15, 24
			var grew [2]float64
			for w := range grew {
				before := memstat.Settled()
				for i := 0; i < window; i++ {
					memRound(t, vs, o, e)
				}
				grew[w] = float64(memstat.Settled()-before) / (1 << 20)
			}
			t.Logf("RSS grew %.1f MB, then %.1f MB over %d steps each on 4 MB of parameters", grew[0], grew[1], window)
			if min(grew[0], grew[1]) > boundMB {
				t.Errorf("RSS grew %.1f MB, then %.1f MB over %d steps each, want at most %d MB in one window: tensors are leaking",
					grew[0], grew[1], window, boundMB)
			}
		})
	}
}
