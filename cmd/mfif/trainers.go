package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/mfif/mfif/eval/experiment"
	"github.com/mfif/mfif/internal/tfevents"
	"github.com/mfif/mfif/train"
	fdtrain "github.com/mfif/mfif/train/fusiondiff"
	"github.com/mfif/mfif/train/prior"
	siamtrain "github.com/mfif/mfif/train/siamese"

	// The trained methods fuse through the eval registry (option model=CKPT).
	_ "github.com/mfif/mfif/eval/ddfm"
	_ "github.com/mfif/mfif/eval/fusiondiff"
	_ "github.com/mfif/mfif/eval/siamese"
)

// Trainers live in one registry, used by `mfif train`, the demo and the
// experiment runner; that package stays free of libtorch, so the CLI links
// them here. Every trainer runs train.Trainer; each also writes a
// TensorBoard event file beside scalars.csv.
func init() {
	register("siamese", siamtrain.Run)
	register("fusiondiff", fdtrain.Run)
	register(prior.Kind, prior.Run)
	train.ScalarSinks = append(train.ScalarSinks, func(dir string) (train.ScalarSink, error) {
		return tfevents.Create(dir)
	})
}

// runFunc is the entry point of a train/<model> package.
type runFunc func(ctx context.Context, cfg string, overrides map[string]any, req train.Request) (*train.Result, error)

// register adapts a trainer to the experiment registry: it returns
// best.ckpt, the checkpoint to fuse with.
func register(kind string, run runFunc) {
	experiment.RegisterTrainer(kind, func(ctx context.Context, r experiment.TrainRequest) (string, error) {
		res, err := run(ctx, r.Config, r.Overrides, train.Request{Dir: r.Dir, Resume: r.Resume, Force: r.Force,
			Progress: r.Progress, Log: r.Log})
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(res.Best); errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("train %s: stopped (%s) before an epoch ended, so there is no %s yet: raise train.max_minutes and resume", r.Config, res.Stop, res.Best)
		}
		return res.Best, nil
	})
}
