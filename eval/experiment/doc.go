// Package experiment runs experiments described in YAML: datasets of image
// pairs, fusion methods (classical baselines, models trained from a config,
// checkpoints, folders of published results), metrics and outputs, with an
// optional sweep over configuration keys.
//
// A sweep expands into cells. Grid axes form a Cartesian product; zip axes
// advance together. Each cell has a stable name (a slug of its axis values
// plus a short hash of them) and a content key (a hash of everything it
// resolves to plus the code version, see Version). A cell writes
// runs/<experiment>/<cell>/ with its resolved configs, fused images, the
// per-image metrics of every dataset and a log, and writes DONE (holding the
// key) atomically last. Running again skips cells whose DONE matches the
// key, continues cells that were interrupted (trainers get resume=true,
// fusion skips images already on disk) and sets aside cells whose key
// changed.
//
// Models are trained in runs/<experiment>/models/<method>-<hash>/, keyed by
// the training config alone, so cells that differ only in evaluation
// options (a threshold sweep) share one model. Training runs under a file
// lock, so concurrent array tasks never train the same model twice.
//
// Scale-out: cell i belongs to shard i mod n (0-based), so --shard i/n over
// i = 0..n-1 partitions the cells, and a Slurm array of N tasks whose task k
// runs cell k matches --shard k/N. Report reads only what is on disk, so it
// can be run at any time on a partly finished experiment.
//
// The package is pure Go: trained models enter through RegisterTrainer and
// the eval registry, which the command line fills in.
package experiment
