package train

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// Batch is one mini-batch handed to Trainer.Loss.
type Batch struct {
	// Epoch is 0-based; Index is the batch number within the epoch.
	Epoch, Index int
	// Iteration is the number of optimizer steps taken before this batch.
	Iteration int64
	// Samples are the dataset indices of the batch, in the epoch's
	// (shuffled) order.
	Samples []int
	// Rand is a Go random stream private to this batch (derived from the
	// seed and Iteration), for augmentation or noise drawn in Go.
	Rand *rand.Rand
}

// Trainer is a generic epoch loop: for every epoch it sets the learning rate
// from the schedule, shuffles the sample indices, and for every mini-batch
// zeroes the gradients, calls Loss, back-propagates, steps the optimizer and
// updates the EMA; then it validates, records the history, writes the
// checkpoint, CSV and curves, and applies early stopping. Everything
// model-specific happens in the callbacks.
//
// Files written to Dir: last.ckpt (every CheckpointEvery epochs and at the
// end), best.ckpt (on a new lowest validation loss), epoch-NNNN.ckpt (with
// KeepEpochs), loss.csv, loss.png and loss.svg.
type Trainer struct {
	// Kind names the model type stored in checkpoints; Resume rejects a
	// checkpoint of another kind. Required.
	Kind string
	// VS holds the model variables. Required.
	VS *nn.VarStore
	// Opt updates the trainable variables. Required.
	Opt Optimizer
	// BaseLR is the learning rate the schedule starts from; 0 means
	// Opt.LR() at the first Run.
	BaseLR float64
	// Schedule sets the learning rate per epoch; nil means constant.
	Schedule Schedule
	// EMA, if not nil, is updated after every step.
	EMA *EMA
	// EvalWithEMA runs Validate with the EMA weights loaded.
	EvalWithEMA bool
	// Stop, if not nil, ends training when Validate stops improving.
	Stop *EarlyStopping

	// Epochs is the total number of epochs (including resumed ones).
	Epochs int
	// NumSamples is the dataset size; BatchSize the mini-batch size.
	NumSamples, BatchSize int
	// Shuffle reorders the samples every epoch with the saved Go stream.
	Shuffle bool
	// DropLast skips a final incomplete batch.
	DropLast bool
	// Seed determines data order and every per-batch random stream.
	Seed uint64

	// Loss returns the scalar training loss of a batch (the Trainer
	// drops it after backward). Required.
	Loss func(b Batch) (*ts.Tensor, error)
	// BeforeStep, if set, runs between backward and the optimizer step
	// (e.g. gradient clipping).
	BeforeStep func() error
	// Validate, if set, returns the validation loss after the 1-based
	// epoch; it runs without gradient tracking.
	Validate func(epoch int) (float64, error)
	// SeedTorch re-seeds libtorch's generator before every batch with a
	// seed derived from (Seed, iteration), which makes dropout or noise
	// drawn by libtorch reproducible across resumes. Nil means
	// backend.ManualSeed.
	SeedTorch func(seed int64)
	// OnEpoch, if set, is called after each epoch's files are written.
	OnEpoch func(r EpochRecord) error

	// Dir receives checkpoints and curves; empty writes nothing.
	Dir string
	// Config is the resolved YAML configuration stored in checkpoints.
	Config string
	// CheckpointEvery writes last.ckpt every that many epochs (0 means 1).
	CheckpointEvery int
	// KeepEpochs also keeps a checkpoint per epoch.
	KeepEpochs bool
	// Progress receives the progress bars (nil: silent); Log receives one
	// summary line per epoch (nil: none).
	Progress, Log io.Writer

	// History is the loss history, restored by Resume.
	History History

	epoch int
	iter  int64
	rng   *RNG
}

// Epoch returns the number of completed epochs.
func (t *Trainer) Epoch() int { return t.epoch }

// Iteration returns the number of completed optimizer steps.
func (t *Trainer) Iteration() int64 { return t.iter }

func (t *Trainer) check() error {
	switch {
	case t.Kind == "":
		return errors.New("trainer: Kind is empty")
	case t.VS == nil || t.Opt == nil || t.Loss == nil:
		return errors.New("trainer: VS, Opt and Loss are required")
	case t.Epochs < 0:
		return fmt.Errorf("trainer: negative Epochs %d", t.Epochs)
	case t.NumSamples <= 0 || t.BatchSize <= 0:
		return fmt.Errorf("trainer: NumSamples (%d) and BatchSize (%d) must be positive", t.NumSamples, t.BatchSize)
	case t.DropLast && t.NumSamples < t.BatchSize:
		return fmt.Errorf("trainer: %d samples give no full batch of %d", t.NumSamples, t.BatchSize)
	case t.Stop != nil && t.Validate == nil:
		return errors.New("trainer: early stopping needs Validate")
	case t.EvalWithEMA && t.EMA == nil:
		return errors.New("trainer: EvalWithEMA needs EMA")
	}
	return nil
}

func (t *Trainer) init() {
	if t.BaseLR == 0 {
		t.BaseLR = t.Opt.LR()
	}
	if t.Schedule == nil {
		t.Schedule = Constant{}
	}
	if t.rng == nil {
		t.rng = NewRNG(t.Seed)
	}
}

// Run trains until Epochs epochs are complete or early stopping triggers.
// After Resume it continues where the checkpoint left off. The goroutine is
// locked to its OS thread while Run works (backend.Run), and libtorch
// panics from Must* helpers in the callbacks come back as errors.
func (t *Trainer) Run() error {
	return backend.Run(t.run)
}

func (t *Trainer) run() error {
	if err := t.check(); err != nil {
		return err
	}
	t.init()
	if t.Dir != "" {
		if err := os.MkdirAll(t.Dir, 0o755); err != nil {
			return fmt.Errorf("trainer: %w", err)
		}
	}
	if t.Stop != nil && t.Stop.Patience > 0 && t.Stop.Bad >= t.Stop.Patience {
		return nil // the resumed run had already stopped early
	}
	for t.epoch < t.Epochs {
		stop, err := t.runEpoch()
		if err != nil {
			return err
		}
		if stop {
			break
		}
	}
	return nil
}

func (t *Trainer) runEpoch() (stop bool, err error) {
	start := time.Now()
	e := t.epoch
	lr := t.Schedule.LR(t.BaseLR, e)
	t.Opt.SetLR(lr)
	order := make([]int, t.NumSamples)
	for i := range order {
		order[i] = i
	}
	if t.Shuffle {
		t.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	nb := (t.NumSamples + t.BatchSize - 1) / t.BatchSize
	if t.DropLast {
		nb = t.NumSamples / t.BatchSize
	}
	bar := NewProgress(t.Progress, nb, fmt.Sprintf("epoch %d/%d", e+1, t.Epochs))
	for bi := range nb {
		b := Batch{Epoch: e, Index: bi, Iteration: t.iter,
			Samples: order[bi*t.BatchSize : min((bi+1)*t.BatchSize, t.NumSamples)],
			Rand:    NewRand(t.Seed, 2, uint64(t.iter))}
		loss, err := t.step(b)
		if err != nil {
			return false, err
		}
		bar.Step(loss)
	}
	bar.Finish()
	rec := EpochRecord{Epoch: e + 1, Iteration: t.iter, LR: lr, TrainLoss: bar.Mean()}
	improved := false
	if t.Validate != nil {
		if rec.ValLoss, err = t.validate(e + 1); err != nil {
			return false, err
		}
		rec.HasVal = true
		improved = t.bestVal(rec.ValLoss)
		if t.Stop != nil {
			if _, stop, err = t.Stop.Observe(e+1, rec.ValLoss); err != nil {
				return false, err
			}
		}
	}
	rec.Seconds = time.Since(start).Seconds()
	t.History.Add(rec)
	t.epoch++
	if err := t.writeFiles(improved, stop); err != nil {
		return false, err
	}
	if t.Log != nil {
		fmt.Fprintf(t.Log, "epoch %d/%d lr %.4g train %.6g", rec.Epoch, t.Epochs, rec.LR, rec.TrainLoss)
		if rec.HasVal {
			fmt.Fprintf(t.Log, " val %.6g", rec.ValLoss)
		}
		fmt.Fprintf(t.Log, " (%.1fs, eta %s)\n", rec.Seconds, t.eta())
	}
	if t.OnEpoch != nil {
		if err := t.OnEpoch(rec); err != nil {
			return false, err
		}
	}
	return stop, nil
}

// eta estimates the time left from the mean duration of the recorded epochs.
func (t *Trainer) eta() time.Duration {
	sum := 0.0
	for _, r := range t.History.Epochs {
		sum += r.Seconds
	}
	left := float64(t.Epochs - t.epoch)
	return time.Duration(sum / float64(len(t.History.Epochs)) * left * float64(time.Second)).Round(time.Second)
}

// bestVal reports whether v is lower than every earlier validation loss.
func (t *Trainer) bestVal(v float64) bool {
	for _, r := range t.History.Epochs {
		if r.HasVal && r.ValLoss <= v {
			return false
		}
	}
	return true
}

func (t *Trainer) step(b Batch) (float64, error) {
	where := func(err error) error {
		return fmt.Errorf("epoch %d batch %d: %w", b.Epoch+1, b.Index, err)
	}
	seed := TorchSeed(DeriveSeed(t.Seed, 1, uint64(b.Iteration)))
	if t.SeedTorch != nil {
		t.SeedTorch(seed)
	} else {
		backend.ManualSeed(seed)
	}
	if err := t.Opt.ZeroGrad(); err != nil {
		return 0, where(err)
	}
	loss, err := t.Loss(b)
	if err != nil {
		return 0, where(err)
	}
	defer loss.MustDrop()
	v, err := scalarValue(loss)
	if err != nil {
		return 0, where(err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, where(fmt.Errorf("training loss is %v", v))
	}
	if err := loss.Backward(); err != nil {
		return 0, where(err)
	}
	if t.BeforeStep != nil {
		if err := t.BeforeStep(); err != nil {
			return 0, where(err)
		}
	}
	if err := t.Opt.Step(); err != nil {
		return 0, where(err)
	}
	if t.EMA != nil {
		t.EMA.Update()
	}
	t.iter++
	return v, nil
}

func scalarValue(x *ts.Tensor) (float64, error) {
	if n := x.Numel(); n != 1 {
		return 0, fmt.Errorf("loss has %d elements, want a scalar", n)
	}
	d, err := x.Totype(gotch.Double, false)
	if err != nil {
		return 0, err
	}
	defer d.MustDrop()
	v := make([]float64, 1)
	if err := d.CopyData(v, 1); err != nil {
		return 0, err
	}
	return v[0], nil
}

func (t *Trainer) validate(epoch int) (v float64, err error) {
	run := func() error {
		noGrad(func() { v, err = t.Validate(epoch) })
		return err
	}
	if t.EvalWithEMA {
		err = t.EMA.With(run)
	} else {
		err = run()
	}
	if err != nil {
		return 0, fmt.Errorf("epoch %d validation: %w", epoch, err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("epoch %d validation loss is %v", epoch, v)
	}
	return v, nil
}

func (t *Trainer) writeFiles(improved, stop bool) error {
	if t.Dir == "" {
		return nil
	}
	every := max(t.CheckpointEvery, 1)
	last := t.epoch%every == 0 || t.epoch == t.Epochs || stop
	if last || improved || t.KeepEpochs {
		c, err := t.Checkpoint()
		if err != nil {
			return err
		}
		var names []string
		if last {
			names = append(names, "last.ckpt")
		}
		if improved {
			names = append(names, "best.ckpt")
		}
		if t.KeepEpochs {
			names = append(names, fmt.Sprintf("epoch-%04d.ckpt", t.epoch))
		}
		for _, n := range names {
			if err := c.Save(filepath.Join(t.Dir, n)); err != nil {
				return err
			}
		}
	}
	if err := t.History.SaveCSV(filepath.Join(t.Dir, "loss.csv")); err != nil {
		return err
	}
	return t.History.SavePlots(t.Kind+" loss", filepath.Join(t.Dir, "loss.png"), filepath.Join(t.Dir, "loss.svg"))
}

// trainerState is the loop state stored in checkpoints.
type trainerState struct {
	BaseLR     float64        `json:"base_lr"`
	Seed       uint64         `json:"seed"`
	NumSamples int            `json:"num_samples"`
	BatchSize  int            `json:"batch_size"`
	Schedule   ScheduleConfig `json:"schedule"`
	RNG        []byte         `json:"rng"`
}

// Checkpoint captures the complete training state.
func (t *Trainer) Checkpoint() (*Checkpoint, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	t.init()
	c := NewCheckpoint(t.Kind)
	c.Epoch, c.Iteration, c.Config = t.epoch, t.iter, t.Config
	rs, err := t.rng.MarshalBinary()
	if err != nil {
		return nil, err
	}
	st := trainerState{BaseLR: t.BaseLR, Seed: t.Seed, NumSamples: t.NumSamples,
		BatchSize: t.BatchSize, Schedule: t.Schedule.Config(), RNG: rs}
	if err := c.PutState("trainer", st); err != nil {
		return nil, err
	}
	if err := c.PutState("history", t.History); err != nil {
		return nil, err
	}
	if t.Stop != nil {
		if err := c.PutState("early_stop", t.Stop); err != nil {
			return nil, err
		}
	}
	if err := SaveModel(c, t.VS); err != nil {
		return nil, err
	}
	if err := SaveOptimizer(c, t.Opt); err != nil {
		return nil, err
	}
	if t.EMA != nil {
		if err := t.EMA.Save(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Resume loads the checkpoint at path into the trainer's model, optimizer,
// EMA, early stopping, history, counters and random stream, so that Run
// continues exactly as if never interrupted. The seed, dataset size and
// batch size must match the checkpoint's, since they fix the data order.
func (t *Trainer) Resume(path string) error {
	return backend.Run(func() error { return t.resume(path) })
}

func (t *Trainer) resume(path string) error {
	if err := t.check(); err != nil {
		return err
	}
	c, err := LoadCheckpoint(path, t.Kind)
	if err != nil {
		return err
	}
	if err := t.restore(c); err != nil {
		return fmt.Errorf("resume from %s: %w", path, err)
	}
	return nil
}

func (t *Trainer) restore(c *Checkpoint) error {
	var st trainerState
	if err := c.State("trainer", &st); err != nil {
		return err
	}
	switch {
	case st.Seed != t.Seed:
		return fmt.Errorf("checkpoint seed %d, trainer seed %d", st.Seed, t.Seed)
	case st.NumSamples != t.NumSamples:
		return fmt.Errorf("checkpoint has %d samples per epoch, trainer %d", st.NumSamples, t.NumSamples)
	case st.BatchSize != t.BatchSize:
		return fmt.Errorf("checkpoint batch size %d, trainer %d", st.BatchSize, t.BatchSize)
	}
	rng := NewRNG(0)
	if err := rng.UnmarshalBinary(st.RNG); err != nil {
		return err
	}
	var h History
	if err := c.State("history", &h); err != nil {
		return err
	}
	var es EarlyStopping
	if t.Stop != nil {
		if err := c.State("early_stop", &es); err != nil {
			return err
		}
	}
	if err := LoadModel(c, t.VS); err != nil {
		return err
	}
	if err := LoadOptimizer(c, t.Opt); err != nil {
		return err
	}
	if t.EMA != nil {
		if err := t.EMA.Load(c); err != nil {
			return err
		}
	}
	if t.Stop != nil {
		*t.Stop = es
	}
	t.BaseLR, t.rng, t.History, t.epoch, t.iter = st.BaseLR, rng, h, c.Epoch, c.Iteration
	return nil
}
