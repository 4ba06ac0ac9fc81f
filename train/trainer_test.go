package train

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// regression is a tiny linear-regression problem: y = x·a + b + noise.
type regression struct {
	x [][3]float32
	y []float32
}

func newRegression(n int) *regression {
	r := NewRand(99)
	p := &regression{}
	for range n {
		x := [3]float32{float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())}
		p.x = append(p.x, x)
		p.y = append(p.y, 1.5*x[0]-2*x[1]+0.5*x[2]+0.3+float32(0.05*r.NormFloat64()))
	}
	return p
}

// batch returns X [len(idx),3] and y [len(idx),1], jittering y with rng
// when given (a stand-in for data augmentation).
func (p *regression) batch(idx []int, jitter func() float64) (*ts.Tensor, *ts.Tensor) {
	xs := make([]float32, 0, 3*len(idx))
	ys := make([]float32, 0, len(idx))
	for _, i := range idx {
		xs = append(xs, p.x[i][:]...)
		y := p.y[i]
		if jitter != nil {
			y += float32(0.01 * jitter())
		}
		ys = append(ys, y)
	}
	n := int64(len(idx))
	return ts.MustOfSlice(xs).MustView([]int64{n, 3}, true), ts.MustOfSlice(ys).MustView([]int64{n, 1}, true)
}

// linearModel initializes every weight to init, which must be 0 or 1: gotch
// makes float64 tensors for other constants.
func linearModel(init float64) (*nn.VarStore, *ts.Tensor, *ts.Tensor) {
	vs := nn.NewVarStore(gotch.CPU)
	w := vs.Root().MustNewVar("w", []int64{3, 1}, nn.NewConstInit(init))
	b := vs.Root().MustNewVar("b", []int64{1}, nn.NewConstInit(init))
	return vs, w, b
}

func mse(w, b, x, y *ts.Tensor) *ts.Tensor {
	pred := x.MustMm(w, false).MustAdd(b, true)
	return pred.MustMseLoss(y, 1, true)
}

// newRegressionTrainer builds a trainer with every savable part in use.
func newRegressionTrainer(t *testing.T, p *regression, dir string, epochs int, init float64) *Trainer {
	t.Helper()
	vs, w, b := linearModel(init)
	opt, err := NewOptimizer(OptimConfig{Kind: "adamw", LR: 0.05}, Trainable(vs))
	if err != nil {
		t.Fatal(err)
	}
	ema, err := NewEMA(vs, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, len(p.y))
	for i := range all {
		all[i] = i
	}
	return &Trainer{
		Kind: "toy", VS: vs, Opt: opt, Schedule: StepLR{Every: 1, Gamma: 0.7},
		EMA: ema, EvalWithEMA: true, Stop: &EarlyStopping{Patience: 10},
		Epochs: epochs, NumSamples: len(p.y), BatchSize: 6, Shuffle: true, Seed: 5,
		Dir: dir, Config: "toy: true\n",
		Loss: func(bt Batch) (*ts.Tensor, error) {
			x, y := p.batch(bt.Samples, bt.Rand.NormFloat64)
			defer x.MustDrop()
			defer y.MustDrop()
			// noise drawn by libtorch, reproducible through SeedTorch
			noise := ts.MustRandn(y.MustSize(), gotch.Float, gotch.CPU).MustMulScalar(ts.FloatScalar(0.01), true)
			yn := y.MustAdd(noise, false) // not Add_: gotch leaks the replaced handle
			noise.MustDrop()
			defer yn.MustDrop()
			return mse(w, b, x, yn), nil
		},
		Validate: func(int) (float64, error) {
			x, y := p.batch(all, nil)
			l := mse(w, b, x, y)
			x.MustDrop()
			y.MustDrop()
			return scalarValue(l)
		},
	}
}

func snapshot(t *testing.T, tr *Trainer) *Checkpoint {
	t.Helper()
	c, err := tr.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestResumeEqualsUninterrupted(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p := newRegression(20)
	full := newRegressionTrainer(t, p, t.TempDir(), 4, 0)
	if err := full.Run(); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	first := newRegressionTrainer(t, p, dir, 2, 0)
	if err := first.Run(); err != nil {
		t.Fatal(err)
	}
	second := newRegressionTrainer(t, p, dir, 4, 1) // different init: must be overwritten
	if err := second.Resume(filepath.Join(dir, "last.ckpt")); err != nil {
		t.Fatal(err)
	}
	if second.Epoch() != 2 || second.Iteration() != 8 {
		t.Fatalf("resumed at epoch %d iteration %d, want 2 and 8", second.Epoch(), second.Iteration())
	}
	if err := second.Run(); err != nil {
		t.Fatal(err)
	}

	a, b := snapshot(t, full), snapshot(t, second)
	if len(a.Tensors) != 2+2+2+2 { // model, ema, exp_avg, exp_avg_sq
		t.Errorf("%d tensors in checkpoint", len(a.Tensors))
	}
	for k, x := range a.Tensors {
		if !x.Equal(b.Tensors[k]) {
			va, _ := x.Float64s()
			vb, _ := b.Tensors[k].Float64s()
			t.Errorf("%s: uninterrupted %v, resumed %v", k, va, vb)
		}
	}
	for _, k := range []string{"optimizer", "early_stop", "ema"} {
		if string(a.States[k]) != string(b.States[k]) {
			t.Errorf("state %s: %s vs %s", k, a.States[k], b.States[k])
		}
	}
	if len(full.History.Epochs) != 4 || len(second.History.Epochs) != 4 {
		t.Fatalf("history lengths %d, %d", len(full.History.Epochs), len(second.History.Epochs))
	}
	for i, r := range full.History.Epochs {
		s := second.History.Epochs[i]
		r.Seconds, s.Seconds = 0, 0
		if r != s {
			t.Errorf("epoch %d: %+v vs %+v", i+1, r, s)
		}
	}
	h := full.History.Epochs
	if base := 0.05; !(h[3].TrainLoss < h[0].TrainLoss) || h[1].LR != base*0.7 {
		t.Errorf("training did not progress as scheduled: %+v", h)
	}
	for _, f := range []string{"last.ckpt", "best.ckpt", "loss.csv", "loss.png", "loss.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing output: %v", err)
		}
	}
}

func TestResumeErrors(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p := newRegression(8)
	dir := t.TempDir()
	tr := newRegressionTrainer(t, p, dir, 1, 0)
	var log strings.Builder
	tr.Log, tr.KeepEpochs = &log, true
	if err := tr.Run(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "epoch 1/1 lr 0.05 train") || !strings.Contains(log.String(), "eta 0s") {
		t.Errorf("log line %q", log.String())
	}
	if _, err := LoadCheckpoint(filepath.Join(dir, "epoch-0001.ckpt"), "toy"); err != nil {
		t.Error(err)
	}
	last := filepath.Join(dir, "last.ckpt")

	other := newRegressionTrainer(t, p, t.TempDir(), 2, 0)
	other.Kind = "siamese"
	if err := other.Resume(last); !errors.Is(err, ErrKind) {
		t.Errorf("wrong kind: %v", err)
	}
	seed := newRegressionTrainer(t, p, t.TempDir(), 2, 0)
	seed.Seed = 6
	if err := seed.Resume(last); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("seed mismatch: %v", err)
	}
	arch := newRegressionTrainer(t, p, t.TempDir(), 2, 0)
	arch.VS.Root().MustZeros("extra", []int64{2})
	if err := arch.Resume(last); err == nil || !strings.Contains(err.Error(), "extra") || !strings.Contains(err.Error(), last) {
		t.Errorf("architecture mismatch: %v", err)
	}
	missing := filepath.Join(dir, "nope.ckpt")
	if err := newRegressionTrainer(t, p, dir, 2, 0).Resume(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
}

func TestTrainerRejectsNaNLoss(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p := newRegression(4)
	tr := newRegressionTrainer(t, p, "", 1, 0)
	tr.Loss = func(Batch) (*ts.Tensor, error) {
		return ts.MustOfSlice([]float32{float32(math.NaN())}).MustSum(gotch.Float, true), nil
	}
	if err := tr.Run(); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN loss: %v", err)
	}
}

func TestEMASwapAndAverage(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	vs, w := newToy(t, []float32{1, 2})
	e, err := NewEMA(vs, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if err := CopyArray(w, Float32Array([]float32{3, 4})); err != nil {
		t.Fatal(err)
	}
	e.Update() // shadow = 0.5*[1 2] + 0.5*[3 4] = [2 3]
	err = e.With(func() error {
		if v := values(t, w); v[0] != 2 || v[1] != 3 {
			t.Errorf("averaged weights %v, want [2 3]", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := values(t, w); v[0] != 3 || v[1] != 4 {
		t.Errorf("live weights after With %v, want [3 4]", v)
	}
	if _, err := NewEMA(vs, 1); err == nil {
		t.Error("decay 1 accepted")
	}
}
