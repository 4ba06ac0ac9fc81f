// Package export writes the weights of an mfif checkpoint as a PyTorch
// state_dict, for `mfif export`. It only dispatches on the checkpoint's
// kind; each model package owns its export (siamese.WriteStateDict,
// fusiondiff.WriteStateDict, adm.WritePriorStateDict), which rebuilds the
// network from the checkpoint, loads the weights inference uses (the EMA
// copy when the checkpoint has one) and writes the file atomically.
// docs/checkpoints.md describes the result and how to load it in PyTorch.
package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/nets/siamese"
)

// writers maps a checkpoint kind to its exporter.
var writers = map[string]func(*checkpoint.Checkpoint, string) (int, error){
	siamese.Kind:    siamese.WriteStateDict,
	fusiondiff.Kind: fusiondiff.WriteStateDict,
	adm.Kind:        adm.WritePriorStateDict,
}

// ErrKind is wrapped by File when the checkpoint's kind cannot be
// exported.
var ErrKind = errors.New("checkpoint kind cannot be exported")

// Kinds returns the checkpoint kinds File exports, sorted.
func Kinds() []string {
	out := make([]string, 0, len(writers))
	for k := range writers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Result describes a written state_dict.
type Result struct {
	// Kind is the checkpoint's model kind.
	Kind string
	// Tensors is the number of tensors in the state_dict.
	Tensors int
	// EMA reports that the checkpoint held averaged weights, which were
	// exported instead of the live ones.
	EMA bool
	// Notes are what a PyTorch user must know to load the file, e.g. how
	// a FusionDiff network differs from the reference NoisePred built with
	// its values (fusiondiff.Config.OfficialDifferences).
	Notes []string
}

// File reads the checkpoint at path and writes its inference weights to
// out as a PyTorch state_dict. out is replaced if it exists (callers that
// must not overwrite check first) and is never the checkpoint itself.
// Errors name path, or out for write failures.
func File(path, out string) (Result, error) {
	if same, err := sameFile(path, out); err != nil {
		return Result{}, err
	} else if same {
		return Result{}, fmt.Errorf("export %s: the output %s is the checkpoint itself", path, out)
	}
	c, err := checkpoint.Load(path, "")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Result{}, err
		}
		return Result{}, fmt.Errorf("export: %w", err)
	}
	w, ok := writers[c.Kind]
	if !ok {
		return Result{}, fmt.Errorf("export %s: %w: %q (exportable: %s)", path, ErrKind, c.Kind, strings.Join(Kinds(), ", "))
	}
	r := Result{Kind: c.Kind, EMA: len(c.WithPrefix("ema/")) > 0}
	if c.Kind == fusiondiff.Kind {
		if spec, err := fusiondiff.SpecOf(c); err == nil {
			for _, d := range spec.Model.OfficialDifferences() {
				r.Notes = append(r.Notes, "reference NoisePred: "+d)
			}
		}
	}
	// c is not used after w returns, so its tensor bytes can be collected
	// while the file is encoded.
	n, err := w(c, out)
	if err != nil {
		return Result{}, fmt.Errorf("export %s (%s): %w", path, r.Kind, err)
	}
	r.Tensors = n
	return r, nil
}

// sameFile reports whether out names the existing file at path.
func sameFile(path, out string) (bool, error) {
	a, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("export: %w", err)
	}
	b, err := os.Stat(out)
	if err != nil {
		return false, nil // out does not exist (or cannot be seen): nothing to protect
	}
	return os.SameFile(a, b), nil
}
