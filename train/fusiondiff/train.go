package fusiondiff

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/schollz/progressbar/v3"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
)

// CheckpointName is the file TrainFromConfig writes in its output folder.
const CheckpointName = "last.ckpt"

// TrainFromConfig trains FusionDiff as configured by cfgPath (an embedded
// config name such as "fusiondiff-cpu" or a YAML path) with dotted-key
// overrides, writing last.ckpt, loss.csv, loss.png and loss.svg to outDir.
// With resume, an existing outDir/last.ckpt is continued exactly. It returns
// the checkpoint path.
func TrainFromConfig(cfgPath string, overrides map[string]any, outDir string, resume bool) (string, error) {
	cfg, err := LoadConfig(cfgPath, overrides)
	if err != nil {
		return "", err
	}
	trips, err := LoadTriplets(cfg.Data.Dir, cfg.Data.Pairs, cfg.Data.Size, cfg.Data.Mode)
	if err != nil {
		return "", err
	}
	return Train(cfg, trips, outDir, resume, train.Stderr)
}

// Train runs the configured training on in-memory triplets. progress
// receives the progress bar (nil: silent).
func Train(cfg *Config, trips []Triplet, outDir string, resume bool, progress io.Writer) (string, error) {
	if len(trips) == 0 {
		return "", errors.New("fusiondiff train: no training triplets")
	}
	if outDir == "" {
		return "", errors.New("fusiondiff train: empty output folder")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("fusiondiff train: %w", err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if cfg.Train.Threads > 0 {
		if err := backend.SetThreads(cfg.Train.Threads); err != nil {
			return "", fmt.Errorf("fusiondiff train: %w", err)
		}
	}

	r, err := newRun(cfg, trips)
	if err != nil {
		return "", err
	}
	defer r.vs.Destroy()
	ckpt := filepath.Join(outDir, CheckpointName)
	if resume {
		if _, err := os.Stat(ckpt); err == nil {
			if err := r.tr.Resume(ckpt); err != nil {
				return "", err
			}
		}
	}
	left := cfg.Train.Epochs - r.tr.Epoch()
	bar := newBar(progress, left)
	every := cfg.Train.CheckpointEvery
	if every <= 0 {
		every = 1
	}
	r.tr.OnEpoch = func(rec train.EpochRecord) error {
		if bar != nil {
			bar.Describe(fmt.Sprintf("fusiondiff lr %.3g loss %.4g", rec.LR, rec.TrainLoss))
			_ = bar.Add(1)
		}
		if rec.Epoch%every == 0 || rec.Epoch == cfg.Train.Epochs {
			return r.save(outDir)
		}
		return nil
	}
	if err := r.tr.Run(); err != nil {
		return "", fmt.Errorf("fusiondiff train: %w", err)
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if left <= 0 {
		if _, err := os.Stat(ckpt); err != nil {
			if err := r.save(outDir); err != nil {
				return "", err
			}
		}
	}
	return ckpt, nil
}

func newBar(w io.Writer, n int) *progressbar.ProgressBar {
	if w == nil || n <= 0 {
		return nil
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(w), progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(), progressbar.OptionSetItsString("epoch"), progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
}

// run holds one training session.
type run struct {
	cfg   *Config
	trips []Triplet
	sched *diffusion.Schedule
	obj   diffusion.Objective
	vs    *nn.VarStore
	model *netfd.Model
	tr    *train.Trainer
}

func newRun(cfg *Config, trips []Triplet) (*run, error) {
	for _, t := range trips {
		if t.W < cfg.Data.Size || t.H < cfg.Data.Size {
			return nil, fmt.Errorf("fusiondiff train: triplet %q is %dx%d, smaller than data.size %d", t.Name, t.W, t.H, cfg.Data.Size)
		}
	}
	sched, err := cfg.Diffusion.Schedule()
	if err != nil {
		return nil, err
	}
	obj, err := cfg.Diffusion.ParsedObjective()
	if err != nil {
		return nil, fmt.Errorf("fusiondiff train: %w", err)
	}
	doc, err := cfg.YAML()
	if err != nil {
		return nil, err
	}
	// Initial weights are drawn from libtorch's generator: seed it so a
	// run is reproducible.
	backend.ManualSeed(train.TorchSeed(train.DeriveSeed(cfg.Train.Seed, 3)))
	vs := nn.NewVarStore(gotch.CPU)
	model, err := netfd.New(vs, cfg.Model)
	if err != nil {
		return nil, err
	}
	opt, err := train.NewOptimizer(cfg.Train.Optimizer, train.Trainable(vs))
	if err != nil {
		vs.Destroy()
		return nil, err
	}
	schedule, err := train.NewSchedule(cfg.Train.Schedule)
	if err != nil {
		vs.Destroy()
		return nil, err
	}
	r := &run{cfg: cfg, trips: trips, sched: sched, obj: obj, vs: vs, model: model}
	// drop_last with a batch larger than the few-shot set would train on
	// nothing; such runs use the whole set as one batch.
	bs := min(cfg.Train.BatchSize, len(trips))
	r.tr = &train.Trainer{
		Kind: Kind, VS: vs, Opt: opt, Schedule: schedule,
		Epochs: cfg.Train.Epochs, NumSamples: len(trips), BatchSize: bs,
		Shuffle: true, DropLast: true, Seed: cfg.Train.Seed,
		Loss: r.loss, SeedTorch: backend.ManualSeed, Config: doc,
	}
	if cfg.Train.EMA > 0 {
		if r.tr.EMA, err = train.NewEMA(vs, cfg.Train.EMA); err != nil {
			vs.Destroy()
			return nil, err
		}
	}
	return r, nil
}

// loss is one FusionDiff training step's loss, LossScale * MSE between the
// network output and the configured objective's target. Timesteps come from
// the batch's Go stream; eps from libtorch's generator, which the trainer
// re-seeds per batch.
func (r *run) loss(b train.Batch) (*ts.Tensor, error) {
	size := r.cfg.Data.Size
	bs := int64(len(b.Samples))
	s := int64(size)
	cond, gt := batch(r.trips, b.Samples, size, b.Rand)
	if r.cfg.Diffusion.Residual > 0 {
		subtractBase(gt, cond, size*size, r.cfg.Diffusion.Residual)
	}
	condT, err := ts.NewTensorFromData(cond, []int64{bs, 6, s, s})
	if err != nil {
		return nil, err
	}
	defer condT.MustDrop()
	x0, err := ts.NewTensorFromData(gt, []int64{bs, 3, s, s})
	if err != nil {
		return nil, err
	}
	defer x0.MustDrop()
	xt, eps, steps, err := train.NoisedBatch(x0, r.sched, b.Rand)
	if err != nil {
		return nil, err
	}
	defer eps.MustDrop()
	in := ts.MustCat([]*ts.Tensor{condT, xt}, 1)
	xt.MustDrop()
	tgt, err := target(r.sched, r.obj, x0, eps, steps)
	if err != nil {
		in.MustDrop()
		return nil, err
	}
	defer tgt.MustDrop()
	pred := r.model.Forward(in, steps, true)
	in.MustDrop()
	mse := pred.MustMseLoss(tgt, 1, true)
	return mse.MustMulScalar(ts.FloatScalar(r.cfg.Diffusion.LossScale), true), nil
}

// save writes the checkpoint, the loss CSV and the curves.
func (r *run) save(dir string) error {
	c, err := r.tr.Checkpoint()
	if err != nil {
		return err
	}
	if err := c.Save(filepath.Join(dir, CheckpointName)); err != nil {
		return err
	}
	if len(r.tr.History.Epochs) == 0 {
		return nil
	}
	if err := r.tr.History.SaveCSV(filepath.Join(dir, "loss.csv")); err != nil {
		return err
	}
	return r.tr.History.SavePlots("fusiondiff loss", filepath.Join(dir, "loss.png"), filepath.Join(dir, "loss.svg"))
}
