package siamese

import (
	"context"
	"fmt"
	"sync"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/train"

	net "github.com/mfif/mfif/nets/siamese"
)

// Random stream identifiers under train.seed.
const (
	streamModel = 0x77         // initial weights
	streamData  = 0x64617461   // "data": synthetic scenes and VOC subset
	streamSplit = 0x73706c6974 // "split"
	streamBatch = 0x62617463   // "batc": augmentation and noise per batch
	streamVal   = 0x76616c     // "val": validation noise
)

// Run loads the config (an embedded name or a YAML path, with dotted
// overrides) and trains it with train.Fit into req.Dir.
func Run(ctx context.Context, cfg string, overrides map[string]any, req train.Request) (*train.Result, error) {
	fc, err := LoadConfig(cfg, overrides)
	if err != nil {
		return nil, err
	}
	return Train(ctx, fc, req)
}

// Train trains the model fc describes with the one training loop.
func Train(ctx context.Context, fc FileConfig, req train.Request) (*train.Result, error) {
	if err := fc.Validate(); err != nil {
		return nil, err
	}
	task, err := NewTask(fc)
	if err != nil {
		return nil, err
	}
	defer task.Close()
	y, err := yaml.Marshal(fc)
	if err != nil {
		return nil, err
	}
	return req.Fit(ctx, task, fc.Train, string(y))
}

// Task is the Siamese network as a train.Task: synthesized pairs from the
// configured set, validated on pairs made from other photos, batches
// assembled in Go ahead of the steps (train.Preparer), the BCE + Dice +
// GCB loss, and validation loss and decision accuracy.
type Task struct {
	fc         FileConfig
	model      *net.Model
	train, val *cache
}

// NewTask builds the model (weights from train.seed) and indexes the data.
func NewTask(fc FileConfig) (*Task, error) {
	tr, val, err := newProviders(fc)
	if err != nil {
		return nil, err
	}
	if tr.Len() == 0 || val.Len() == 0 {
		return nil, fmt.Errorf("train siamese: %d training and %d validation samples: need both", tr.Len(), val.Len())
	}
	k := &Task{fc: fc, train: newCache(tr, fc.Data.Size), val: newCache(val, fc.Data.Size)}
	k.model, err = net.NewModel(fc.Model, train.TorchSeed(train.DeriveSeed(fc.Train.Seed, streamModel)))
	if err != nil {
		return nil, err
	}
	return k, nil
}

// Close frees the model.
func (k *Task) Close() { k.model.Close() }

// Model returns the network being trained.
func (k *Task) Model() *net.Model { return k.model }

// Kind implements train.Task.
func (k *Task) Kind() string { return net.Kind }

// VarStore implements train.Task.
func (k *Task) VarStore() *nn.VarStore { return k.model.VS }

// NumSamples implements train.Task: the training split.
func (k *Task) NumSamples() int { return k.train.prov.Len() }

// PutModel implements train.Task: the architecture, for net.Load.
func (k *Task) PutModel(c *checkpoint.Checkpoint) error {
	return c.PutState(net.ConfigState, k.model.Net.Config())
}

// Prepare implements train.Preparer: batch b of epoch e uses the random
// stream (seed, e, b), whatever came before.
func (k *Task) Prepare(b train.Batch) (any, error) {
	rng := train.NewRand(k.fc.Train.Seed, streamBatch, uint64(b.Epoch), uint64(b.Index))
	return k.assemble(k.train, b.Samples, rng, k.fc.Data.Augment)
}

// Loss implements train.Task.
func (k *Task) Loss(s *backend.Scope, b train.Batch) (*ts.Tensor, map[string]float64, error) {
	hb, ok := b.Data.(hostBatch)
	if !ok {
		return nil, nil, fmt.Errorf("siamese: batch not prepared")
	}
	bt := hb.tensors(s)
	out := k.model.Net.Forward(bt.a, bt.b, true)
	out.AddTo(s)
	lp, err := computeLoss(s, out, bt, k.fc.Loss, k.fc.Model.Has(net.ModGCB))
	if err != nil {
		return nil, nil, err
	}
	return lp.total, map[string]float64{"bce": lp.bce, "dice": lp.dice, "gcb": lp.gcb}, nil
}

// Validate implements train.Validator: the mean validation loss and the
// decision accuracy, BatchNorm in inference mode, fixed per-batch noise.
func (k *Task) Validate(int) (train.Validation, error) {
	bs := k.fc.Train.BatchSize
	var sum, n, correct, count float64
	nv := k.val.prov.Len()
	for lo := 0; lo < nv; lo += bs {
		idx := make([]int, 0, bs)
		for i := lo; i < min(lo+bs, nv); i++ {
			idx = append(idx, i)
		}
		hb, err := k.assemble(k.val, idx, train.NewRand(k.fc.Train.Seed, streamVal, uint64(lo)), false)
		if err != nil {
			return train.Validation{}, err
		}
		err = func() error {
			s := backend.NewScope()
			defer s.Close()
			bt := hb.tensors(s)
			out := k.model.Net.Forward(bt.a, bt.b, false)
			out.AddTo(s)
			lp, err := computeLoss(s, out, bt, k.fc.Loss, k.fc.Model.Has(net.ModGCB))
			if err != nil {
				return err
			}
			v, err := backend.Value(lp.total)
			if err != nil {
				return err
			}
			sum += float64(float32(v)) * float64(len(idx))
			n += float64(len(idx))
			correct += lp.correct
			count += lp.count
			return nil
		}()
		if err != nil {
			return train.Validation{}, err
		}
	}
	return train.Validation{Loss: sum / n, Metrics: map[string]float64{"accuracy": correct / max(count, 1)}}, nil
}

// cache keeps decoded samples in memory when they fit in a budget.
type cache struct {
	mu    sync.Mutex
	prov  provider
	keep  bool
	items map[int]*sample
}

func newCache(p provider, size int) *cache {
	const budget = 2 << 30
	per := 5 * 4 * size * size
	return &cache{prov: p, keep: p.Len()*per <= budget, items: map[int]*sample{}}
}

func (c *cache) get(i int) (*sample, error) {
	c.mu.Lock()
	s, ok := c.items[i]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := c.prov.Get(i)
	if err != nil {
		return nil, err
	}
	if c.keep {
		c.mu.Lock()
		c.items[i] = s
		c.mu.Unlock()
	}
	return s, nil
}
