package prior

import (
	"context"
	"errors"
	"fmt"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/train"
)

// Run loads the config (an embedded name such as "ddfm-prior-cpu" or a
// YAML path, with dotted overrides), reads the images and trains with
// train.Fit into req.Dir.
func Run(ctx context.Context, cfgPath string, overrides map[string]any, req train.Request) (*train.Result, error) {
	cfg, err := LoadConfig(cfgPath, overrides)
	if err != nil {
		return nil, err
	}
	ex, err := LoadImages(cfg.Data.Dir, cfg.Data.Limit, cfg.Data.Size, cfg.Data.Resize)
	if err != nil {
		return nil, err
	}
	return Train(ctx, cfg, ex, req)
}

// Train trains on in-memory examples.
func Train(ctx context.Context, cfg *Config, ex []Example, req train.Request) (*train.Result, error) {
	task, err := NewTask(cfg, ex)
	if err != nil {
		return nil, err
	}
	defer task.Close()
	doc, err := cfg.YAML()
	if err != nil {
		return nil, err
	}
	return req.Fit(ctx, task, cfg.Train, doc)
}

// Task is the prior as a train.Task: random flipped crops of the images,
// the simple eps loss.
type Task struct {
	cfg *Config
	ex  []Example
	p   *adm.Model
}

// NewTask builds the network (weights seeded from train.seed).
func NewTask(cfg *Config, ex []Example) (*Task, error) {
	if len(ex) == 0 {
		return nil, errors.New("prior train: no training images")
	}
	for _, e := range ex {
		if e.W < cfg.Data.Size || e.H < cfg.Data.Size || len(e.X) != 3*e.W*e.H {
			return nil, fmt.Errorf("prior train: image %q (%dx%d) is malformed or smaller than data.size %d", e.Name, e.W, e.H, cfg.Data.Size)
		}
	}
	p, err := adm.Random(cfg.Model.Config, cfg.Diffusion.Timesteps, train.TorchSeed(train.DeriveSeed(cfg.Train.Seed, 3)))
	if err != nil {
		return nil, err
	}
	return &Task{cfg: cfg, ex: ex, p: p}, nil
}

// Close frees the network.
func (k *Task) Close() { k.p.Close() }

// Kind implements train.Task.
func (k *Task) Kind() string { return Kind }

// VarStore implements train.Task.
func (k *Task) VarStore() *nn.VarStore { return k.p.VS }

// NumSamples implements train.Task.
func (k *Task) NumSamples() int { return len(k.ex) }

// PutModel implements train.Task: the network and schedule length, for
// adm.Load.
func (k *Task) PutModel(c *checkpoint.Checkpoint) error {
	return adm.Spec{Net: k.cfg.Model.Config, Timesteps: k.cfg.Diffusion.Timesteps}.Put(c)
}

// Loss implements train.Task: the simple DDPM objective on one batch, t
// uniform from the batch's Go stream, eps from libtorch's (re-seeded per
// batch) generator.
func (k *Task) Loss(s *backend.Scope, b train.Batch) (*ts.Tensor, map[string]float64, error) {
	size := k.cfg.Data.Size
	bs, sz := int64(len(b.Samples)), int64(size)
	x0 := s.Add(backend.MustFromFloat32(batch(k.ex, b.Samples, size, b.Rand), bs, 3, sz, sz))
	xt, eps, steps, err := train.NoisedBatch(s, x0, k.p.Schedule, b.Rand)
	if err != nil {
		return nil, nil, err
	}
	out := s.Add(k.p.Net.Forward(xt, steps, true))
	s.Release(xt, x0)
	if k.p.Config.LearnSigma {
		out = s.Add(out.MustNarrow(1, 0, 3, false))
	}
	return s.Add(out.MustMseLoss(eps, 1, false)), nil, nil
}
