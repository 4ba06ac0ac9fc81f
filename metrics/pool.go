package metrics

import "sync"

// Scratch buffers for the large temporaries of the filters and FFTs, so a
// folder's worth of evaluations does not churn the garbage collector.
// Buffers come back with arbitrary contents: callers overwrite them fully.
var (
	floatPool   sync.Pool
	complexPool sync.Pool
)

func getFloats(n int) []float64 {
	if p, ok := floatPool.Get().(*[]float64); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float64, n)
}

func putFloats(b []float64) { floatPool.Put(&b) }

func getComplex(n int) []complex128 {
	if p, ok := complexPool.Get().(*[]complex128); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]complex128, n)
}

func putComplex(b []complex128) { complexPool.Put(&b) }
