package eval

import (
	"fmt"
	"io"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/internal/registry"
)

// Result is the output of one fusion.
type Result struct {
	// Fused is the fused image: the sources' size, and the plane count of
	// the colour sources when gray and colour sources are mixed.
	Fused *data.Image
	// Map is the decision map for source 0 in [0,1] after post-processing,
	// or nil if the method has no decision map.
	Map *data.Image
	// RawMap is the decision map before post-processing; it may be nil.
	RawMap *data.Image
}

// Method fuses two or more source images of the same size. A method that
// fuses plane by plane accepts a gray source beside colour ones through
// MatchPlanes. A method that holds resources (model weights, tensors) also
// implements io.Closer; whoever builds it with New releases it with Close.
type Method interface {
	// Fuse fuses the sources, which must share their size.
	Fuse(sources []*data.Image) (*Result, error)
}

// Close releases m when it implements io.Closer and does nothing otherwise
// (also for a nil m), so callers can close every method they build.
func Close(m Method) error {
	if c, ok := m.(io.Closer); ok {
		return c.Close()
	}
	return nil
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
	// CheckOptions, when set, validates options the way the factory does
	// but without building the method (for a model method: without loading
	// its checkpoint, though it may check that the file exists), so dry runs
	// stay cheap. The package function CheckOptions uses it. Dry runs of
	// experiments also call it without the model option for a model that is
	// still to be trained: the other options are then checked alone.
	CheckOptions func(opts Options) error
	// PeakMBPerMP is the method's peak memory per megapixel of one pair of
	// colour sources, in MB (10^6 bytes), measured as the peak resident
	// size of mfif fuse --workers 1 at 1 and 4 megapixels (the slope; the
	// process itself takes about 200 MB more). 0 = not measured. Front ends
	// compare it with the memory available before they start (see
	// pipeline.FuseFolder); docs/errors.md lists the values.
	PeakMBPerMP float64
}

// PeakMemory is implemented by methods whose peak memory depends on the
// model they loaded (the network's widths, a diffusion prior's attention
// over all pixels, tiling). PeakMB returns the estimated peak memory, in MB,
// of fusing one pair of the given megapixels with that model, beyond the
// process's own; front ends use it in place of Info.PeakMBPerMP.
type PeakMemory interface {
	PeakMB(megapixels float64) float64
}

type entry struct {
	info    Info
	factory Factory
}

var methods registry.Registry[entry]

// Register adds a method under info.Name. It is meant to be called from init
// functions; like database/sql.Register it panics on an empty name, a nil
// factory or a duplicate name, since those are programming errors.
func Register(info Info, f Factory) {
	if info.Name == "" || f == nil {
		panic("eval.Register: empty name or nil factory")
	}
	if err := methods.Add(info.Name, entry{info, f}); err != nil {
		panic("eval.Register: method " + err.Error())
	}
}

// New builds the method registered under name. An unknown name is an error
// that lists the known names.
func New(name string, opts Options) (Method, error) {
	e, ok := methods.Get(name)
	if !ok {
		return nil, unknownMethod(name)
	}
	m, err := e.factory(opts)
	if err != nil {
		return nil, fmt.Errorf("method %s: %w", name, err)
	}
	return m, nil
}

// CheckOptions reports whether the method registered under name accepts
// opts: through its Info.CheckOptions when it has one, else by building it
// with New and closing it again. Errors name the method.
func CheckOptions(name string, opts Options) error {
	info, err := Lookup(name)
	if err != nil {
		return err
	}
	if info.CheckOptions != nil {
		if err := info.CheckOptions(opts); err != nil {
			return fmt.Errorf("method %s: %w", name, err)
		}
		return nil
	}
	m, err := New(name, opts)
	if err != nil {
		return err
	}
	if err := Close(m); err != nil {
		return fmt.Errorf("method %s: close: %w", name, err)
	}
	return nil
}

// Names lists the registered methods in sorted order.
func Names() []string { return methods.Names() }

// Lookup returns the Info of a registered method.
func Lookup(name string) (Info, error) {
	e, ok := methods.Get(name)
	if !ok {
		return Info{}, unknownMethod(name)
	}
	return e.info, nil
}

func unknownMethod(name string) error {
	return fmt.Errorf("unknown fusion method %q (known: %s)", name, methods.Known())
}
