package main

import (
	"os"
	"path/filepath"

	"github.com/mfif/mfif/eval/experiment"
	fdtrain "github.com/mfif/mfif/train/fusiondiff"
	"github.com/mfif/mfif/train/prior"
	siamtrain "github.com/mfif/mfif/train/siamese"

	// The trained methods fuse through the eval registry (option model=CKPT).
	_ "github.com/mfif/mfif/eval/ddfm"
	_ "github.com/mfif/mfif/eval/fusiondiff"
	_ "github.com/mfif/mfif/eval/siamese"
)

// Trainers live in one registry, used by `mfif train` and by the experiment
// runner; that package stays free of libtorch, so the CLI links them here.
func init() {
	experiment.RegisterTrainer("siamese", resumable(siamtrain.TrainFromConfig, siamtrain.LastName))
	experiment.RegisterTrainer("fusiondiff", resumable(fdtrain.TrainFromConfig, fdtrain.CheckpointName))
	experiment.RegisterTrainer(prior.Kind, resumable(prior.TrainFromConfig, prior.CheckpointName))
}

// resumable asks the trainer to resume only when its checkpoint exists:
// the runner resumes any non-empty model folder, but a run interrupted
// before its first checkpoint has nothing to continue from.
func resumable(f experiment.TrainFunc, last string) experiment.TrainFunc {
	return func(cfg string, overrides map[string]any, outDir string, resume bool) (string, error) {
		if resume {
			if _, err := os.Stat(filepath.Join(outDir, last)); err != nil {
				resume = false
			}
		}
		return f(cfg, overrides, outDir, resume)
	}
}
