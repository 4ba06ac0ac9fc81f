package backend

import (
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/sugarme/gotch/ts"
)

// Scope is mfif's one mechanism for tensor lifetime: it records the
// tensors (and libtorch scalars) created during one step or call and frees
// them all at Close, so no intermediate waits for a Go finalizer. gotch
// tensors own C memory the Go garbage collector does not see; left to
// finalizers, it is freed late and every step gets fresh memory.
//
// Intermediates that are dead before the step ends can be freed at once
// with Release (long chains at full resolution would otherwise all live
// until Close); results that outlive the step are taken out with Keep.
// Autograd holds its own references to what backward needs, so releasing
// a Go handle before backward is safe.
//
//	s := backend.NewScope()
//	defer s.Close()
//	h := s.Add(x.MustMm(w, false))
//	y := s.Keep(h.MustRelu(false)) // the caller drops y
//
// A Scope belongs to one goroutine.
type Scope struct {
	tensors []*ts.Tensor
	scalars []*ts.Scalar
}

// NewScope returns an empty scope.
func NewScope() *Scope { return &Scope{} }

// Add records t for dropping at Close and returns it.
func (s *Scope) Add(t *ts.Tensor) *ts.Tensor {
	if t != nil {
		s.tensors = append(s.tensors, t)
	}
	return t
}

// Keep removes t from the scope (it survives Close; the caller owns it)
// and returns it.
func (s *Scope) Keep(t *ts.Tensor) *ts.Tensor {
	s.forget(t)
	return t
}

// Release drops each tensor now and removes it from the scope. Tensors the
// scope does not hold are dropped too.
func (s *Scope) Release(tensors ...*ts.Tensor) {
	for _, t := range tensors {
		s.forget(t)
		Drop(t)
	}
}

func (s *Scope) forget(t *ts.Tensor) {
	for i := len(s.tensors) - 1; i >= 0; i-- {
		if s.tensors[i] == t {
			s.tensors = append(s.tensors[:i], s.tensors[i+1:]...)
			return
		}
	}
}

// Float returns a libtorch float scalar that is freed at Close.
func (s *Scope) Float(v float64) *ts.Scalar {
	sc := ts.FloatScalar(v)
	s.scalars = append(s.scalars, sc)
	return sc
}

// Len is the number of tensors the scope will drop.
func (s *Scope) Len() int { return len(s.tensors) }

// Close drops every recorded tensor and scalar (tensors in reverse order of
// creation) and empties the scope; it may be called more than once.
func (s *Scope) Close() {
	list := s.tensors
	s.tensors = nil
	for i := len(list) - 1; i >= 0; i-- {
		Drop(list[i])
	}
	for _, sc := range s.scalars {
		_ = sc.Drop()
	}
	s.scalars = nil
}

// WithScope runs fn with a fresh scope on a locked OS thread, then drops
// everything fn recorded and did not keep. Panics from gotch's Must*
// helpers come back as errors.
func WithScope(fn func(s *Scope) error) error {
	s := NewScope()
	defer s.Close()
	return Run(func() error { return fn(s) })
}

// Drop releases the C memory of each non-nil tensor; dropping a tensor
// twice is harmless.
func Drop(tensors ...*ts.Tensor) {
	for _, t := range tensors {
		if t != nil {
			_ = t.Drop()
		}
	}
}

// LiveTensors is the number of gotch tensor handles not yet freed (by Drop
// or a finalizer).
func LiveTensors() int { return liveTensors() }

// LeakedHandles runs fn and returns how many more tensor handles are alive
// afterwards than before: the intermediates fn left for Go finalizers to
// free (0 when everything was dropped). Pending finalizers of earlier
// garbage run first and the collector is off during fn, so the count is
// exact. For tests and benchmarks.
func LeakedHandles(fn func() error) (int, error) {
	// Collect until the count holds still: finalizers run on their own
	// goroutine, so one GC and a fixed sleep can leave some still to run.
	for i, last := 0, -1; i < 50; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
		n := liveTensors()
		if n == last {
			break
		}
		last = n
	}
	prev := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(prev)
	before := liveTensors()
	err := fn()
	return liveTensors() - before, err
}

// TensorsCreated is the number of gotch tensor handles created so far in
// the process (each costs gotch a registry entry, a finalizer and a
// 100 kB Go allocation); benchmarks report it per step.
func TensorsCreated() int64 { return atomic.LoadInt64(&ts.TensorCount) }

// liveTensors reads the size of gotch's registry of tensor handles. gotch
// guards the map with an unexported lock; reading its length without it is
// a benign race (a count that may be one step stale), acceptable for the
// leak checks of tests.
func liveTensors() int { return len(ts.ExistingTensors) }
