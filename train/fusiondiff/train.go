package fusiondiff

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
)

// Run loads the config (an embedded name such as "fusiondiff-cpu" or a YAML
// path, with dotted overrides), reads the triplets and trains with
// train.Fit into req.Dir.
func Run(ctx context.Context, cfgPath string, overrides map[string]any, req train.Request) (*train.Result, error) {
	cfg, err := LoadConfig(cfgPath, overrides)
	if err != nil {
		return nil, err
	}
	n := cfg.Data.Pairs
	if n > 0 {
		n += cfg.Data.Val
	}
	all, err := LoadTriplets(cfg.Data.Dir, n, cfg.Data.Size, cfg.Data.Mode)
	if err != nil {
		return nil, err
	}
	trips, val := all, []Triplet(nil)
	if cfg.Data.Val > 0 {
		trips, val = all[:cfg.Data.Pairs], all[cfg.Data.Pairs:]
	}
	return Train(ctx, cfg, trips, val, req)
}

// Train trains on in-memory triplets (val may be empty).
func Train(ctx context.Context, cfg *Config, trips, val []Triplet, req train.Request) (*train.Result, error) {
	task, err := NewTask(cfg, trips, val)
	if err != nil {
		return nil, err
	}
	defer task.Close()
	doc, err := cfg.YAML()
	if err != nil {
		return nil, err
	}
	var t train.Task = task
	if len(val) == 0 {
		t = noValidation{task}
	}
	return req.Fit(ctx, t, cfg.Train, doc)
}

// noValidation hides Task.Validate when there are no validation triplets.
type noValidation struct{ *Task }

// Validate shadows Task.Validate with a different signature, so the value
// does not implement train.Validator.
func (noValidation) Validate() {}

// Task is FusionDiff as a train.Task: random crops of the triplets, the
// forward process at uniform timesteps and the LossScale·MSE loss on the
// configured objective.
type Task struct {
	cfg        *Config
	trips, val []Triplet
	tr         *netfd.Model
	obj        diffusion.Objective
}

// NewTask builds the network (weights seeded from train.seed through
// libtorch's generator).
func NewTask(cfg *Config, trips, val []Triplet) (*Task, error) {
	if len(trips) == 0 {
		return nil, errors.New("fusiondiff train: no training triplets")
	}
	for _, t := range append(append([]Triplet(nil), trips...), val...) {
		if t.W < cfg.Data.Size || t.H < cfg.Data.Size {
			return nil, fmt.Errorf("fusiondiff train: triplet %q is %dx%d, smaller than data.size %d", t.Name, t.W, t.H, cfg.Data.Size)
		}
	}
	obj, err := cfg.Diffusion.ParsedObjective()
	if err != nil {
		return nil, fmt.Errorf("fusiondiff train: %w", err)
	}
	// Initial weights are drawn from libtorch's generator: seed it so a
	// run is reproducible.
	backend.ManualSeed(train.TorchSeed(train.DeriveSeed(cfg.Train.Seed, 3)))
	tr, err := netfd.Build(cfg.Spec)
	if err != nil {
		return nil, err
	}
	return &Task{cfg: cfg, trips: trips, val: val, tr: tr, obj: obj}, nil
}

// Close frees the network.
func (k *Task) Close() { k.tr.Close() }

// Trained returns the network being trained.
func (k *Task) Trained() *netfd.Model { return k.tr }

// Kind implements train.Task.
func (k *Task) Kind() string { return Kind }

// VarStore implements train.Task.
func (k *Task) VarStore() *nn.VarStore { return k.tr.VS }

// NumSamples implements train.Task.
func (k *Task) NumSamples() int { return len(k.trips) }

// PutModel implements train.Task: the spec, for nets/fusiondiff.Load.
func (k *Task) PutModel(c *checkpoint.Checkpoint) error { return k.cfg.Spec.Put(c) }

// Loss implements train.Task: one FusionDiff training step's loss,
// LossScale·MSE between the network output and the objective's target.
// Crops and timesteps come from the batch's Go stream; eps from libtorch's
// generator, which the Trainer re-seeds per batch.
func (k *Task) Loss(s *backend.Scope, b train.Batch) (*ts.Tensor, map[string]float64, error) {
	l, err := k.loss(s, k.trips, b.Samples, b.Rand)
	return l, nil, err
}

// loss is the training loss of samples idx of set.
func (k *Task) loss(s *backend.Scope, set []Triplet, idx []int, r *rand.Rand) (*ts.Tensor, error) {
	size := k.cfg.Data.Size
	bs, sz := int64(len(idx)), int64(size)
	cond, gt := batch(set, idx, size, r)
	if k.cfg.Diffusion.Residual > 0 {
		subtractBase(gt, cond, size, k.cfg.Diffusion)
	}
	condT := s.Add(backend.MustFromFloat32(cond, bs, 6, sz, sz))
	x0 := s.Add(backend.MustFromFloat32(gt, bs, 3, sz, sz))
	xt, eps, steps, err := train.NoisedBatch(s, x0, k.tr.Schedule, r)
	if err != nil {
		return nil, err
	}
	in := s.Add(ts.MustCat([]*ts.Tensor{condT, xt}, 1))
	s.Release(xt, condT)
	tgt, err := target(s, k.tr.Schedule, k.obj, x0, eps, steps)
	if err != nil {
		return nil, err
	}
	pred := s.Add(k.tr.Net.Forward(in, steps, true))
	s.Release(in)
	mse := s.Add(pred.MustMseLoss(tgt, 1, false))
	return s.Add(mse.MustMulScalar(s.Float(k.cfg.Diffusion.LossScale), false)), nil
}

// Validate implements train.Validator: the loss on the validation
// triplets at fixed crops, timesteps and noise (the same for every epoch).
func (k *Task) Validate(int) (train.Validation, error) {
	bs := max(k.cfg.Train.BatchSize, 1)
	var sum, n float64
	for lo := 0; lo < len(k.val); lo += bs {
		idx := make([]int, 0, bs)
		for i := lo; i < min(lo+bs, len(k.val)); i++ {
			idx = append(idx, i)
		}
		err := func() error {
			s := backend.NewScope()
			defer s.Close()
			backend.ManualSeed(train.TorchSeed(train.DeriveSeed(k.cfg.Train.Seed, 0x76616c, uint64(lo))))
			l, err := k.loss(s, k.val, idx, train.NewRand(k.cfg.Train.Seed, 0x76616c, uint64(lo)))
			if err != nil {
				return err
			}
			v, err := backend.Value(l)
			sum += v * float64(len(idx))
			n += float64(len(idx))
			return err
		}()
		if err != nil {
			return train.Validation{}, err
		}
	}
	return train.Validation{Loss: sum / n}, nil
}
