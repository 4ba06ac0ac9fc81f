// Package registry holds the one registry type of mfif: a set of named
// values of one kind (fusion methods, metrics, trainers, training dataset
// kinds), filled from init functions and read concurrently afterwards.
// Callers keep their own exported Register/Lookup functions and error
// texts; this type does the locking, the duplicate check and the listing.
package registry

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Registry maps names to values of type T. The zero value is ready to use.
type Registry[T any] struct {
	mu sync.RWMutex
	m  map[string]T
}

// Add registers v under name. It returns an error for an empty or
// duplicate name; callers registering from init usually panic on it, as
// database/sql.Register does, since both are programming errors.
func (r *Registry[T]) Add(name string, v T) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		return fmt.Errorf("%s registered twice", name)
	}
	if r.m == nil {
		r.m = map[string]T{}
	}
	r.m[name] = v
	return nil
}

// Get returns the value registered under name.
func (r *Registry[T]) Get(name string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[name]
	return v, ok
}

// Names lists the registered names in sorted order.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for n := range r.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Known is Names joined with ", ", for error messages that list the
// choices.
func (r *Registry[T]) Known() string { return strings.Join(r.Names(), ", ") }

// Remove deletes name; tests use it to undo a temporary registration.
func (r *Registry[T]) Remove(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, name)
}
