package experiment

import (
	"context"
	"fmt"
	"io"

	"github.com/mfif/mfif/internal/registry"
)

// TrainRequest is one training run: the model a config describes (an
// embedded config name or a YAML path, with dotted-key overrides), trained
// into Dir.
type TrainRequest struct {
	Config    string
	Overrides map[string]any
	Dir       string
	// Resume continues from Dir/last.ckpt; Force deletes a run already in
	// Dir and starts over.
	Resume, Force bool
	// Progress and Log receive the progress display and log lines (nil:
	// none).
	Progress, Log io.Writer
}

// TrainFunc trains as r asks and returns the checkpoint to fuse with
// (best.ckpt). Every trainer writes the same folder layout (last.ckpt,
// best.ckpt, history.csv, scalars.csv, config.yaml, train.log, loss
// curves). When ctx is cancelled it stops after the current step, keeps a
// checkpoint to resume from and returns an error.
type TrainFunc func(ctx context.Context, r TrainRequest) (ckpt string, err error)

var trainers registry.Registry[TrainFunc]

// RegisterTrainer makes a trainer available to experiments as train.kind.
// Like eval.Register it panics on an empty kind, a nil function or a
// duplicate, which are programming errors made at start-up.
func RegisterTrainer(kind string, f TrainFunc) {
	if kind == "" || f == nil {
		panic("experiment: RegisterTrainer with empty kind or nil function")
	}
	if err := trainers.Add(kind, f); err != nil {
		panic("experiment: trainer " + err.Error())
	}
}

// Trainers lists the registered trainer kinds, sorted.
func Trainers() []string { return trainers.Names() }

// LookupTrainer returns the trainer registered as kind, or an error that
// lists the registered kinds.
func LookupTrainer(kind string) (TrainFunc, error) {
	f, ok := trainers.Get(kind)
	if !ok {
		return nil, fmt.Errorf("train.kind %q: no such trainer (registered: %s)", kind, trainers.Known())
	}
	return f, nil
}
