package backend

import (
	"runtime"
	"sync"

	"github.com/sugarme/gotch/ts"
)

// Scope records tensors created during one step and drops them all at
// Close. gotch tensors own C memory that Go's garbage collector does not
// see, so relying on finalizers lets RSS climb during training; a Scope per
// step releases intermediates as soon as the step ends.
//
//	s := backend.NewScope()
//	defer s.Close()
//	h := s.Add(x.MustMm(w, false))
//	y := s.Keep(h.MustRelu(false)) // survives Close
type Scope struct {
	mu      sync.Mutex
	tensors []*ts.Tensor
}

// NewScope returns an empty scope.
func NewScope() *Scope { return &Scope{} }

// Add records t for dropping at Close and returns it.
func (s *Scope) Add(t *ts.Tensor) *ts.Tensor {
	if t == nil {
		return nil
	}
	s.mu.Lock()
	s.tensors = append(s.tensors, t)
	s.mu.Unlock()
	return t
}

// Keep removes t from the scope (it survives Close) and returns it.
func (s *Scope) Keep(t *ts.Tensor) *ts.Tensor {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.tensors) - 1; i >= 0; i-- {
		if s.tensors[i] == t {
			s.tensors = append(s.tensors[:i], s.tensors[i+1:]...)
			break
		}
	}
	return t
}

// Len is the number of tensors the scope will drop.
func (s *Scope) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tensors)
}

// Close drops every recorded tensor (in reverse order of creation) and
// empties the scope; it may be called more than once.
func (s *Scope) Close() {
	s.mu.Lock()
	list := s.tensors
	s.tensors = nil
	s.mu.Unlock()
	for i := len(list) - 1; i >= 0; i-- {
		Drop(list[i])
	}
}

// WithScope runs fn with a fresh scope on a locked OS thread, then drops
// everything fn recorded and not kept.
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

// Worker is one goroutine locked to one OS thread that executes tensor
// work submitted with Do, for long-running loops that should not pay
// LockOSThread on every call.
type Worker struct {
	jobs chan func()
	once sync.Once
}

// NewWorker starts a worker; Close stops it.
func NewWorker() *Worker {
	w := &Worker{jobs: make(chan func())}
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for job := range w.jobs {
			job()
		}
	}()
	return w
}

// Do runs fn on the worker's thread and waits for it; a panic in fn is
// returned as an error.
func (w *Worker) Do(fn func() error) error {
	done := make(chan error, 1)
	w.jobs <- func() {
		var err error
		func() {
			defer recoverInto(&err)
			err = fn()
		}()
		done <- err
	}
	return <-done
}

// Close stops the worker after the running job; Do must not be called
// afterwards.
func (w *Worker) Close() { w.once.Do(func() { close(w.jobs) }) }
