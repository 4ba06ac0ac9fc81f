package siamese

import (
	"errors"
	"fmt"
	"github.com/mfif/mfif/internal/memstat"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"

	net "github.com/mfif/mfif/nets/siamese"
)

// Checkpoint file names inside the output directory.
const (
	LastName = "last.ckpt" // written after every epoch; --resume reads it
	BestName = "best.ckpt" // the epoch with the lowest validation loss
)

// Options control a training run.
type Options struct {
	// OutDir receives last.ckpt, best.ckpt, history.csv and loss.png.
	OutDir string
	// Resume continues from OutDir/last.ckpt.
	Resume bool
	// Progress receives the per-epoch progress bars (nil = silent).
	Progress io.Writer
	// Log receives one summary line per epoch (nil = silent).
	Log io.Writer
}

// Result summarises a finished run.
type Result struct {
	// Best is the path of the best checkpoint (lowest validation loss).
	Best string
	// Last is the path of the last checkpoint.
	Last string
	// Epochs is the number of completed epochs.
	Epochs int
	// BestVal is the best validation loss and BestEpoch its epoch.
	BestVal   float64
	BestEpoch int
	// Stop says why training ended: "epochs", "early-stopping" or "time".
	Stop string
	// History is the per-epoch record.
	History train.History
}

// stateName names the checkpoint state holding the trainer's state.
const stateName = "siamese_trainer"

// state is the trainer's resumable state, stored in the checkpoint under
// stateName (weights, Adam moments and the architecture are stored by
// train.SaveModel, train.SaveOptimizer and net.Model.Put).
type state struct {
	Config  FileConfig          `json:"config"`
	Epoch   int                 `json:"epoch"` // completed epochs
	Step    int64               `json:"step"`  // optimizer steps
	Early   train.EarlyStopping `json:"early"`
	History train.History       `json:"history"`
	Elapsed float64             `json:"elapsed_seconds"`
	ValAcc  float64             `json:"val_accuracy"`
}

// TrainFromConfig loads a config by embedded name or path with dotted
// overrides, trains into outDir (continuing from outDir/last.ckpt when
// resume is set), and returns the best checkpoint's path. Progress goes to
// stderr. It is the entry point of `mfif train`, the demo and experiments.
func TrainFromConfig(cfgPath string, overrides map[string]any, outDir string, resume bool) (string, error) {
	fc, err := LoadConfig(cfgPath, overrides)
	if err != nil {
		return "", err
	}
	res, err := Train(fc, Options{OutDir: outDir, Resume: resume, Progress: train.Stderr, Log: os.Stderr})
	if err != nil {
		return "", err
	}
	return res.Best, nil
}

// Train runs training as configured. Everything that shapes the next
// epoch (weights, BatchNorm statistics, Adam moments and step, epoch
// counter, early-stopping state) is in last.ckpt, and data order,
// augmentation and noise derive from (seed, epoch, batch), so a resumed
// run reproduces an uninterrupted one on the same thread count.
func Train(fc FileConfig, opt Options) (*Result, error) {
	if err := fc.Validate(); err != nil {
		return nil, err
	}
	if opt.OutDir == "" {
		return nil, errors.New("train siamese: output directory is empty")
	}
	if err := os.MkdirAll(opt.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("train siamese: %w", err)
	}
	if fc.Train.Threads > 0 {
		if err := backend.SetThreads(fc.Train.Threads); err != nil {
			return nil, err
		}
	}
	var res *Result
	// backend.Run locks the OS thread (libtorch grad mode is per thread)
	// and turns binding panics into errors.
	err := backend.Run(func() error {
		r, err := newRun(fc, opt)
		if err != nil {
			return err
		}
		res, err = r.loop()
		return err
	})
	return res, err
}

// run is one training session.
type run struct {
	fc       FileConfig
	opt      Options
	model    *net.Model
	optim    train.Optimizer
	sched    train.Schedule
	st       state
	trainIdx []int
	valIdx   []int
	data     *cache
}

func newRun(fc FileConfig, opt Options) (*run, error) {
	prov, err := newProvider(fc)
	if err != nil {
		return nil, err
	}
	sched, _ := train.NewSchedule(fc.Train.Schedule)
	r := &run{fc: fc, opt: opt, sched: sched, data: newCache(prov, fc.Train.Size)}
	r.trainIdx, r.valIdx = split(prov.Len(), fc.Train.ValFraction, fc.Train.Seed)
	if len(r.trainIdx) == 0 || len(r.valIdx) == 0 {
		return nil, fmt.Errorf("train siamese: %d samples leave no train or validation data", prov.Len())
	}
	r.st = state{Config: fc, Early: train.EarlyStopping{Patience: fc.Train.Patience}}
	last := filepath.Join(opt.OutDir, LastName)
	if opt.Resume {
		if err := r.resume(last); err != nil {
			return nil, err
		}
		return r, nil
	}
	r.model, err = net.NewModel(fc.Model, train.TorchSeed(train.DeriveSeed(fc.Train.Seed, 0x77)))
	if err != nil {
		return nil, err
	}
	r.optim, err = newOptimizer(r.model, fc.Train.LR)
	return r, err
}

// newOptimizer is Adam with PyTorch's defaults over the model's trainable
// variables.
func newOptimizer(m *net.Model, lr float64) (train.Optimizer, error) {
	return train.NewOptimizer(train.OptimConfig{Kind: "adam", LR: lr}, train.Trainable(m.VS))
}

// resume restores the model, optimizer and counters from path. The model
// config must match; the train section may differ only in epochs,
// max_minutes and threads, which do not change the trajectory.
func (r *run) resume(path string) error {
	m, c, err := net.Load(path)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	var st state
	if err := c.State(stateName, &st); err != nil {
		return fmt.Errorf("resume %s: %w", path, err)
	}
	a, b := st.Config, r.fc
	a.Train.Epochs, a.Train.MaxMinutes, a.Train.Threads = 0, 0, 0
	b.Train.Epochs, b.Train.MaxMinutes, b.Train.Threads = 0, 0, 0
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("resume %s: the checkpoint was trained with a different config (only train.epochs, max_minutes and threads may change)", path)
	}
	r.model = m
	if r.optim, err = newOptimizer(m, r.fc.Train.LR); err != nil {
		return err
	}
	if err := train.LoadOptimizer(c, r.optim); err != nil {
		return fmt.Errorf("resume %s: %w", path, err)
	}
	st.Config = r.fc
	st.Early.Patience = r.fc.Train.Patience
	r.st = st
	return nil
}

func (r *run) loop() (*Result, error) {
	t := r.fc.Train
	var deadline time.Time // zero: no limit
	if t.MaxMinutes > 0 {
		deadline = time.Now().Add(time.Duration(t.MaxMinutes * float64(time.Minute)))
	}
	stop := "epochs"
	for r.st.Epoch < t.Epochs {
		e := r.st.Epoch // 0-based epoch being run
		t0 := time.Now()
		lr := r.sched.LR(t.LR, e)
		trainLoss, cut, err := r.trainEpoch(e, lr, deadline)
		if err != nil {
			return nil, err
		}
		val, acc, err := r.validate()
		if err != nil {
			return nil, err
		}
		r.st.Epoch++
		r.st.Elapsed += time.Since(t0).Seconds()
		r.st.ValAcc = acc
		r.st.History.Add(train.EpochRecord{Epoch: r.st.Epoch, Iteration: r.st.Step, LR: lr,
			TrainLoss: trainLoss, HasVal: true, ValLoss: val, Seconds: time.Since(t0).Seconds()})
		improved, early, err := r.st.Early.Observe(r.st.Epoch, val)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", r.st.Epoch, err)
		}
		if err := r.save(improved); err != nil {
			return nil, err
		}
		if r.opt.Log != nil {
			fmt.Fprintf(r.opt.Log, "epoch %d/%d lr %.3g train %.4f val %.4f acc %.4f (%.1fs, rss %d MB)%s\n",
				r.st.Epoch, t.Epochs, lr, trainLoss, val, acc, time.Since(t0).Seconds(), memstat.Resident()>>20,
				map[bool]string{true: " *best"}[improved])
		}
		if early {
			stop = "early-stopping"
			break
		}
		if cut || (!deadline.IsZero() && time.Now().After(deadline) && r.st.Epoch < t.Epochs) {
			stop = "time"
			break
		}
	}
	res := &Result{Best: filepath.Join(r.opt.OutDir, BestName), Last: filepath.Join(r.opt.OutDir, LastName),
		Epochs: r.st.Epoch, BestVal: r.st.Early.Best, BestEpoch: r.st.Early.BestEpoch, Stop: stop, History: r.st.History}
	if _, err := os.Stat(res.Best); err != nil {
		return nil, fmt.Errorf("train siamese: no best checkpoint in %s (no epoch ran?)", r.opt.OutDir)
	}
	return res, nil
}

// save writes last.ckpt (and best.ckpt when improved), history.csv and
// the loss curve. best.ckpt has no optimizer state.
func (r *run) save(improved bool) error {
	last := filepath.Join(r.opt.OutDir, LastName)
	c, err := r.checkpoint(true)
	if err != nil {
		return fmt.Errorf("save %s: %w", last, err)
	}
	if err := c.Save(last); err != nil {
		return err
	}
	if improved {
		best := filepath.Join(r.opt.OutDir, BestName)
		c, err := r.checkpoint(false)
		if err != nil {
			return fmt.Errorf("save %s: %w", best, err)
		}
		if err := c.Save(best); err != nil {
			return err
		}
	}
	if err := r.st.History.SaveCSV(filepath.Join(r.opt.OutDir, "history.csv")); err != nil {
		return err
	}
	if len(r.st.History.Epochs) >= 2 {
		// The curve is a convenience; a plotting failure must not stop training.
		_ = r.st.History.SavePlots("siamese "+r.fc.Model.Summary(), filepath.Join(r.opt.OutDir, "loss.png"))
	}
	return nil
}

// checkpoint captures the model, the resolved config, the trainer state
// and (withOpt) Adam's moments.
func (r *run) checkpoint(withOpt bool) (*train.Checkpoint, error) {
	c := train.NewCheckpoint(net.Kind)
	c.Epoch, c.Iteration = r.st.Epoch, r.st.Step
	y, err := yaml.Marshal(r.fc)
	if err != nil {
		return nil, err
	}
	c.Config = string(y)
	if err := r.model.Put(c); err != nil {
		return nil, err
	}
	if err := c.PutState(stateName, r.st); err != nil {
		return nil, err
	}
	if withOpt {
		if err := train.SaveOptimizer(c, r.optim); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// trainEpoch runs one epoch and returns the mean training loss. When the
// deadline (if set) passes, it ends the epoch early and reports cut.
func (r *run) trainEpoch(e int, lr float64, deadline time.Time) (loss float64, cut bool, err error) {
	t := r.fc.Train
	order := permute(r.trainIdx, train.NewRand(t.Seed, 0x6f72646572, uint64(e)))
	nb := len(order) / t.Batch
	if nb == 0 {
		nb, t.Batch = 1, len(order)
	}
	bar := train.NewProgress(r.opt.Progress, nb, fmt.Sprintf("epoch %d", e+1))
	defer bar.Finish()
	done := make(chan struct{})
	defer close(done)
	batches := r.prefetch(order, nb, t.Batch, e, done)
	for i := 0; i < nb; i++ {
		hb := <-batches
		if hb.err != nil {
			return 0, false, hb.err
		}
		loss, err := r.step(hb, lr)
		if err != nil {
			return 0, false, fmt.Errorf("epoch %d batch %d: %w", e+1, i+1, err)
		}
		bar.Step(loss)
		if !deadline.IsZero() && time.Now().After(deadline) && i+1 < nb {
			return bar.Mean(), true, nil
		}
	}
	return bar.Mean(), false, nil
}

// step does forward, backward and one Adam update.
func (r *run) step(hb hostBatch, lr float64) (float64, error) {
	bt := hb.tensors()
	defer bt.drop()
	out := r.model.Net.Forward(bt.a, bt.b, true)
	defer out.Drop()
	lp := computeLoss(out, bt, r.fc.Train.Loss, r.fc.Model.Has(net.ModGCB))
	defer lp.total.MustDrop()
	v := scalar(lp.total)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("loss is %v (diverged; lower train.lr)", v)
	}
	if err := lp.total.Backward(); err != nil {
		return 0, fmt.Errorf("backward: %w", err)
	}
	r.optim.SetLR(lr)
	if err := r.optim.Step(); err != nil {
		return 0, err
	}
	if err := r.optim.ZeroGrad(); err != nil {
		return 0, err
	}
	r.st.Step++
	return v, nil
}

// validate returns the mean validation loss and decision accuracy, with
// BatchNorm in inference mode and fixed per-sample noise.
func (r *run) validate() (loss, acc float64, err error) {
	t := r.fc.Train
	var sum, n, correct, count float64
	for lo := 0; lo < len(r.valIdx); lo += t.Batch {
		idx := r.valIdx[lo:min(lo+t.Batch, len(r.valIdx))]
		hb, err := r.assemble(idx, train.NewRand(t.Seed, 0x76616c, uint64(lo)), false)
		if err != nil {
			return 0, 0, err
		}
		net.WithNoGrad(func() {
			bt := hb.tensors()
			out := r.model.Net.Forward(bt.a, bt.b, false)
			lp := computeLoss(out, bt, t.Loss, r.fc.Model.Has(net.ModGCB))
			sum += scalar(lp.total) * float64(len(idx))
			n += float64(len(idx))
			correct += lp.correct
			count += lp.count
			lp.total.MustDrop()
			out.Drop()
			bt.drop()
		})
	}
	return sum / n, correct / max(count, 1), nil
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
