package prior

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
)

// CheckpointName is the file Train writes in its output folder.
const CheckpointName = "last.ckpt"

// TrainFromConfig trains a prior as configured by cfgPath (an embedded
// config name such as "ddfm-prior-cpu" or a YAML path) with dotted-key
// overrides, writing last.ckpt, loss.csv, loss.png and loss.svg to outDir
// (an existing last.ckpt is continued exactly when resume is set). It
// returns the checkpoint path.
func TrainFromConfig(cfgPath string, overrides map[string]any, outDir string, resume bool) (string, error) {
	cfg, err := LoadConfig(cfgPath, overrides)
	if err != nil {
		return "", err
	}
	ex, err := LoadImages(cfg.Data.Dir, cfg.Data.Limit, cfg.Data.Size, cfg.Data.Resize)
	if err != nil {
		return "", err
	}
	return Train(cfg, ex, outDir, resume, os.Stderr, os.Stderr)
}

// Train runs the configured training on in-memory examples. progress
// receives the progress bars and log one line per epoch (nil: silent).
func Train(cfg *Config, ex []Example, outDir string, resume bool, progress, log io.Writer) (string, error) {
	if len(ex) == 0 {
		return "", errors.New("prior train: no training images")
	}
	if outDir == "" {
		return "", errors.New("prior train: empty output folder")
	}
	for _, e := range ex {
		if e.W < cfg.Data.Size || e.H < cfg.Data.Size || len(e.X) != 3*e.W*e.H {
			return "", fmt.Errorf("prior train: image %q (%dx%d) is malformed or smaller than data.size %d", e.Name, e.W, e.H, cfg.Data.Size)
		}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("prior train: %w", err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if cfg.Train.Threads > 0 {
		if err := backend.SetThreads(cfg.Train.Threads); err != nil {
			return "", err
		}
	}
	doc, err := cfg.YAML()
	if err != nil {
		return "", err
	}
	p, err := Random(cfg.Model.Config, cfg.Diffusion.Timesteps, train.TorchSeed(train.DeriveSeed(cfg.Train.Seed, 3)))
	if err != nil {
		return "", err
	}
	defer p.Close()
	opt, err := train.NewOptimizer(cfg.Train.Optimizer, train.Trainable(p.VS))
	if err != nil {
		return "", err
	}
	sched, err := train.NewSchedule(cfg.Train.Schedule)
	if err != nil {
		return "", err
	}
	tr := &train.Trainer{
		Kind: Kind, VS: p.VS, Opt: opt, Schedule: sched,
		Epochs: cfg.Train.Epochs, NumSamples: len(ex), BatchSize: min(cfg.Train.BatchSize, len(ex)),
		Shuffle: true, DropLast: true, Seed: cfg.Train.Seed,
		Loss:            func(b train.Batch) (*ts.Tensor, error) { return loss(p, ex, cfg.Data.Size, b) },
		Dir:             outDir,
		Config:          doc,
		CheckpointEvery: cfg.Train.CheckpointEvery,
		Progress:        progress,
		Log:             log,
	}
	if cfg.Train.EMA > 0 {
		if tr.EMA, err = train.NewEMA(p.VS, cfg.Train.EMA); err != nil {
			return "", err
		}
	}
	ckpt := filepath.Join(outDir, CheckpointName)
	if _, err := os.Stat(ckpt); err == nil && resume {
		if err := tr.Resume(ckpt); err != nil {
			return "", err
		}
	}
	if err := tr.Run(); err != nil {
		return "", fmt.Errorf("prior train: %w", err)
	}
	if _, err := os.Stat(ckpt); err != nil {
		c, err := tr.Checkpoint()
		if err != nil {
			return "", err
		}
		if err := c.Save(ckpt); err != nil {
			return "", err
		}
	}
	return ckpt, nil
}

// loss is the simple DDPM objective on one batch: t uniform from the
// batch's Go stream, eps from libtorch's (re-seeded per batch) generator.
func loss(p *Prior, ex []Example, size int, b train.Batch) (*ts.Tensor, error) {
	bs, s := int64(len(b.Samples)), int64(size)
	x := batch(ex, b.Samples, size, b.Rand)
	x0, err := ts.NewTensorFromData(x, []int64{bs, 3, s, s})
	if err != nil {
		return nil, err
	}
	defer x0.MustDrop()
	xt, eps, steps, err := train.NoisedBatch(x0, p.Schedule, b.Rand)
	if err != nil {
		return nil, err
	}
	defer eps.MustDrop()
	out := p.Model.Forward(xt, steps, true)
	xt.MustDrop()
	if p.Config.LearnSigma {
		out = out.MustNarrow(1, 0, 3, true)
	}
	return out.MustMseLoss(eps, 1, true), nil
}
