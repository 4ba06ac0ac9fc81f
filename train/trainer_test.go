package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// toyTask is a noisy linear regression: y = x·w* + 0.5 with Go noise on the
// targets (from Batch.Rand) and libtorch dropout on the inputs, so exact
// resume needs both random streams to be reproduced.
type toyTask struct {
	vs       *nn.VarStore
	x, y     []float32 // n x 4, n
	vx, vy   []float32
	n        int
	failAt   int64 // Loss fails at this iteration (simulates kill -9); 0: never
	prepared bool  // implement Preparer
	noVal    bool
}

const toyFeatures = 4

func newToyTask(t *testing.T, seed uint64, n int) *toyTask {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 9))
	gen := func(n int) (x, y []float32) {
		for i := 0; i < n; i++ {
			var s float64
			for j := 0; j < toyFeatures; j++ {
				v := r.NormFloat64()
				x = append(x, float32(v))
				s += v * float64(j+1) / 4
			}
			y = append(y, float32(s+0.5))
		}
		return x, y
	}
	tk := &toyTask{n: n}
	tk.x, tk.y = gen(n)
	tk.vx, tk.vy = gen(8)
	tk.vs = backend.NewVarStore()
	backend.ManualSeed(int64(seed))
	tk.vs.Root().MustRandn("w", []int64{toyFeatures, 1}, 0, 0.1)
	tk.vs.Root().MustZeros("b", []int64{1})
	return tk
}

func (k *toyTask) Kind() string           { return "toy" }
func (k *toyTask) VarStore() *nn.VarStore { return k.vs }
func (k *toyTask) NumSamples() int        { return k.n }
func (k *toyTask) PutModel(c *checkpoint.Checkpoint) error {
	return c.PutState("model_spec", map[string]int{"features": toyFeatures})
}

func (k *toyTask) rows(idx []int, noise *rand.Rand) (x, y []float32) {
	for _, i := range idx {
		x = append(x, k.x[i*toyFeatures:(i+1)*toyFeatures]...)
		v := k.y[i]
		if noise != nil {
			v += float32(0.05 * noise.NormFloat64())
		}
		y = append(y, v)
	}
	return x, y
}

type toyBatch struct{ x, y []float32 }

func (k *toyTask) Prepare(b Batch) (any, error) {
	x, y := k.rows(b.Samples, b.Rand)
	return toyBatch{x, y}, nil
}

func (k *toyTask) Loss(s *backend.Scope, b Batch) (*ts.Tensor, map[string]float64, error) {
	if k.failAt > 0 && b.Iteration == k.failAt {
		return nil, nil, errors.New("simulated crash")
	}
	var x, y []float32
	if k.prepared {
		tb := b.Data.(toyBatch)
		x, y = tb.x, tb.y
	} else {
		x, y = k.rows(b.Samples, b.Rand)
	}
	n := int64(len(b.Samples))
	xt := s.Add(backend.MustFromFloat32(x, n, toyFeatures))
	xt = s.Add(ts.MustDropout(xt, 0.1, true))
	yt := s.Add(backend.MustFromFloat32(y, n, 1))
	w, bias := k.vs.Variables()["w"], k.vs.Variables()["b"]
	pred := s.Add(s.Add(xt.MustMm(&w, false)).MustAdd(&bias, false))
	mse := s.Add(pred.MustMseLoss(yt, 1, false))
	return mse, map[string]float64{"mse": 1}, nil
}

func (k *toyTask) Validate(int) (Validation, error) {
	s := backend.NewScope()
	defer s.Close()
	n := int64(len(k.vy))
	xt := s.Add(backend.MustFromFloat32(k.vx, n, toyFeatures))
	yt := s.Add(backend.MustFromFloat32(k.vy, n, 1))
	w, bias := k.vs.Variables()["w"], k.vs.Variables()["b"]
	pred := s.Add(s.Add(xt.MustMm(&w, false)).MustAdd(&bias, false))
	v, err := backend.Value(s.Add(pred.MustMseLoss(yt, 1, false)))
	return Validation{Loss: v, Metrics: map[string]float64{"rmse2": v * 2}}, err
}

// noValTask hides Validate.
type noValTask struct{ *toyTask }

func (noValTask) Validate() {}

func toyLoop() LoopConfig {
	return LoopConfig{Epochs: 4, BatchSize: 3, Seed: 11, EMA: 0.9, Patience: 0, ClipGradNorm: 5,
		Optimizer: OptimConfig{Kind: "adamw", LR: 0.05},
		Schedule:  ScheduleConfig{Kind: "step", Every: 1, Gamma: 0.9}, LogEvery: 2}
}

func toyTrainer(t *testing.T, dir string, task Task, loop LoopConfig) *Trainer {
	t.Helper()
	return &Trainer{Task: task, Loop: loop, Dir: dir, Config: "train:\n  epochs: 4\n  optimizer: {lr: 0.05}\n"}
}

// trainToy trains a fresh toy task in dir and returns the result.
func trainToy(t *testing.T, dir string, loop LoopConfig, edit func(*toyTask)) (*Result, error) {
	t.Helper()
	task := newToyTask(t, 3, 20)
	if edit != nil {
		edit(task)
	}
	return Fit(context.Background(), toyTrainer(t, dir, task, loop), false, false)
}

// modelBytes returns the model tensors of a checkpoint.
func modelBytes(t *testing.T, path string) map[string]string {
	t.Helper()
	c, err := checkpoint.Load(path, "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, a := range c.Tensors {
		if strings.HasPrefix(k, "model/") || strings.HasPrefix(k, "ema/") || strings.HasPrefix(k, "optim/") {
			out[k] = string(a.Data)
		}
	}
	return out
}

func sameFiles(t *testing.T, a, b, name string) {
	t.Helper()
	x, err1 := os.ReadFile(filepath.Join(a, name))
	y, err2 := os.ReadFile(filepath.Join(b, name))
	if err1 != nil || err2 != nil {
		t.Fatalf("read %s: %v %v", name, err1, err2)
	}
	if !bytes.Equal(x, y) {
		t.Errorf("%s differs:\n%s\nvs\n%s", name, x, y)
	}
}

func sameWeights(t *testing.T, a, b string) {
	t.Helper()
	wa, wb := modelBytes(t, filepath.Join(a, LastName)), modelBytes(t, filepath.Join(b, LastName))
	if len(wa) == 0 || len(wa) != len(wb) {
		t.Fatalf("tensor sets differ: %d vs %d", len(wa), len(wb))
	}
	for k, v := range wa {
		if wb[k] != v {
			t.Errorf("tensor %s differs after resume", k)
		}
	}
}

// A run that dies in the middle of an epoch (as after kill -9: no final
// save) and is resumed from its last mid-epoch checkpoint ends with the same
// history.csv and bit-identical weights, optimizer moments and EMA as an
// uninterrupted run — with and without prefetching Preparer.
func TestResumeAfterCrashIsExact(t *testing.T) {
	for _, prepared := range []bool{false, true} {
		t.Run(fmt.Sprintf("prepared=%v", prepared), func(t *testing.T) {
			loop := toyLoop()
			loop.CheckpointSteps = 4 // 6 batches per epoch: mid-epoch checkpoints
			full := t.TempDir()
			if _, err := trainToy(t, full, loop, func(k *toyTask) { k.prepared = prepared }); err != nil {
				t.Fatal(err)
			}
			part := t.TempDir()
			_, err := trainToy(t, part, loop, func(k *toyTask) { k.prepared, k.failAt = prepared, 15 })
			if err == nil || !strings.Contains(err.Error(), "simulated crash") {
				t.Fatalf("crash not reported: %v", err)
			}
			c, err := checkpoint.Load(filepath.Join(part, LastName), "toy")
			if err != nil {
				t.Fatal(err)
			}
			if c.Iteration != 12 {
				t.Fatalf("last checkpoint at step %d, want 12 (mid-epoch 3)", c.Iteration)
			}
			task := newToyTask(t, 3, 20)
			task.prepared = prepared
			res, err := Fit(context.Background(), toyTrainer(t, part, task, loop), true, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Iterations != 24 || res.Stop != "epochs" {
				t.Errorf("resumed run ended at step %d (%s), want 24 (epochs)", res.Iterations, res.Stop)
			}
			sameFiles(t, full, part, HistoryName)
			sameWeights(t, full, part)
		})
	}
}

// Cancelling the context (a signal) stops after the current step, writes
// last.ckpt there and returns *Interrupted; resuming ends where an
// uninterrupted run ends.
func TestInterruptWritesCheckpointAndResumes(t *testing.T) {
	loop := toyLoop()
	full := t.TempDir()
	if _, err := trainToy(t, full, loop, nil); err != nil {
		t.Fatal(err)
	}
	part := t.TempDir()
	task := newToyTask(t, 3, 20)
	ctx, cancel := context.WithCancelCause(context.Background())
	stopper := &cancelAt{toyTask: task, at: 8, cancel: cancel}
	_, err := Fit(ctx, toyTrainer(t, part, stopper, loop), false, false)
	var in *Interrupted
	if !errors.As(err, &in) {
		t.Fatalf("want *Interrupted, got %v", err)
	}
	if in.Iteration != 9 || in.Epoch != 2 || in.Batch != 3 || !strings.Contains(err.Error(), "SIGTERM") {
		t.Errorf("interrupted at %+v (%v), want step 9 = epoch 2 batch 3, cause SIGTERM", in, err)
	}
	if c, err := checkpoint.Load(in.Checkpoint, "toy"); err != nil || c.Iteration != 9 {
		t.Fatalf("checkpoint %s: %v, step %v", in.Checkpoint, err, c)
	}
	if _, err := Fit(context.Background(), toyTrainer(t, part, newToyTask(t, 3, 20), loop), true, false); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, full, part, HistoryName)
	sameWeights(t, full, part)
}

// cancelAt cancels its context while computing the loss of step at.
type cancelAt struct {
	*toyTask
	at     int64
	cancel context.CancelCauseFunc
}

func (c *cancelAt) Loss(s *backend.Scope, b Batch) (*ts.Tensor, map[string]float64, error) {
	if b.Iteration == c.at {
		c.cancel(errors.New("received SIGTERM"))
	}
	return c.toyTask.Loss(s, b)
}

// The output layout is the same for every task.
func TestOutputLayout(t *testing.T) {
	dir := t.TempDir()
	res, err := trainToy(t, dir, toyLoop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{LastName, BestName, HistoryName, ScalarsName, ConfigName, LogName, LossPNG, LossSVG} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	h, _ := os.ReadFile(filepath.Join(dir, HistoryName))
	if !strings.HasPrefix(string(h), "epoch,iteration,lr,train_loss,val_loss,val_rmse2\n") || strings.Count(string(h), "\n") != 5 {
		t.Errorf("history.csv:\n%s", h)
	}
	sc, _ := os.ReadFile(filepath.Join(dir, ScalarsName))
	if !strings.HasPrefix(string(sc), "step,epoch,lr,loss,mse,grad_norm,samples_per_s,wall_time\n") || strings.Count(string(sc), "\n") != 13 {
		t.Errorf("scalars.csv (24 steps, every 2):\n%s", sc)
	}
	lg, _ := os.ReadFile(filepath.Join(dir, LogName))
	if !strings.Contains(string(lg), "epoch 4/4 step 24") || !strings.Contains(string(lg), "done (epochs)") {
		t.Errorf("train.log:\n%s", lg)
	}
	if res.Best != filepath.Join(dir, BestName) || res.BestEpoch < 1 {
		t.Errorf("result %+v", res)
	}
	best, err := checkpoint.Load(res.Best, "toy")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := best.States["trainer"]; ok || len(best.WithPrefix("optim/")) > 0 {
		t.Error("best.ckpt carries resume state; it should hold weights only")
	}
	if len(best.WithPrefix("ema/")) == 0 || best.States["model_spec"] == nil {
		t.Error("best.ckpt lacks the EMA weights or the model spec")
	}
	// Without validation best.ckpt holds the final weights.
	dir2 := t.TempDir()
	task := newToyTask(t, 3, 20)
	if _, err := Fit(context.Background(), toyTrainer(t, dir2, noValTask{task}, toyLoop()), false, false); err != nil {
		t.Fatal(err)
	}
	if b, l := modelBytes(t, filepath.Join(dir2, BestName)), modelBytes(t, filepath.Join(dir2, LastName)); b["model/w"] != l["model/w"] {
		t.Error("without validation best.ckpt should hold the final weights")
	}
}

// A folder that holds a run is refused without --resume or --force;
// --resume needs a checkpoint; --force starts over.
func TestFitFolderRules(t *testing.T) {
	dir := t.TempDir()
	if _, err := trainToy(t, dir, toyLoop(), nil); err != nil {
		t.Fatal(err)
	}
	_, err := trainToy(t, dir, toyLoop(), nil)
	if err == nil || !strings.Contains(err.Error(), "already holds a training run") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second run into the same folder: %v", err)
	}
	empty := t.TempDir()
	_, err = Fit(context.Background(), toyTrainer(t, empty, newToyTask(t, 3, 20), toyLoop()), true, false)
	if err == nil || !strings.Contains(err.Error(), "no last.ckpt") {
		t.Errorf("--resume without checkpoint: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	loop := toyLoop()
	loop.Epochs = 1
	res, err := Fit(context.Background(), toyTrainer(t, dir, newToyTask(t, 3, 20), loop), false, true)
	if err != nil || res.Epochs != 1 {
		t.Fatalf("--force: %v, %+v", err, res)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Error("--force removed a file that is not the run's")
	}
	// Resuming with a changed learning rate is refused, naming the key.
	tr := toyTrainer(t, dir, newToyTask(t, 3, 20), loop)
	tr.Config = "train:\n  epochs: 4\n  optimizer: {lr: 0.01}\n"
	if _, err := Fit(context.Background(), tr, true, false); err == nil || !strings.Contains(err.Error(), "train.optimizer.lr") {
		t.Errorf("resume with another lr: %v", err)
	}
	// More epochs may be asked for on resume.
	loop.Epochs = 2
	res, err = Fit(context.Background(), toyTrainer(t, dir, newToyTask(t, 3, 20), loop), true, false)
	if err != nil || res.Epochs != 2 {
		t.Errorf("resume with more epochs: %v, %+v", err, res)
	}
}

// The time limit stops in the middle of an epoch, says so, keeps the
// partial epoch out of history.csv and leaves a resumable last.ckpt.
func TestTimeLimit(t *testing.T) {
	dir := t.TempDir()
	loop := toyLoop()
	loop.MaxMinutes = 1e-9
	var log bytes.Buffer
	task := newToyTask(t, 3, 20)
	tr := toyTrainer(t, dir, task, loop)
	tr.Log = &log
	res, err := Fit(context.Background(), tr, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != "time" || res.Iterations != 1 || res.Epochs != 0 {
		t.Errorf("result %+v, want stop time after step 1", res)
	}
	msg := log.String()
	for _, want := range []string{"time limit", "max_minutes", "epoch 1 of 4 at batch 1 of 6", "incomplete", "last.ckpt"} {
		if !strings.Contains(msg, want) {
			t.Errorf("log lacks %q:\n%s", want, msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, HistoryName)); err == nil {
		t.Error("history.csv written for an incomplete epoch")
	}
	loop.MaxMinutes = 0
	res, err = Fit(context.Background(), toyTrainer(t, dir, newToyTask(t, 3, 20), loop), true, false)
	if err != nil || res.Iterations != 24 {
		t.Errorf("resume after the time limit: %v, %+v", err, res)
	}
}

// Early stopping ends the run and best.ckpt is the best epoch.
func TestTrainerEarlyStopping(t *testing.T) {
	loop := toyLoop()
	loop.Epochs, loop.Patience = 40, 2
	loop.Optimizer.LR = 0.5 // oscillates, so validation stops improving
	res, err := trainToy(t, t.TempDir(), loop, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stop != "early-stopping" || res.Epochs >= 40 || res.Epochs != res.BestEpoch+2 {
		t.Errorf("result %+v, want early stop 2 epochs after the best", res)
	}
}

// A training step leaves no tensor handle for the garbage collector.
func TestStepLeavesNoHandles(t *testing.T) {
	err := backend.Run(func() error {
		task := newToyTask(t, 3, 20)
		tr := toyTrainer(t, "", task, toyLoop())
		defer tr.close()
		if err := tr.setup(); err != nil {
			return err
		}
		order := tr.order(0)
		if _, err := tr.step(tr.batch(0, 0, order, 0)); err != nil { // creates optimizer moments
			return err
		}
		n, err := backend.LeakedHandles(func() error {
			for i := 1; i < 5; i++ {
				if _, err := tr.step(tr.batch(0, i, order, int64(i))); err != nil {
					return err
				}
			}
			return nil
		})
		if n != 0 {
			t.Errorf("%d tensor handles left after 4 steps", n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Loop settings are checked with their key names.
func TestLoopConfigValidate(t *testing.T) {
	tests := []struct {
		edit func(*LoopConfig)
		want string
	}{
		{func(c *LoopConfig) { c.Epochs = 0 }, "train.epochs"},
		{func(c *LoopConfig) { c.BatchSize = -1 }, "train.batch_size"},
		{func(c *LoopConfig) { c.EMA = 1 }, "train.ema"},
		{func(c *LoopConfig) { c.MaxMinutes = -1 }, "train.max_minutes"},
		{func(c *LoopConfig) { c.Optimizer.LR = 0 }, "train.optimizer.lr"},
		{func(c *LoopConfig) { c.Optimizer.Kind = "lion" }, "lion"},
		{func(c *LoopConfig) { c.Schedule.Kind = "warmup" }, "warmup"},
		{func(c *LoopConfig) { c.ClipGradNorm = -2 }, "train.clip_grad_norm"},
	}
	for _, tc := range tests {
		c := toyLoop()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error naming %q, got %v", tc.want, err)
		}
	}
	if err := toyLoop().Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}
