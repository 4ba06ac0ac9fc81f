package train

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/nets/backend"
)

// LoopConfig is the YAML "train" section shared by every trainer: what the
// one training loop (Trainer) needs, independent of the model.
//
//	train:
//	  epochs: 360
//	  batch_size: 8
//	  optimizer: {kind: adamw, lr: 1.0e-3, weight_decay: 0.01}
//	  schedule: {kind: cosine, t_max: 360, min_lr: 1.0e-5}
//	  seed: 1
//	  ema: 0.99
type LoopConfig struct {
	// Epochs is the number of passes over the training set.
	Epochs int `yaml:"epochs"`
	// BatchSize is the mini-batch size. An epoch has
	// floor(samples/batch_size) batches (at least one, of all samples,
	// when the set is smaller than a batch).
	BatchSize int `yaml:"batch_size"`
	// Optimizer and Schedule set the update rule and the per-epoch
	// learning rate (the schedule starts from optimizer.lr).
	Optimizer OptimConfig    `yaml:"optimizer"`
	Schedule  ScheduleConfig `yaml:"schedule"`
	// Seed fixes the initial weights, the data order and every per-batch
	// random draw.
	Seed uint64 `yaml:"seed"`
	// EMA is the decay of an exponential moving average of the weights
	// (0: off). When on, validation and best.ckpt use the averaged weights
	// and checkpoints carry them (inference loads them).
	EMA float64 `yaml:"ema"`
	// Patience stops training after that many epochs without a lower
	// validation loss (0: off).
	Patience int `yaml:"patience"`
	// ClipGradNorm rescales gradients to at most this joint L2 norm
	// (0: off).
	ClipGradNorm float64 `yaml:"clip_grad_norm"`
	// MaxMinutes bounds the training time summed over resumed sessions
	// (0: none). When it runs out the loop stops after the current batch,
	// writes last.ckpt at that point and says so.
	MaxMinutes float64 `yaml:"max_minutes"`
	// CheckpointEvery writes last.ckpt every that many epochs and at the
	// end (0 means 1).
	CheckpointEvery int `yaml:"checkpoint_every"`
	// CheckpointSteps also writes last.ckpt every that many optimizer steps
	// inside an epoch (0: off), CheckpointMinutes every that many minutes
	// (0: off), so a killed job loses little work.
	CheckpointSteps   int     `yaml:"checkpoint_steps"`
	CheckpointMinutes float64 `yaml:"checkpoint_minutes"`
	// LogEvery writes a row of scalars.csv and the TensorBoard event file
	// every that many steps (0 means 10).
	LogEvery int `yaml:"log_every"`
	// Threads is libtorch's intra-op thread count for the run (0: the
	// process setting, one per core by default).
	Threads int `yaml:"threads"`
}

// resumeSafeKeys are the train keys a resumed run may change: they do not
// alter the trajectory of the weights.
var resumeSafeKeys = []string{"epochs", "max_minutes", "threads", "checkpoint_every",
	"checkpoint_steps", "checkpoint_minutes", "log_every", "patience"}

// Validate reports the first invalid setting, naming its key.
func (c LoopConfig) Validate() error {
	ints := []struct {
		key string
		v   int
		min int
	}{{"train.epochs", c.Epochs, 1}, {"train.batch_size", c.BatchSize, 1}, {"train.patience", c.Patience, 0},
		{"train.checkpoint_every", c.CheckpointEvery, 0}, {"train.checkpoint_steps", c.CheckpointSteps, 0},
		{"train.log_every", c.LogEvery, 0}, {"train.threads", c.Threads, 0}}
	for _, k := range ints {
		if k.v < k.min {
			return fmt.Errorf("%s = %d, want >= %d", k.key, k.v, k.min)
		}
	}
	if c.Threads > backend.MaxThreads() {
		return fmt.Errorf("train.threads = %d, want at most %d (4 per core on this machine)", c.Threads, backend.MaxThreads())
	}
	floats := []struct {
		key string
		v   float64
	}{{"train.clip_grad_norm", c.ClipGradNorm}, {"train.max_minutes", c.MaxMinutes},
		{"train.checkpoint_minutes", c.CheckpointMinutes}}
	for _, f := range floats {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s = %v, want finite and >= 0", f.key, f.v)
		}
	}
	if !(c.EMA >= 0 && c.EMA < 1) {
		return fmt.Errorf("train.ema = %v, want in [0, 1)", c.EMA)
	}
	if _, err := c.Optimizer.resolved(); err != nil {
		return fmt.Errorf("train.%w", err)
	}
	if !(c.Optimizer.LR > 0) {
		return fmt.Errorf("train.optimizer.lr = %v, want > 0", c.Optimizer.LR)
	}
	if _, err := NewSchedule(c.Schedule); err != nil {
		return fmt.Errorf("train.%w", err)
	}
	return nil
}
