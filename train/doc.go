// Package train holds the model-independent training machinery shared by the
// mfif trainers (train/siamese, train/fusiondiff):
//
//   - optimizers on gotch tensors whose full state can be saved and restored
//     (Adam, AdamW, SGD; see Optimizer, NewOptimizer),
//   - learning-rate schedules (Constant, StepLR, Cosine; see ScheduleConfig),
//   - an exponential moving average of the weights (EMA) and gradient-norm
//     clipping (ClipGradNorm),
//   - early stopping on the validation loss (EarlyStopping),
//   - a self-checking single-file checkpoint format written atomically
//     (Checkpoint, LoadCheckpoint),
//   - loss history with CSV and PNG/SVG curves (History),
//   - a per-epoch progress bar (NewProgress),
//   - deterministic random streams whose state is saved (RNG, DeriveSeed),
//   - and a small generic loop (Trainer) that ties them together: epochs,
//     shuffled mini-batches, schedule, checkpoint every epoch, exact resume,
//     early stopping and curves. Model-specific code lives in the callbacks.
//
// # Exact resume
//
// Everything that influences the next epoch is in the checkpoint: weights and
// buffers, optimizer moments and step counts, the epoch and iteration counters
// (the schedule is a pure function of the epoch), the early-stopping and EMA
// state, the loss history and the state of the Go random stream that orders
// the data. Per-batch randomness (augmentation, libtorch dropout or noise) is
// derived from (seed, global iteration) with DeriveSeed, so it needs no saved
// state: the Trainer hands each batch its own *rand.Rand and re-seeds
// libtorch before every batch. On CPU with the same thread count a resumed
// run is therefore bit-identical to an uninterrupted one (tested on a small
// linear regression with shuffling, Go and libtorch noise, AdamW, StepLR, EMA
// and early stopping).
//
// # Checkpoint file format (version 1)
//
// One file, little-endian:
//
//	offset 0   8 bytes  magic "MFIFCKPT"
//	offset 8   uint32   format version
//	offset 12  uint64   length H of the JSON header
//	offset 20  H bytes  JSON header (see Header): kind, counters, resolved
//	                    config YAML, named JSON states and a tensor index
//	                    (name, dtype, shape, offset, length)
//	...        raw tensor data, concatenated in index order
//	last 4     uint32   CRC-32C of every preceding byte
//
// Tensor data are the raw little-endian element bytes, so float32 weights and
// moments round-trip exactly. A missing, truncated or corrupted file, an
// unknown version or a checkpoint of another model kind is rejected with an
// error naming the file and the problem.
//
// # Threads
//
// libtorch's grad mode is per OS thread. Trainer.Run and Trainer.Resume run
// inside nets/backend.Run (goroutine locked to its OS thread, libtorch
// panics returned as errors); callers that use the optimizers, EMA or
// ClipGradNorm directly should do the same.
package train
