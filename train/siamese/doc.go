// Package siamese trains the decision-map network of nets/siamese (Zhai et
// al., "Multi-focus image fusion via multi-scale attention and Siamese
// networks", DSP 168, 2025).
//
// Data come from package data: procedural synthetic scenes (train.data:
// synth, no download), VOC2012 images with segmentation masks blurred at
// three levels (voc, the paper's §4.1.1) or prepared triplets (triplet).
// Each sample is reduced to one luminance plane per source on [0,1].
// Augmentation draws one of the 8 dihedral transforms and swaps A/B (the
// target flips to 1−target), and Gaussian noise with a per-sample std in
// [0, noise_sigma] is added to both sources so the GCB has something to
// remove.
//
// Loss = bce·BCE + dice·Dice + gcb·MSE: BCE-with-logits and soft Dice on the
// decision map count only pixels outside the ignore mask (VOC's void
// boundary; a 2-px band at synthetic focus boundaries, where the label is
// ambiguous); the GCB term is the MSE between each GCB output and its
// noise-free source, the ground truth that is always available. Dice is the
// region term: it rewards whole correct regions and balances small
// foregrounds that BCE under-weights.
//
// Optimisation follows the paper's §4.1.3 (Adam, step decay 0.88 every 2
// epochs, batch 8, early stopping with patience 6 on the validation loss),
// using the schedule, early stopping, history and progress helpers of
// package train. Checkpoints are train.Checkpoint files (kind "siamese",
// the model config in them, see nets/siamese.Load): every epoch writes
// last.ckpt (with the Adam state, train.SaveOptimizer), improvements write
// best.ckpt (no optimizer state), plus history.csv and loss.png. The
// optimizer is train's Adam. The epoch log line reports the resident
// memory.
//
// Exact resume: weights, BatchNorm statistics, Adam moments and step,
// epoch counter, early-stopping state and history are in last.ckpt; data
// order, augmentation and noise derive from (seed, epoch, batch), and no
// libtorch random numbers are used (weights are drawn from a Go RNG). On
// the same thread count a resumed run equals an uninterrupted one bit for
// bit (tested). Runs cut by max_minutes end mid-epoch and are the exception.
package siamese
