package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train/netbench"
)

func (a *app) benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench [--size 520] [--min-time 300ms] [--suite NAME,...] | bench --nets CASES [--reps 3] [--json FILE] | bench --models [--pytorch] [--rounds 2]",
		Short: "Time each metric and each fusion method on one synthetic colour scene, or the networks",
		Long: `Time every registered metric on a synthetic colour triple (two sources and
a fused image) and every method that needs no model on the two sources,
printing milliseconds per operation. Single-threaded per operation. The
speed targets themselves live in the Go benchmarks (go test -bench).
The default metrics are mfif's own (not the suites').

With --suite NAME[,NAME], time each reference-toolkit suite instead: the
whole suite on the triple (one metrics.Evaluate call, as mfif metrics --suite
runs it) and then each of its metrics alone; methods are timed only when
--methods is given. docs/metrics.md compares these times with the toolkits.

With --nets, time network forward passes and training steps on the chosen
--device instead (train/netbench): fusiondiff/forward/256 and /520,
fusiondiff/step/b4/256, siamese/step/b8/256, siamese-cpu/step/b8/256,
ddfm-prior/step/b4/64, or a prefix such as fusiondiff, or all. Each case is
built, run once untimed, then --reps times; the median is printed, and
--json writes every time. docs/pytorch/bench_nets.py times the same cases
in PyTorch (docs/performance.md, scripts/gpu-check.sh).

With --models, time inference end to end instead: for each model case
(siamese-cpu, siamese: the paper network, fusiondiff-cpu: one sample at
the config's default K; --model-cases picks some) run "mfif fuse" on one
synthetic --size pair as a child process (load the model, read the pair,
fuse, write) and report its wall time and peak resident memory (the
child's ru_maxrss), the mean over --rounds. The weights are fresh ones of
the embedded config (speed does not depend on their values) unless
--checkpoint CASE=PATH gives a checkpoint. With --pytorch, the Siamese
cases are also fused by docs/pytorch/fuse_siamese.py (python3, with
tcmalloc preloaded when installed) on the same weights through
"mfif export", alternating with the Go runs in every round.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runBench(cmd.Context()) },
	}
	f := cmd.Flags()
	f.Int("size", 520, "side of the test images in pixels")
	f.Duration("min-time", 300*time.Millisecond, "minimum time spent on each operation")
	f.StringSlice("metrics", nil, "metrics to time (default: all of mfif's own, no suite metrics)")
	f.StringSlice("suite", nil, "time these metric suites (whole suite, then each metric) instead of the default metrics")
	f.StringSlice("images", nil, "time on these images, SOURCE1,SOURCE2,FUSED[,REFERENCE], instead of a synthetic --size scene")
	f.StringSlice("methods", nil, "methods to time (default: all that need no model)")
	f.StringSlice("nets", nil, "time these network cases instead (all, a case name or a prefix such as fusiondiff)")
	f.Int("reps", 3, "--nets: timed calls per case after one warm-up")
	f.Bool("quick", false, "--nets: small inputs (a quarter of the side for forward passes, 64x64 and batch at most 2 for steps; a smoke test)")
	f.String("json", "", "--nets, --models: also write the results to this JSON file")
	f.Bool("models", false, "time mfif fuse end to end per model case (child processes; wall time and peak memory) instead")
	f.StringSlice("model-cases", nil, "--models: the cases (siamese-cpu, siamese, fusiondiff-cpu; default all)")
	f.StringArray("checkpoint", nil, "--models: CASE=PATH, use this checkpoint instead of fresh weights (repeatable)")
	f.Int("rounds", 2, "--models: rounds of runs; Go and PyTorch alternate within each")
	f.Bool("pytorch", false, "--models: also time docs/pytorch/fuse_siamese.py on the same weights")
	f.String("python", "/usr/bin/python3", "--models --pytorch: the Python interpreter with torch")
	f.String("pytorch-script", filepath.Join("docs", "pytorch", "fuse_siamese.py"), "--models --pytorch: the PyTorch fuse script")
	f.String("fresh-checkpoint", "", "CASE=PATH: write a checkpoint of the model case with fresh weights and exit (--models runs this in a child)")
	_ = f.MarkHidden("fresh-checkpoint")
	return cmd
}

func (a *app) runBench(ctx context.Context) error {
	if a.v.GetBool("bench.models") {
		return a.runBenchModels(ctx)
	}
	info, err := a.initBackend()
	if err != nil {
		return err
	}
	if v := a.v.GetString("bench.fresh-checkpoint"); v != "" {
		return a.freshCheckpoint(v)
	}
	if nets := a.list("bench.nets"); len(nets) > 0 {
		return a.runBenchNets(ctx, info, nets)
	}
	size := a.v.GetInt("bench.size")
	in, scene, err := a.benchInputs(size)
	if err != nil {
		return err
	}
	minTime := a.v.GetDuration("bench.min-time")
	names, suites := a.list("bench.metrics"), a.list("bench.suite")
	for _, s := range suites {
		if _, err := metrics.LookupSuite(s); err != nil {
			return fmt.Errorf("--suite: %w", err)
		}
	}
	if len(names) == 0 && len(suites) == 0 {
		names = metrics.ClassicNames()
	}
	methods := a.list("bench.methods")
	if len(methods) == 0 && len(suites) == 0 {
		methods = pipeline.DefaultMethods()
	}
	nsuite := 0
	for _, name := range suites {
		s, _ := metrics.LookupSuite(name)
		nsuite += 1 + len(s.Metrics)
	}
	a.logger().Logf("timing %d operations, each for at least %s", 1+len(names)+nsuite+len(methods), minTime)
	fmt.Fprintf(a.stdout, "%s, %d sources, metric kernels %s, device %s, %d threads, allocator %s\n%-28s %10s %6s\n",
		scene, len(in.Sources), metrics.Kernels(), info.Name, info.Threads, backend.Allocator(), "operation", "ms/op", "runs")
	primary := metrics.Primary()
	a.printTiming(pipeline.TimeOp("metrics: six primary", minTime, func() error { _, err := metrics.Evaluate(primary, in); return err }))
	for _, n := range names {
		m, err := metrics.Lookup(n)
		if err != nil {
			return err
		}
		a.printTiming(pipeline.TimeOp("metric "+n, minTime, func() error { _, err := m.Compute(in); return err }))
	}
	for _, name := range suites {
		s, _ := metrics.LookupSuite(name)
		keys := s.Keys()
		a.printCPUTiming(fmt.Sprintf("suite %s (%d metrics)", name, len(keys)), minTime, func() error { return evalTimed(keys, in) })
		for _, k := range keys {
			a.printCPUTiming("  "+k, minTime, func() error { return evalTimed([]string{k}, in) })
		}
	}
	for _, n := range methods {
		m, err := eval.New(n, nil)
		if err != nil {
			return err
		}
		a.printTiming(pipeline.TimeOp("fuse "+n, minTime, func() error { _, err := m.Fuse(in.Sources); return err }))
		if err := eval.Close(m); err != nil {
			return fmt.Errorf("method %s: close: %w", n, err)
		}
	}
	return nil
}

// evalTimed evaluates keys for timing: a metric that is undefined on the
// images (ErrDegenerate, e.g. a toolkit's NaN) still ran, so only other
// errors count.
func evalTimed(keys []string, in metrics.Inputs) error {
	_, err := metrics.Evaluate(keys, in)
	if metrics.OnlyDegenerate(err) {
		return nil
	}
	return err
}

// benchInputs returns the images to time on: --images when given, else
// the synthetic colour scene of side size, and a line describing them.
func (a *app) benchInputs(size int) (metrics.Inputs, string, error) {
	paths := a.list("bench.images")
	if len(paths) == 0 {
		in, err := pipeline.BenchScene(size, 1)
		return in, fmt.Sprintf("%dx%d colour", size, size), err
	}
	if len(paths) < 3 || len(paths) > 4 {
		return metrics.Inputs{}, "", fmt.Errorf("--images: want SOURCE1,SOURCE2,FUSED[,REFERENCE], got %d paths", len(paths))
	}
	imgs := make([]*data.Image, len(paths))
	for i, p := range paths {
		m, err := data.ReadImage(p)
		if err != nil {
			return metrics.Inputs{}, "", fmt.Errorf("--images: %w", err)
		}
		imgs[i] = m
	}
	in := metrics.Inputs{Sources: imgs[:2], Fused: imgs[2]}
	if len(imgs) == 4 {
		in.Reference = imgs[3]
	}
	return in, fmt.Sprintf("%dx%d, %d planes (%s)", in.Fused.W, in.Fused.H, in.Fused.C(), strings.Join(paths, ",")), nil
}

// printCPUTiming times f as printTiming does and adds the process CPU time
// per call (user + system), which a busy shared machine does not inflate.
func (a *app) printCPUTiming(name string, minTime time.Duration, f func() error) {
	// CPU time of the timed calls only: TimeOp's first call is an untimed
	// warm-up (plans, tables, pools), so the clock starts at the second.
	var n int
	var start time.Duration
	t, err := pipeline.TimeOp(name, minTime, func() error {
		if n == 1 {
			start = processCPU()
		}
		n++
		return f()
	})
	if err != nil {
		a.printTiming(t, err)
		return
	}
	cpu := (processCPU() - start) / time.Duration(n-1)
	fmt.Fprintf(a.stdout, "%-28s %10.2f %6d   cpu %.2f ms/op\n", t.Name, float64(t.PerOp.Microseconds())/1000, t.N, float64(cpu.Microseconds())/1000)
}

// printTiming prints one row; an operation that fails on the test scene
// gets its error in place of a time so the other rows still appear.
func (a *app) printTiming(t pipeline.Timing, err error) {
	if err != nil {
		fmt.Fprintf(a.stdout, "%-28s %10s    (%v)\n", t.Name, "error", err)
		return
	}
	fmt.Fprintf(a.stdout, "%-28s %10.2f %6d\n", t.Name, float64(t.PerOp.Microseconds())/1000, t.N)
}

// runBenchNets times the network cases of train/netbench on the chosen
// device and prints one row per case.
func (a *app) runBenchNets(ctx context.Context, info backend.Info, names []string) error {
	cases, err := netbench.Select(names, a.v.GetBool("bench.quick"))
	if err != nil {
		return err
	}
	reps := a.v.GetInt("bench.reps")
	if reps < 1 || reps > 1000 {
		return fmt.Errorf("bench --reps %d: want 1..1000", reps)
	}
	out := a.v.GetString("bench.json")
	tf32mm, tf32conv := backend.CUDAMath()
	fmt.Fprintf(a.stdout, "networks on %s, %d threads, %s, TF32 matmul %v conv %v, %d timed calls after one warm-up\n%-24s %-9s %10s %10s %12s %11s %13s\n",
		info.Name, info.Threads, backend.Flavor(), tf32mm, tf32conv, reps, "case", "input", "median s", "min s", "params", "device MiB", "peak RSS MiB")
	var results []netbench.Result
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := netbench.Run(c, reps)
		if err != nil {
			return err
		}
		lo := r.Seconds[0]
		for _, v := range r.Seconds {
			lo = min(lo, v)
		}
		fmt.Fprintf(a.stdout, "%-24s %-9s %10.4f %10.4f %12d %11.0f %13.0f\n", r.Name, fmt.Sprintf("%dx%d", r.Batch, r.Side), r.Median, lo, r.Params, r.DeviceMiB, r.PeakRSSMiB)
		results = append(results, r)
	}
	if out == "" {
		return nil
	}
	b, err := json.MarshalIndent(map[string]any{"device": info.Name, "threads": info.Threads, "libtorch": backend.Flavor(),
		"tf32_matmul": tf32mm, "tf32_conv": tf32conv, "results": results}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(out, append(b, '\n')); err != nil {
		return fmt.Errorf("bench --json %s: %w", out, err)
	}
	return nil
}
