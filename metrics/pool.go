package metrics

import "sync"

// Scratch buffers for the large temporaries of the filters, FFTs and
// per-evaluation maps, so a folder's worth of evaluations does not churn
// the garbage collector (a 520x520 evaluation used to allocate ~120 MB).
// Pools are keyed by exact length: an evaluation asks for a handful of
// sizes, and a size-blind pool would keep dropping buffers that are too
// short. Buffers come back with arbitrary contents.
var (
	floatPools   sync.Map // int -> *sync.Pool of *[]float64
	complexPools sync.Map // int -> *sync.Pool of *[]complex128
)

func poolFor(m *sync.Map, n int) *sync.Pool {
	if p, ok := m.Load(n); ok {
		return p.(*sync.Pool)
	}
	p, _ := m.LoadOrStore(n, new(sync.Pool))
	return p.(*sync.Pool)
}

func getFloats(n int) []float64 {
	if p, ok := poolFor(&floatPools, n).Get().(*[]float64); ok {
		return (*p)[:n]
	}
	return make([]float64, n)
}

func putFloats(b []float64) { poolFor(&floatPools, cap(b)).Put(&b) }

func getComplex(n int) []complex128 {
	if p, ok := poolFor(&complexPools, n).Get().(*[]complex128); ok {
		return (*p)[:n]
	}
	return make([]complex128, n)
}

func putComplex(b []complex128) { poolFor(&complexPools, cap(b)).Put(&b) }

// arena hands out pooled buffers that live as long as one scene and are
// returned together by release. A nil arena allocates normally, so helpers
// can also be called outside a scene (tests, extras).
type arena struct {
	bufs [][]float64
}

// floats returns a buffer of n samples with arbitrary contents.
func (a *arena) floats(n int) []float64 {
	if a == nil {
		return make([]float64, n)
	}
	b := getFloats(n)
	a.bufs = append(a.bufs, b)
	return b
}

// zeros returns a zeroed buffer of n samples.
func (a *arena) zeros(n int) []float64 {
	b := a.floats(n)
	clear(b)
	return b
}

// release returns every buffer to the pools; none may be used afterwards.
func (a *arena) release() {
	if a == nil {
		return
	}
	for _, b := range a.bufs {
		putFloats(b)
	}
	a.bufs = nil
}
