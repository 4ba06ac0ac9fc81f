// Package pipeline glues the registries together for the CLI and the
// experiment runner: fuse a folder of source pairs with a registered method,
// find the fused images of one or more methods in result folders, and
// evaluate them into report.Results. It holds no algorithms of its own.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/mfif/mfif/internal/progress"
)

// Options controls how the pipeline steps run.
type Options struct {
	// Workers is the number of pairs processed in parallel; 0 or less
	// means runtime.NumCPU().
	Workers int
	// Progress, when not nil, receives the progress of each step
	// (normally os.Stderr): a bar on a terminal, else a line every 10 %.
	Progress io.Writer
	// Context, when not nil and done (SIGINT, SIGTERM), stops a step
	// within one pair: no new pair is started, the pairs in progress end
	// and keep their outputs (each written atomically), and the step
	// returns an error wrapping context.Cause(Context).
	Context context.Context
	// Resume makes FuseFolder skip the pairs whose fused image is already
	// in the output folder, complete and of the pair's size (see
	// FuseFolder).
	Resume bool
}

// stopped returns the cancellation cause of o.Context, or nil.
func (o Options) stopped() error {
	if o.Context == nil || o.Context.Err() == nil {
		return nil
	}
	return context.Cause(o.Context)
}

func (o Options) workers(n int) int {
	w := o.Workers
	if w <= 0 {
		w = runtime.NumCPU()
	}
	return max(1, min(w, n))
}

func (o Options) bar(n int, what string) *progress.Bar {
	return progress.New(o.Progress, n, what, progress.Unit("pair"))
}

// parallel runs job(i) for i in [0, n) on o.workers goroutines, advancing a
// progress bar, and returns the error of the lowest failing index so that
// the reported error does not depend on scheduling. Work stops being
// started after the first failure, or when o.Context is done: then the
// jobs in progress end and the error wraps the context's cause.
func parallel(n int, o Options, what string, job func(worker, i int) error) error {
	if n == 0 {
		return nil
	}
	bar := o.bar(n, what)
	defer bar.Finish()
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := false
	var stop error
	started := 0
	for w := 0; w < o.workers(n); w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range next {
				mu.Lock()
				stop := failed
				mu.Unlock()
				if !stop { // a pair handed over as another failed is not started
					errs[i] = job(w, i)
				}
				mu.Lock()
				if errs[i] != nil {
					failed = true
				}
				mu.Unlock()
				bar.Add(1)
			}
		}(w)
	}
	for i := 0; i < n; i++ {
		mu.Lock()
		halt := failed
		mu.Unlock()
		if halt {
			break
		}
		if stop = o.stopped(); stop != nil {
			break
		}
		next <- i
		started++
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if stop != nil {
		return fmt.Errorf("%s: stopped after %d of %d pairs (each finished output is complete): %w", what, started, n, stop)
	}
	return nil
}

// errf wraps err with the name of the pair it concerns.
func errf(pair string, err error) error { return fmt.Errorf("pair %s: %w", pair, err) }
