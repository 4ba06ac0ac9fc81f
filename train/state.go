package train

import (
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// runState is everything of the loop that a checkpoint restores.
type runState struct {
	// Epoch is the number of completed epochs; Batch the number of
	// batches done in the current one.
	Epoch int   `json:"epoch"`
	Batch int   `json:"batch"`
	Iter  int64 `json:"iteration"`
	// LossSum/LossN accumulate the current epoch's training loss.
	LossSum float64 `json:"loss_sum"`
	LossN   int     `json:"loss_n"`
	// Elapsed is the training time in seconds over all sessions.
	Elapsed    float64        `json:"elapsed_seconds"`
	BaseLR     float64        `json:"base_lr"`
	Seed       uint64         `json:"seed"`
	NumSamples int            `json:"num_samples"`
	BatchSize  int            `json:"batch_size"`
	Schedule   ScheduleConfig `json:"schedule"`
	History    History        `json:"history"`
	Early      EarlyStopping  `json:"early_stopping"`
	// Done is set when training finished (all epochs or early stopping).
	Done bool   `json:"done"`
	Stop string `json:"stop,omitempty"`
}

// Interrupted is returned by Run when its context is cancelled (SIGINT,
// SIGTERM): the Trainer finished the current step, wrote last.ckpt at that
// point and stopped. Resuming continues exactly from there.
type Interrupted struct {
	// Cause is the context's cancellation cause (e.g. the signal).
	Cause error
	// Epoch (1-based), Batch (done) and Batches locate the point reached.
	Epoch, Batch, Batches int
	// Iteration is the number of completed optimizer steps.
	Iteration int64
	// Checkpoint is the path of the written last.ckpt ("" without Dir).
	Checkpoint string
}

// Error describes where training stopped and what was kept.
func (e *Interrupted) Error() string {
	msg := fmt.Sprintf("training interrupted (%v) in epoch %d after batch %d of %d (step %d)",
		e.Cause, e.Epoch, e.Batch, e.Batches, e.Iteration)
	if e.Checkpoint != "" {
		msg += "; the state at that point is in " + e.Checkpoint
	}
	return msg
}

// Unwrap returns the cause.
func (e *Interrupted) Unwrap() error { return e.Cause }

// interrupted writes last.ckpt at the current step and describes it.
func (t *Trainer) interrupted(cause error) error {
	nb, _ := t.batches()
	e := &Interrupted{Cause: cause, Epoch: t.st.Epoch + 1, Batch: t.st.Batch, Batches: nb, Iteration: t.st.Iter}
	if t.Dir != "" {
		if err := t.saveLast(); err != nil {
			return fmt.Errorf("%v; and writing the checkpoint failed: %w", cause, err)
		}
		e.Checkpoint = filepath.Join(t.Dir, LastName)
	}
	t.logf("%s", e.Error())
	return e
}

// checkpoint captures the state: with full, everything resume needs;
// otherwise the weights (and EMA) with the architecture only.
func (t *Trainer) checkpoint(full bool) (*checkpoint.Checkpoint, error) {
	c := checkpoint.New(t.Task.Kind())
	c.Epoch, c.Iteration, c.Config = t.st.Epoch, t.st.Iter, t.Config
	if err := t.Task.PutModel(c); err != nil {
		return nil, err
	}
	if err := backend.SaveVars(c, t.Task.VarStore()); err != nil {
		return nil, err
	}
	if t.ema != nil {
		if err := t.ema.Save(c); err != nil {
			return nil, err
		}
	}
	if !full {
		return c, c.PutState("best", map[string]any{"epoch": t.st.Early.BestEpoch, "val_loss": t.st.Early.Best})
	}
	st := t.st
	st.Elapsed = t.elapsed()
	if err := c.PutState("trainer", st); err != nil {
		return nil, err
	}
	if err := SaveOptimizer(c, t.opt); err != nil {
		return nil, err
	}
	return c, nil
}

func (t *Trainer) saveLast() error { return t.save(LastName, true) }
func (t *Trainer) saveBest() error { return t.save(BestName, false) }

func (t *Trainer) save(name string, full bool) error {
	if t.Dir == "" {
		return nil
	}
	c, err := t.checkpoint(full)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", name, err)
	}
	return c.Save(filepath.Join(t.Dir, name))
}

// Resume restores the complete state from the checkpoint at path: weights,
// optimizer, EMA, counters (including the position inside an epoch),
// history and early stopping. The checkpoint's seed, sample count, batch
// size and configuration (apart from the train keys that do not change the
// trajectory: epochs, max_minutes, threads, patience, checkpoint and log
// cadence) must match the trainer's.
func (t *Trainer) Resume(path string) error {
	return backend.Run(func() error { return t.resume(path) })
}

func (t *Trainer) resume(path string) error {
	if t.opt == nil {
		if err := t.setup(); err != nil {
			return err
		}
	}
	c, err := checkpoint.Load(path, t.Task.Kind())
	if err != nil {
		return err
	}
	if err := t.restore(c); err != nil {
		return fmt.Errorf("resume from %s: %w", path, err)
	}
	return nil
}

func (t *Trainer) restore(c *checkpoint.Checkpoint) error {
	var st runState
	if err := c.State("trainer", &st); err != nil {
		return fmt.Errorf("%w (best.ckpt holds weights only; resume from last.ckpt)", err)
	}
	switch {
	case st.Seed != t.Loop.Seed:
		return fmt.Errorf("checkpoint seed %d, config seed %d", st.Seed, t.Loop.Seed)
	case st.NumSamples != t.Task.NumSamples():
		return fmt.Errorf("checkpoint has %d samples per epoch, this run %d", st.NumSamples, t.Task.NumSamples())
	case st.BatchSize != t.Loop.BatchSize:
		return fmt.Errorf("checkpoint batch size %d, config %d", st.BatchSize, t.Loop.BatchSize)
	}
	if err := compatibleConfigs(c.Config, t.Config); err != nil {
		return err
	}
	vs := t.Task.VarStore()
	defer runtime.KeepAlive(vs)
	if err := backend.LoadVars(c, vs); err != nil {
		return err
	}
	if err := LoadOptimizer(c, t.opt); err != nil {
		return err
	}
	if t.ema != nil {
		if err := t.ema.Load(c); err != nil {
			return err
		}
	}
	st.Early.Patience = t.Loop.Patience
	if st.Done && st.Epoch < t.Loop.Epochs && st.Stop == "epochs" {
		st.Done = false // more epochs were asked for
	}
	t.st = st
	return nil
}
