// Package train is mfif's one training loop and what it needs: every model
// (train/siamese, train/fusiondiff, train/prior) is a Task — its variables,
// its batches and its loss, optionally its validation (Validator) and
// host-side batch assembly (Preparer) — and Trainer does the rest:
//
//   - epochs over a sample order derived from (seed, epoch), mini-batches
//     (prepared ahead on another goroutine for a Preparer), libtorch
//     re-seeded per batch from (seed, step), and a Go random stream per
//     batch (Batch.Rand);
//   - optimizers whose full state is saved (Adam, AdamW, SGD; NewOptimizer),
//     learning-rate schedules per epoch (Constant, StepLR, Cosine),
//     gradient-norm clipping, an exponential moving average of the weights
//     (EMA) used for validation and inference;
//   - validation after every epoch, best.ckpt on a new lowest validation
//     loss, early stopping (EarlyStopping);
//   - a time budget over all sessions (train.max_minutes) that stops after
//     the current batch and says where;
//   - checkpoints (nets/checkpoint): last.ckpt every checkpoint_every
//     epochs, every checkpoint_steps steps and every checkpoint_minutes,
//     written atomically;
//   - SIGINT/SIGTERM: the context's cancellation stops after the current
//     step and writes last.ckpt there (Interrupted);
//   - logs: a progress display (a bar on a terminal, plain lines otherwise;
//     internal/progress), one line per epoch on Log and in train.log,
//     step-level scalars (scalars.csv and ScalarSinks such as TensorBoard
//     event files), history.csv and loss curves.
//
// Fit applies the output-folder rules of `mfif train` (refuse a folder
// that holds a run unless resuming or forced) and Request is the form the
// CLI and the experiment runner use.
//
// # Output layout
//
// Every trainer writes the same files in its folder: last.ckpt (the
// complete state: weights, optimizer, EMA, counters including the position
// inside an epoch, history, early stopping; --resume reads it), best.ckpt
// (weights and EMA of the best validation epoch, or the final weights
// without validation; what `mfif fuse` uses), history.csv (one row per
// completed epoch: epoch, iteration, lr, train_loss, val_loss,
// val_<metric>...), scalars.csv (one row per log_every steps: step, epoch,
// lr, loss, the loss terms, grad_norm, samples_per_s, wall_time),
// config.yaml (the resolved config), train.log and loss.png/loss.svg.
//
// # Exact resume
//
// Everything that influences what follows is in last.ckpt, and every random
// draw derives from (seed, epoch) or (seed, step): the data order, the
// per-batch Go stream, libtorch's generator (re-seeded before every batch).
// A run resumed from any last.ckpt — including one written in the middle of
// an epoch, as a killed job leaves it — ends with the same history.csv and
// bit-identical weights as an uninterrupted run on the same thread count
// (tested for every trainer by killing a child process with SIGKILL,
// train/traintest). history.csv holds no wall times for that reason.
//
// # Threads
//
// libtorch's grad mode is per OS thread. Trainer.Run and Trainer.Resume run
// inside nets/backend.Run (goroutine locked to its OS thread, libtorch
// panics returned as errors); callers that use the optimizers, EMA or
// ClipGradNorm directly should do the same.
package train
