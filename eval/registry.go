package eval

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/mfif/mfif/data"
)

// Result is the output of one fusion.
type Result struct {
	// Fused is the fused image, same size and plane count as the sources.
	Fused *data.Image
	// Map is the decision map for source 0 in [0,1] after post-processing,
	// or nil if the method has no decision map.
	Map *data.Image
	// RawMap is the decision map before post-processing; it may be nil.
	RawMap *data.Image
}

// Method fuses two or more source images of the same size and plane count.
type Method interface {
	// Fuse fuses the sources, which must share size and plane count.
	Fuse(sources []*data.Image) (*Result, error)
}

// Options are method parameters as decoded from YAML or the command line.
// Each factory validates its own keys and rejects unknown ones by name.
type Options map[string]any

// Factory builds a Method from options.
type Factory func(opts Options) (Method, error)

// Info describes a registered method.
type Info struct {
	// Name is the registry key, e.g. "gff".
	Name string
	// Description is a one-line summary for CLI listings.
	Description string
	// Citation is the paper the method implements.
	Citation string
	// HasMap reports whether Result.Map is filled.
	HasMap bool
	// Progress reports that the method takes a boolean option "progress"
	// (a per-image progress bar on stderr); front ends set it to false
	// when asked to be quiet.
	Progress bool
}

type entry struct {
	info    Info
	factory Factory
}

var (
	regMu    sync.RWMutex
	registry = map[string]entry{}
)

// Register adds a method under info.Name. It is meant to be called from init
// functions; like database/sql.Register it panics on an empty name, a nil
// factory or a duplicate name, since those are programming errors.
func Register(info Info, f Factory) {
	regMu.Lock()
	defer regMu.Unlock()
	if info.Name == "" || f == nil {
		panic("eval.Register: empty name or nil factory")
	}
	if _, dup := registry[info.Name]; dup {
		panic("eval.Register: method " + info.Name + " registered twice")
	}
	registry[info.Name] = entry{info, f}
}

// New builds the method registered under name. An unknown name is an error
// that lists the known names.
func New(name string, opts Options) (Method, error) {
	regMu.RLock()
	e, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return nil, unknownMethod(name)
	}
	m, err := e.factory(opts)
	if err != nil {
		return nil, fmt.Errorf("method %s: %w", name, err)
	}
	return m, nil
}

// Names lists the registered methods in sorted order.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the Info of a registered method.
func Lookup(name string) (Info, error) {
	regMu.RLock()
	e, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return Info{}, unknownMethod(name)
	}
	return e.info, nil
}

func unknownMethod(name string) error {
	return fmt.Errorf("unknown fusion method %q (known: %s)", name, strings.Join(Names(), ", "))
}
