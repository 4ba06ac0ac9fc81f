package train

import (
	"math/rand/v2"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// Task is what a model supplies to the Trainer: its variables, its
// training examples and its loss. Everything else — epochs, data order,
// schedules, EMA, clipping, early stopping, time limits, checkpoints,
// exact resume, logs and output files — is the Trainer's.
type Task interface {
	// Kind names the model in checkpoints ("siamese", "fusiondiff", ...);
	// resume rejects a checkpoint of another kind.
	Kind() string
	// VarStore holds the model's variables (created on backend.Device()).
	VarStore() *nn.VarStore
	// NumSamples is the number of training examples in one epoch.
	NumSamples() int
	// Loss returns the scalar training loss of b and, for the logs, its
	// named terms. Tensors created on the way go in s, which the Trainer
	// closes after the optimizer step; the loss may be in s or not (the
	// Trainer drops it either way).
	Loss(s *backend.Scope, b Batch) (*ts.Tensor, map[string]float64, error)
	// PutModel stores in c what nets/<model> needs to rebuild the network
	// from the checkpoint alone (its architecture state).
	PutModel(c *checkpoint.Checkpoint) error
}

// Validator is implemented by tasks that have validation data. The Trainer
// calls Validate after every epoch without gradient tracking (and with the
// EMA weights loaded when train.ema is set); the loss decides best.ckpt and
// early stopping.
type Validator interface {
	Validate(epoch int) (Validation, error)
}

// Validation is the result of one validation pass.
type Validation struct {
	// Loss is the validation loss (lower is better).
	Loss float64
	// Metrics are further scores for history.csv (val_<name>) and logs.
	Metrics map[string]float64
}

// Preparer is implemented by tasks that assemble batches in Go memory.
// The Trainer calls Prepare for upcoming batches on another goroutine,
// overlapping data preparation with the training steps, and passes the
// result to Loss in Batch.Data. Prepare must not call libtorch and must
// depend only on the Batch it is given.
type Preparer interface {
	Prepare(b Batch) (any, error)
}

// Batch is one mini-batch.
type Batch struct {
	// Epoch is 0-based; Index is the batch number within the epoch, of
	// Batches.
	Epoch, Index, Batches int
	// Iteration is the number of optimizer steps taken before this batch.
	Iteration int64
	// Samples are the dataset indices of the batch, in the epoch's
	// shuffled order.
	Samples []int
	// Rand is a Go random stream private to this batch, derived from the
	// seed and Iteration, for augmentation or noise drawn in Go.
	Rand *rand.Rand
	// Data is what Preparer.Prepare returned for this batch (nil for
	// tasks that do not implement Preparer).
	Data any
}
