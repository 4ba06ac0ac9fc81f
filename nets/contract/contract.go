// Package contract is the model contract of nets: the roles a loaded model
// plays, what every loaded model offers, and the one loader that every
// model package (nets/siamese, nets/fusiondiff, nets/adm) loads through.
//
// Each model package names its loaded model Model (the network together
// with its spec and weights) and its module Net. The loader reads a file —
// an mfif checkpoint (nets/checkpoint) or a PyTorch state_dict — checks the
// stored spec and matches the stored tensor names and shapes against the
// network the spec describes before anything is built, so a damaged or
// foreign file, or one whose spec asks for a network far larger than the
// weights it stores, fails fast without allocating that network.
package contract

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync/atomic"

	"github.com/sugarme/gotch/nn"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// Role is what a loaded model computes.
type Role int

// The roles of the model packages.
const (
	// DecisionMap models map two sources to a soft decision map
	// (nets/siamese).
	DecisionMap Role = iota + 1
	// ConditionalNoise models predict the noise of x_t given the sources
	// (nets/fusiondiff).
	ConditionalNoise
	// UnconditionalPrior models predict the noise of x_t alone, a prior
	// that a sampler steers (nets/adm, for DDFM).
	UnconditionalPrior
)

// String names the role.
func (r Role) String() string {
	switch r {
	case DecisionMap:
		return "decision-map predictor"
	case ConditionalNoise:
		return "conditional noise predictor"
	case UnconditionalPrior:
		return "unconditional prior"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Model is what every loaded model offers.
type Model interface {
	// Role is what the model computes.
	Role() Role
	// Close frees the model's tensors; the model must not be used
	// afterwards.
	Close()
}

// Arch tells the loader how the networks of one model package are
// described (by a spec of type S), checked and built (as an M).
type Arch[S any, M Model] struct {
	// Name names the package in errors, e.g. "fusiondiff".
	Name string
	// Kind is the checkpoint kind of the package's checkpoints.
	Kind string
	// SpecOf returns the spec a checkpoint stores.
	SpecOf func(c *checkpoint.Checkpoint) (S, error)
	// Validate checks the spec's fields and bounds.
	Validate func(s S) error
	// Match checks stored tensor names and shapes (without the "model/"
	// prefix) against the network of s, without building it.
	Match func(s S, stored map[string][]int64) error
	// Build creates the network of s with fresh weights on the backend's
	// device, returning the model and the variable store of its weights.
	Build func(s S) (M, *nn.VarStore, error)
}

// builds counts the networks the loader has built.
var builds atomic.Int64

// Builds is the number of networks the loader has built in this process,
// for tests that check that nothing is built before a file is validated.
func Builds() int64 { return builds.Load() }

// Free destroys the variable store *vs, if any, and clears it: the Close
// of a model holding its weights there.
func Free(vs **nn.VarStore) {
	if *vs != nil {
		(*vs).Destroy()
		*vs = nil
	}
}

// IsStateDict reports whether path names a PyTorch state_dict (".pt" or
// ".pth") rather than an mfif checkpoint.
func IsStateDict(path string) bool {
	return strings.HasSuffix(path, ".pt") || strings.HasSuffix(path, ".pth")
}

// FromCheckpoint rebuilds the network of checkpoint c from its stored spec
// and loads its weights, the EMA weights when present
// (backend.LoadWeights). The spec is validated and the stored shapes
// matched before the network is built.
func (a Arch[S, M]) FromCheckpoint(c *checkpoint.Checkpoint) (M, error) {
	var zero M
	if c.Kind != a.Kind {
		return zero, fmt.Errorf("%w: holds %q, want %q", checkpoint.ErrKind, c.Kind, a.Kind)
	}
	s, err := a.SpecOf(c)
	if err != nil {
		return zero, err
	}
	if err := a.Validate(s); err != nil {
		return zero, fmt.Errorf("stored spec: %w", err)
	}
	if err := a.Match(s, c.Shapes("model/")); err != nil {
		return zero, err
	}
	builds.Add(1)
	m, vs, err := a.Build(s)
	if err != nil {
		return zero, fmt.Errorf("stored spec: %w", err)
	}
	if err := backend.LoadWeights(c, vs); err != nil {
		m.Close()
		return zero, err
	}
	return m, nil
}

// LoadCheckpoint reads the checkpoint at path (which must be of kind
// a.Kind) and rebuilds its model (FromCheckpoint). It also returns the
// checkpoint, for trainers that resume from it. Errors name the file.
func (a Arch[S, M]) LoadCheckpoint(path string) (M, *checkpoint.Checkpoint, error) {
	var zero M
	c, err := checkpoint.Load(path, a.Kind)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, checkpoint.ErrKind) {
			return zero, nil, err
		}
		return zero, nil, fmt.Errorf("corrupt or not a %s checkpoint: %w", a.Name, err)
	}
	m, err := a.FromCheckpoint(c)
	if err != nil {
		return zero, nil, fmt.Errorf("load %s: %w", path, err)
	}
	return m, c, nil
}

// LoadStateDict reads the PyTorch state_dict at path into the network of
// spec s, strictly (every tensor, nothing else). The names and shapes are
// matched before the network is built. Errors name the file.
func (a Arch[S, M]) LoadStateDict(path string, s S) (M, error) {
	var zero M
	if err := a.Validate(s); err != nil {
		return zero, fmt.Errorf("load %s: %w", path, err)
	}
	sd, err := backend.LoadStateDict(path)
	if err != nil {
		return zero, err
	}
	defer func() {
		for _, t := range sd {
			backend.Drop(t)
		}
	}()
	shapes := make(map[string][]int64, len(sd))
	for k, t := range sd {
		if shapes[k], err = t.Size(); err != nil {
			return zero, fmt.Errorf("load %s: %s: %w", path, k, err)
		}
	}
	if err := a.Match(s, shapes); err != nil {
		return zero, fmt.Errorf("load %s: %w", path, err)
	}
	builds.Add(1)
	m, vs, err := a.Build(s)
	if err != nil {
		return zero, fmt.Errorf("load %s: %w", path, err)
	}
	if err := backend.ApplyStateDict(vs, sd, true); err != nil {
		m.Close()
		return zero, fmt.Errorf("load %s: %w", path, err)
	}
	return m, nil
}

// MatchParams is an Arch.Match for packages that list their parameters
// without building (name -> shape): the stored set must equal it. what
// describes the network in the error, e.g. "the FusionDiff network of its
// spec".
func MatchParams(want map[string][]int64, stored map[string][]int64, what string) error {
	if err := checkpoint.MatchShapes(want, stored); err != nil {
		return fmt.Errorf("does not match %s: %w", what, err)
	}
	return nil
}
