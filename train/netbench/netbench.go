// Package netbench times network forward passes and training steps on the
// device chosen by backend.Init: the Go side of mfif's comparisons with
// PyTorch (`mfif bench --nets`, scripts/gpu-check.sh, docs/performance.md).
// docs/pytorch/bench_nets.py times the same cases in PyTorch under the same
// names, with the same shapes, optimizers and losses, and reports the same
// fields, so the two outputs line up row by row.
//
// A case is timed as: build the network and the data, one untimed warm-up
// call, then Reps timed calls; each call ends by reading one scalar back to
// the host (the loss of a step, the sum of a forward pass's output), which
// waits for the device, so the times are whole on CUDA too.
package netbench

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/internal/memstat"
	"github.com/mfif/mfif/nets/backend"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
	"github.com/mfif/mfif/train/fusiondiff"
	"github.com/mfif/mfif/train/prior"
	"github.com/mfif/mfif/train/siamese"
	"github.com/mfif/mfif/train/traintest"
)

// Case is one timed operation.
type Case struct {
	// Name identifies the case, e.g. "fusiondiff/forward/520".
	Name string
	// Config is the embedded training config whose network (and, for a
	// step, optimizer and loss) is used.
	Config string
	// Step is true for a training step (forward, loss, backward, optimizer
	// step), false for an eval-mode forward pass without gradients.
	Step bool
	// Batch and Side give the input: Batch images of Side x Side.
	Batch, Side int
}

// Cases lists the cases in a fixed order. The full set is the one the
// PyTorch comparisons use; quick keeps the names and shrinks the inputs (a
// quarter of the side for forward passes, 64 x 64 and batch at most 2 for
// steps), a smoke test of the whole path that takes seconds on a CPU; the
// results carry the sizes actually used.
func Cases(quick bool) []Case {
	cs := []Case{
		{Name: "fusiondiff/forward/256", Config: "fusiondiff", Batch: 1, Side: 256},
		{Name: "fusiondiff/forward/520", Config: "fusiondiff", Batch: 1, Side: 520},
		{Name: "fusiondiff/step/b4/256", Config: "fusiondiff", Step: true, Batch: 4, Side: 256},
		{Name: "siamese/step/b8/256", Config: "siamese", Step: true, Batch: 8, Side: 256},
		{Name: "siamese-cpu/step/b8/256", Config: "siamese-cpu", Step: true, Batch: 8, Side: 256},
		{Name: "ddfm-prior/step/b4/64", Config: "ddfm-prior-cpu", Step: true, Batch: 4, Side: 64},
	}
	if quick {
		for i := range cs {
			if cs[i].Step {
				cs[i].Batch, cs[i].Side = min(cs[i].Batch, 2), 64
			} else {
				cs[i].Side = cs[i].Side / 8 * 2
			}
		}
	}
	return cs
}

// Select returns the cases of Cases(quick) whose names are in names or
// start with one of them followed by "/" ("fusiondiff" selects its three
// cases); "all" or no names select every case.
func Select(names []string, quick bool) ([]Case, error) {
	all := Cases(quick)
	if len(names) == 0 || (len(names) == 1 && names[0] == "all") {
		return all, nil
	}
	var out []Case
	for _, n := range names {
		found := false
		for _, c := range all {
			if c.Name == n || strings.HasPrefix(c.Name, n+"/") {
				out = append(out, c)
				found = true
			}
		}
		if !found {
			known := make([]string, len(all))
			for i, c := range all {
				known[i] = c.Name
			}
			return nil, fmt.Errorf("unknown network case %q (known: %s, or a prefix such as fusiondiff)", n, strings.Join(known, ", "))
		}
	}
	return out, nil
}

// Result is the timing of one case.
type Result struct {
	Name   string `json:"name"`
	Device string `json:"device"`
	// Batch and Side are the input's size (smaller than the name's with
	// --quick).
	Batch int `json:"batch"`
	Side  int `json:"side"`
	// Seconds holds each timed call; Median is their median.
	Seconds []float64 `json:"seconds"`
	Median  float64   `json:"median_s"`
	// Params is the network's parameter count.
	Params int64 `json:"params"`
	// DeviceMiB is the CUDA device memory in use after the case (the CUDA
	// runtime's count: context, libtorch's cached blocks and live
	// tensors); 0 on the CPU.
	DeviceMiB float64 `json:"device_mib,omitempty"`
	// PeakRSSMiB is the process's peak resident memory so far.
	PeakRSSMiB float64 `json:"peak_rss_mib"`
}

// Run builds c on the current device and times reps calls after one
// warm-up.
func Run(c Case, reps int) (Result, error) {
	if reps < 1 {
		return Result{}, fmt.Errorf("netbench: reps must be >= 1, got %d", reps)
	}
	var res Result
	err := backend.Run(func() error {
		op, params, closeFn, err := prepare(c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		defer closeFn()
		if err := op(); err != nil {
			return fmt.Errorf("%s: warm-up: %w", c.Name, err)
		}
		res = Result{Name: c.Name, Device: backend.DeviceName(backend.Device()), Batch: c.Batch, Side: c.Side, Params: params}
		for range reps {
			t0 := time.Now()
			if err := op(); err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			res.Seconds = append(res.Seconds, time.Since(t0).Seconds())
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	res.Median = median(res.Seconds)
	if used, _, ok := backend.DeviceMemory(backend.Device()); ok {
		res.DeviceMiB = float64(used) / (1 << 20)
	}
	res.PeakRSSMiB = float64(memstat.Peak()) / (1 << 20)
	return res, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// prepare builds the network and data of c and returns the timed call, the
// parameter count and the clean-up. It runs inside backend.Run.
func prepare(c Case) (op func() error, params int64, closeFn func(), err error) {
	if !c.Step {
		return prepareForward(c)
	}
	var task interface {
		train.Task
		Close()
	}
	var opt train.OptimConfig
	batch := train.Batch{Samples: make([]int, c.Batch), Rand: train.NewRand(1, 0)}
	for i := range batch.Samples {
		batch.Samples[i] = i
	}
	switch c.Config {
	case "fusiondiff", "fusiondiff-cpu":
		cfg, err := fusiondiff.LoadConfig(c.Config, map[string]any{"data.size": c.Side, "train.batch_size": c.Batch})
		if err != nil {
			return nil, 0, nil, err
		}
		k, err := fusiondiff.NewTask(cfg, triplets(c.Batch, c.Side), nil)
		if err != nil {
			return nil, 0, nil, err
		}
		task, opt = k, cfg.Train.Optimizer
	case "siamese", "siamese-cpu", "siamese-demo":
		fc, err := siamese.LoadConfig(c.Config, map[string]any{"data.kind": "synth", "data.size": c.Side,
			"train.batch_size": c.Batch, "data.samples": max(2*c.Batch, 10)})
		if err != nil {
			return nil, 0, nil, err
		}
		k, err := siamese.NewTask(fc)
		if err != nil {
			return nil, 0, nil, err
		}
		// Batch assembly (synthesis, augmentation) is data loading, which
		// the trainer overlaps with the steps: done once, outside the timing.
		if batch.Data, err = k.Prepare(batch); err != nil {
			k.Close()
			return nil, 0, nil, err
		}
		task, opt = k, fc.Train.Optimizer
	case "ddfm-prior-cpu":
		cfg, err := prior.LoadConfig(c.Config, map[string]any{"data.size": c.Side, "train.batch_size": c.Batch})
		if err != nil {
			return nil, 0, nil, err
		}
		k, err := prior.NewTask(cfg, examples(c.Batch, c.Side))
		if err != nil {
			return nil, 0, nil, err
		}
		task, opt = k, cfg.Train.Optimizer
	default:
		return nil, 0, nil, fmt.Errorf("netbench: no training step for config %q", c.Config)
	}
	o, err := train.NewOptimizer(opt, backend.Trainable(task.VarStore()))
	if err != nil {
		task.Close()
		return nil, 0, nil, err
	}
	op = func() error {
		v, err := traintest.Step(task, o, batch)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			err = fmt.Errorf("loss is %v", v)
		}
		return err
	}
	return op, backend.NumParams(task.VarStore()), task.Close, nil
}

// prepareForward builds the FusionDiff network of c.Config in eval mode
// and returns one no-gradient forward pass of a random input.
func prepareForward(c Case) (func() error, int64, func(), error) {
	if c.Config != "fusiondiff" {
		return nil, 0, nil, fmt.Errorf("netbench: no forward case for config %q", c.Config)
	}
	m, err := netfd.Build(netfd.PaperSpec())
	if err != nil {
		return nil, 0, nil, err
	}
	x, err := ts.Randn([]int64{int64(c.Batch), 9, int64(c.Side), int64(c.Side)}, gotch.Float, backend.Device())
	if err != nil {
		m.Close()
		return nil, 0, nil, err
	}
	t := make([]int64, c.Batch)
	for i := range t {
		t[i] = 1000
	}
	op := func() error {
		return backend.NoGrad(func() error {
			s := backend.NewScope()
			defer s.Close()
			out := s.Add(m.Net.Forward(x, t, false))
			_, err := backend.Value(s.Add(out.MustSum(gotch.Float, false)))
			return err
		})
	}
	closeFn := func() {
		backend.Drop(x)
		m.Close()
	}
	return op, backend.NumParams(m.VS), closeFn, nil
}

// triplets makes n random FusionDiff training triplets of side x side in
// [-1, 1] (the step's cost does not depend on the content).
func triplets(n, side int) []fusiondiff.Triplet {
	r := train.NewRand(7, uint64(side))
	out := make([]fusiondiff.Triplet, n)
	for k := range out {
		t := fusiondiff.Triplet{Name: fmt.Sprintf("t%d", k), W: side, H: side}
		for _, p := range []*[]float32{&t.S1, &t.S2, &t.GT} {
			*p = make([]float32, 3*side*side)
			for i := range *p {
				(*p)[i] = float32(2*r.Float64() - 1)
			}
		}
		out[k] = t
	}
	return out
}

// examples makes n random prior training images of side x side in [-1, 1].
func examples(n, side int) []prior.Example {
	r := train.NewRand(8, uint64(side))
	out := make([]prior.Example, n)
	for k := range out {
		e := prior.Example{Name: fmt.Sprintf("x%d", k), W: side, H: side, X: make([]float32, 3*side*side)}
		for i := range e.X {
			e.X[i] = float32(2*r.Float64() - 1)
		}
		out[k] = e
	}
	return out
}
