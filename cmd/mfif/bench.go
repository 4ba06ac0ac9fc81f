package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/nets/backend"
)

func (a *app) benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench [--size 520] [--min-time 300ms]",
		Short: "Time each metric and each fusion method on one synthetic colour scene",
		Long: `Time every registered metric on a synthetic colour triple (two sources and
a fused image) and every method that needs no model on the two sources,
printing milliseconds per operation. Single-threaded per operation. The
speed targets themselves live in the Go benchmarks (go test -bench).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runBench() },
	}
	f := cmd.Flags()
	f.Int("size", 520, "side of the test images in pixels")
	f.Duration("min-time", 300*time.Millisecond, "minimum time spent on each operation")
	f.StringSlice("metrics", nil, "metrics to time (default: all registered)")
	f.StringSlice("methods", nil, "methods to time (default: all that need no model)")
	return cmd
}

func (a *app) runBench() error {
	info, err := a.initBackend()
	if err != nil {
		return err
	}
	size := a.v.GetInt("bench.size")
	in, err := pipeline.BenchScene(size, 1)
	if err != nil {
		return err
	}
	minTime := a.v.GetDuration("bench.min-time")
	names := a.list("bench.metrics")
	if len(names) == 0 {
		names = metrics.Names()
	}
	methods := a.list("bench.methods")
	if len(methods) == 0 {
		methods = pipeline.DefaultMethods()
	}
	a.logger().Logf("timing %d operations, each for at least %s", 1+len(names)+len(methods), minTime)
	fmt.Fprintf(a.stdout, "%dx%d colour, %d sources, metric kernels %s, device %s, %d threads, allocator %s\n%-22s %10s %6s\n",
		size, size, len(in.Sources), metrics.Kernels(), info.Name, info.Threads, backend.Allocator(), "operation", "ms/op", "runs")
	primary := metrics.Primary()
	a.printTiming(pipeline.TimeOp("metrics: six primary", minTime, func() error { _, err := metrics.Evaluate(primary, in); return err }))
	for _, n := range names {
		m, err := metrics.Lookup(n)
		if err != nil {
			return err
		}
		a.printTiming(pipeline.TimeOp("metric "+n, minTime, func() error { _, err := m.Compute(in); return err }))
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

// printTiming prints one row; an operation that fails on the test scene
// gets its error in place of a time so the other rows still appear.
func (a *app) printTiming(t pipeline.Timing, err error) {
	if err != nil {
		fmt.Fprintf(a.stdout, "%-22s %10s    (%v)\n", t.Name, "error", err)
		return
	}
	fmt.Fprintf(a.stdout, "%-22s %10.2f %6d\n", t.Name, float64(t.PerOp.Microseconds())/1000, t.N)
}
