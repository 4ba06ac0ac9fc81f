package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mfif/mfif/internal/memstat"
	"github.com/mfif/mfif/internal/progress"
	"github.com/mfif/mfif/nets/backend"
)

// Random stream identifiers under the run seed (DeriveSeed parts).
const (
	streamTorch = 1            // libtorch re-seed before every batch
	streamBatch = 2            // Batch.Rand
	streamOrder = 0x6f72646572 // "order": the epoch's sample order
)

// Trainer runs the one training loop of mfif. Fill in the fields and call
// Run (or use Fit, which also applies the output-folder rules).
type Trainer struct {
	// Task is the model being trained. Required.
	Task Task
	// Loop is the train section of the config. Required.
	Loop LoopConfig
	// Config is the resolved YAML configuration, stored in checkpoints
	// and written to config.yaml.
	Config string
	// Dir receives the run's files (see Fit); empty writes nothing.
	Dir string
	// Progress receives the per-epoch progress display (nil: none).
	Progress io.Writer
	// Log receives the run's log lines (nil: none); with Dir set they also
	// go to Dir/train.log.
	Log io.Writer

	opt     Optimizer
	params  []backend.Param
	sched   Schedule
	ema     *EMA
	st      runState
	started time.Time
	logFile *os.File
	scalars *scalarLog
}

func (t *Trainer) check() error {
	switch {
	case t.Task == nil:
		return errors.New("trainer: no task")
	case t.Task.Kind() == "":
		return errors.New("trainer: the task has no kind")
	case t.Task.VarStore() == nil:
		return errors.New("trainer: the task has no variables")
	case t.Task.NumSamples() <= 0:
		return fmt.Errorf("trainer: %d training samples", t.Task.NumSamples())
	}
	return t.Loop.Validate()
}

// setup builds the optimizer, schedule and EMA for a fresh run.
func (t *Trainer) setup() error {
	if err := t.check(); err != nil {
		return err
	}
	if t.Loop.Threads > 0 {
		if err := backend.SetThreads(t.Loop.Threads); err != nil {
			return err
		}
	}
	t.params = backend.Trainable(t.Task.VarStore())
	var err error
	if t.opt, err = NewOptimizer(t.Loop.Optimizer, t.params); err != nil {
		return err
	}
	if t.sched, err = NewSchedule(t.Loop.Schedule); err != nil {
		return err
	}
	if t.Loop.EMA > 0 {
		if t.ema, err = NewEMA(t.Task.VarStore(), t.Loop.EMA); err != nil {
			return err
		}
	}
	t.st = runState{BaseLR: t.Loop.Optimizer.LR, Seed: t.Loop.Seed, NumSamples: t.Task.NumSamples(),
		BatchSize: t.Loop.BatchSize, Schedule: t.Sched(), Early: EarlyStopping{Patience: t.Loop.Patience}}
	return nil
}

// Sched returns the schedule configuration in use.
func (t *Trainer) Sched() ScheduleConfig {
	if t.sched == nil {
		return t.Loop.Schedule
	}
	return t.sched.Config()
}

// close frees the optimizer state, the EMA copies and open files.
func (t *Trainer) close() {
	if t.ema != nil {
		t.ema.Close()
		t.ema = nil
	}
	if c, ok := t.opt.(interface{ close() }); ok {
		c.close()
	}
	if t.scalars != nil {
		t.scalars.Close()
		t.scalars = nil
	}
	if t.logFile != nil {
		t.logFile.Close()
		t.logFile = nil
	}
}

// batches returns the number of batches per epoch and the batch size used.
func (t *Trainer) batches() (nb, bs int) {
	n := t.Task.NumSamples()
	bs = t.Loop.BatchSize
	if n < bs {
		return 1, n
	}
	return n / bs, bs
}

// order returns the sample order of epoch e: a permutation of 0..n-1
// derived from (seed, e) alone, so a resumed run sees the same order.
func (t *Trainer) order(e int) []int {
	n := t.Task.NumSamples()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	r := NewRand(t.Loop.Seed, streamOrder, uint64(e))
	r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	return idx
}

// batch describes batch bi of epoch e (at iteration it).
func (t *Trainer) batch(e, bi int, order []int, it int64) Batch {
	nb, bs := t.batches()
	return Batch{Epoch: e, Index: bi, Batches: nb, Iteration: it,
		Samples: order[bi*bs : (bi+1)*bs], Rand: NewRand(t.Loop.Seed, streamBatch, uint64(it))}
}

// elapsed is the training time so far, over all sessions.
func (t *Trainer) elapsed() float64 { return t.st.Elapsed + time.Since(t.started).Seconds() }

// logf writes one log line to Log and train.log.
func (t *Trainer) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	if t.Log != nil {
		fmt.Fprintln(t.Log, line)
	}
	if t.logFile != nil {
		fmt.Fprintf(t.logFile, "%s %s\n", time.Now().UTC().Format("2006-01-02T15:04:05Z"), line)
	}
}

// Run trains until all epochs are done, early stopping triggers, the time
// limit is reached or ctx is cancelled (then it returns *Interrupted after
// writing last.ckpt). After Resume it continues exactly where the
// checkpoint left off. It runs on a locked OS thread (backend.Run).
func (t *Trainer) Run(ctx context.Context) (*Result, error) {
	var res *Result
	err := backend.Run(func() error {
		var err error
		res, err = t.run(ctx)
		return err
	})
	return res, err
}

func (t *Trainer) run(ctx context.Context) (*Result, error) {
	if t.opt == nil {
		if err := t.setup(); err != nil {
			return nil, err
		}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	t.started = time.Now()
	if err := t.openFiles(); err != nil {
		return nil, err
	}
	t.logf("%s %s: %d samples, %d batches of %d per epoch, epochs %d/%d done, device %s, %d threads, %d parameters",
		map[bool]string{true: "resume", false: "start"}[t.st.Iter > 0], t.Task.Kind(), t.Task.NumSamples(),
		first(t.batches()), second(t.batches()), t.st.Epoch, t.Loop.Epochs, backend.DeviceName(backend.Device()),
		backend.Threads(), backend.NumParams(t.Task.VarStore()))
	for !t.st.Done && t.st.Epoch < t.Loop.Epochs {
		if t.Loop.MaxMinutes > 0 && t.st.Iter > 0 && t.elapsed() >= t.Loop.MaxMinutes*60 {
			nb, _ := t.batches()
			if err := t.timeLimit(nb); err != nil {
				return nil, err
			}
			return t.result(), nil
		}
		stop, err := t.runEpoch(ctx)
		if err != nil {
			return nil, err
		}
		if stop != "" {
			if stop == "time" {
				return t.result(), nil
			}
			t.st.Done, t.st.Stop = true, stop
		}
	}
	if !t.st.Done {
		t.st.Done, t.st.Stop = true, "epochs"
	}
	if err := t.finish(); err != nil {
		return nil, err
	}
	return t.result(), nil
}

func first(a, _ int) int  { return a }
func second(_, b int) int { return b }

// runEpoch runs (the rest of) epoch t.st.Epoch. It returns "early-stopping"
// or "time" when training must stop.
func (t *Trainer) runEpoch(ctx context.Context) (string, error) {
	e := t.st.Epoch
	start := time.Now()
	lr := t.sched.LR(t.st.BaseLR, e)
	t.opt.SetLR(lr)
	nb, _ := t.batches()
	order := t.order(e)
	// On a terminal a bar; otherwise a line every 30 s (long epochs only:
	// the epoch's summary line follows anyway, so no final line).
	bar := progress.New(t.Progress, nb-t.st.Batch, fmt.Sprintf("epoch %d/%d", e+1, t.Loop.Epochs),
		progress.Unit("batch"), progress.Every(0, 30*time.Second))
	if progress.IsTerminal(t.Progress) {
		defer bar.Finish()
	}
	batches, stopPrefetch := t.prefetch(e, t.st.Batch, nb, order)
	defer stopPrefetch()
	lastSave := time.Now()
	for t.st.Batch < nb {
		b := <-batches
		if b.err != nil {
			return "", fmt.Errorf("epoch %d batch %d: %w", e+1, t.st.Batch+1, b.err)
		}
		loss, err := t.step(b.Batch)
		if err != nil {
			return "", fmt.Errorf("epoch %d batch %d: %w", e+1, t.st.Batch+1, err)
		}
		bar.Observe("loss", loss)
		bar.Add(1)
		if t.checkpointDue(&lastSave) {
			if err := t.saveLast(); err != nil {
				return "", err
			}
		}
		if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
			return "", t.interrupted(err)
		}
		if t.Loop.MaxMinutes > 0 && t.elapsed() >= t.Loop.MaxMinutes*60 && t.st.Batch < nb {
			return "time", t.timeLimit(nb)
		}
	}
	return t.endEpoch(lr, time.Since(start).Seconds())
}

// checkpointDue reports whether the step or time cadence asks for a
// mid-epoch last.ckpt now.
func (t *Trainer) checkpointDue(last *time.Time) bool {
	due := t.Loop.CheckpointSteps > 0 && t.st.Iter%int64(t.Loop.CheckpointSteps) == 0
	if m := t.Loop.CheckpointMinutes; m > 0 && time.Since(*last) >= time.Duration(m*float64(time.Minute)) {
		due = true
	}
	if due {
		*last = time.Now()
	}
	return due && t.Dir != ""
}

// step runs one optimizer step on b and returns its loss.
func (t *Trainer) step(b Batch) (float64, error) {
	s := backend.NewScope()
	defer s.Close()
	backend.ManualSeed(TorchSeed(DeriveSeed(t.Loop.Seed, streamTorch, uint64(b.Iteration))))
	if err := t.opt.ZeroGrad(); err != nil {
		return 0, err
	}
	loss, terms, err := t.Task.Loss(s, b)
	if err != nil {
		return 0, err
	}
	s.Add(loss)
	v, err := backend.Value(loss)
	if err != nil {
		return 0, fmt.Errorf("loss: %w", err)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("training loss is %v (diverged: lower train.optimizer.lr or set train.clip_grad_norm)", v)
	}
	if err := loss.Backward(); err != nil {
		return 0, fmt.Errorf("backward: %w", err)
	}
	s.Release(loss)
	gn := math.NaN()
	logRow := t.scalars != nil && (t.st.Iter+1)%int64(t.logEvery()) == 0
	switch {
	case t.Loop.ClipGradNorm > 0:
		if gn, err = ClipGradNorm(t.params, t.Loop.ClipGradNorm); err != nil {
			return 0, err
		}
	case logRow:
		if gn, err = GradNorm(t.params); err != nil {
			return 0, err
		}
	}
	if err := t.opt.Step(); err != nil {
		return 0, err
	}
	if t.ema != nil {
		if err := t.ema.Update(); err != nil {
			return 0, err
		}
	}
	t.st.Iter++
	t.st.Batch++
	t.st.LossSum += v
	t.st.LossN++
	if t.scalars != nil {
		t.scalars.Add(v, terms, len(b.Samples))
		if logRow {
			ep := float64(t.st.Epoch) + float64(t.st.Batch)/float64(b.Batches)
			if err := t.scalars.Flush(t.st.Iter, ep, t.opt.LR(), gn); err != nil {
				return 0, err
			}
		}
	}
	return v, nil
}

func (t *Trainer) logEvery() int {
	if t.Loop.LogEvery > 0 {
		return t.Loop.LogEvery
	}
	return 10
}

// prepared is a batch with its host data or the error preparing it.
type prepared struct {
	Batch
	err error
}

// prefetch delivers batches from..nb-1 of epoch e, prepared ahead on
// another goroutine when the task implements Preparer.
func (t *Trainer) prefetch(e, from, nb int, order []int) (<-chan prepared, func()) {
	ch := make(chan prepared, 2)
	done := make(chan struct{})
	p, ok := t.Task.(Preparer)
	it0 := t.st.Iter
	go func() {
		defer close(ch)
		it := it0
		for bi := from; bi < nb; bi, it = bi+1, it+1 {
			b := prepared{Batch: t.batch(e, bi, order, it)}
			if ok {
				b.Data, b.err = p.Prepare(b.Batch)
			}
			select {
			case ch <- b:
			case <-done:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return ch, func() { close(done) }
}

// endEpoch validates, records the epoch, writes the files and applies
// early stopping.
func (t *Trainer) endEpoch(lr, seconds float64) (string, error) {
	e := t.st.Epoch + 1
	rec := EpochRecord{Epoch: e, Iteration: t.st.Iter, LR: lr, TrainLoss: t.st.LossSum / float64(max(t.st.LossN, 1)), Seconds: seconds}
	improved, stop := false, ""
	if v, ok := t.Task.(Validator); ok {
		val, err := t.validate(v, e)
		if err != nil {
			return "", err
		}
		rec.HasVal, rec.ValLoss, rec.Metrics = true, val.Loss, val.Metrics
		var early bool
		if improved, early, err = t.st.Early.Observe(e, val.Loss); err != nil {
			return "", err
		}
		if early {
			stop = "early-stopping"
		}
	}
	t.st.History.Add(rec)
	if t.scalars != nil { // the epoch's last steps, when log_every did not end on it
		if err := t.scalars.Flush(t.st.Iter, float64(e), lr, math.NaN()); err != nil {
			return "", err
		}
	}
	t.st.Epoch, t.st.Batch, t.st.LossSum, t.st.LossN = e, 0, 0, 0
	every := max(t.Loop.CheckpointEvery, 1)
	if e%every == 0 || e == t.Loop.Epochs || stop != "" {
		if err := t.saveLast(); err != nil {
			return "", err
		}
	}
	if improved {
		if err := t.saveBest(); err != nil {
			return "", err
		}
	}
	if err := t.writeHistory(); err != nil {
		return "", err
	}
	line := fmt.Sprintf("epoch %d/%d step %d lr %.4g train %.6g", e, t.Loop.Epochs, t.st.Iter, lr, rec.TrainLoss)
	if rec.HasVal {
		line += fmt.Sprintf(" val %.6g", rec.ValLoss)
		for _, k := range slices.Sorted(maps.Keys(rec.Metrics)) {
			line += fmt.Sprintf(" val_%s %.6g", k, rec.Metrics[k])
		}
	}
	line += fmt.Sprintf(" (%.1fs, %.1f min so far, rss %d MB)", seconds, t.elapsed()/60, memstat.Resident()>>20)
	if improved {
		line += " *best"
	}
	t.logf("%s", line)
	if stop != "" {
		t.logf("early stopping: no lower validation loss for %d epochs (best %.6g at epoch %d)",
			t.st.Early.Bad, t.st.Early.Best, t.st.Early.BestEpoch)
	}
	return stop, nil
}

// timeLimit records a stop by train.max_minutes in the middle of an epoch.
func (t *Trainer) timeLimit(nb int) error {
	if err := t.saveLast(); err != nil {
		return err
	}
	t.st.Stop = "time"
	var msg string
	if t.st.Batch == 0 {
		msg = fmt.Sprintf("time limit: train.max_minutes=%g reached after %.1f min at the end of epoch %d of %d (step %d)",
			t.Loop.MaxMinutes, t.elapsed()/60, t.st.Epoch, t.Loop.Epochs, t.st.Iter)
	} else {
		msg = fmt.Sprintf("time limit: train.max_minutes=%g reached after %.1f min in epoch %d of %d at batch %d of %d (step %d); that epoch is incomplete and not in history.csv",
			t.Loop.MaxMinutes, t.elapsed()/60, t.st.Epoch+1, t.Loop.Epochs, t.st.Batch, nb, t.st.Iter)
	}
	if t.Dir != "" {
		msg += fmt.Sprintf("; %s holds this point (raise train.max_minutes and --resume to continue)", filepath.Join(t.Dir, LastName))
		if t.st.Early.HasBest {
			msg += fmt.Sprintf("; %s is epoch %d", filepath.Join(t.Dir, BestName), t.st.Early.BestEpoch)
		} else if _, ok := t.Task.(Validator); ok || t.st.Epoch == 0 {
			msg += "; no epoch completed, so there is no best.ckpt"
		}
	}
	t.logf("%s", msg)
	if _, ok := t.Task.(Validator); !ok && t.Dir != "" {
		return t.saveBest()
	}
	return nil
}
