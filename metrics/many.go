package metrics

import (
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/mfif/mfif/internal/progress"
)

// Result is the outcome of evaluating one set of inputs in EvaluateMany.
type Result struct {
	// Values holds every metric that succeeded.
	Values map[string]float64
	// Err is the loading error, or the joined metric errors (see Evaluate).
	Err error
}

// EvaluateMany evaluates the named metrics on n sets of inputs in parallel
// and returns the results in input order (deterministic whatever the
// scheduling). load(i) produces the i-th set of inputs and is called from
// the worker goroutines, so a folder of images never has to be in memory at
// once. workers <= 0 means runtime.GOMAXPROCS(0). Progress is written to
// out when it is non-nil (see internal/progress). Unknown metric names are
// reported once, before any loading.
func EvaluateMany(n int, load func(i int) (Inputs, error), names []string, workers int, out io.Writer) ([]Result, error) {
	for _, name := range names {
		if _, err := Lookup(name); err != nil {
			return nil, err
		}
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(n, 1))
	bar := progress.New(out, n, "metrics")
	res := make([]Result, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res[i] = evaluateOne(i, load, names)
				bar.Add(1)
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	bar.Finish()
	return res, nil
}

// evaluateOne loads and evaluates input i.
func evaluateOne(i int, load func(int) (Inputs, error), names []string) Result {
	in, err := load(i)
	if err != nil {
		return Result{Err: fmt.Errorf("load inputs %d: %w", i, err)}
	}
	v, err := Evaluate(names, in)
	if err != nil {
		err = fmt.Errorf("inputs %d: %w", i, err)
	}
	return Result{Values: v, Err: err}
}
