package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/nets/backend"
)

// Request is one training run as `mfif train`, the demo and the
// experiment runner ask for it.
type Request struct {
	// Dir is the output folder.
	Dir string
	// Resume continues from Dir/last.ckpt; Force deletes a run already in
	// Dir and starts over (see Fit).
	Resume, Force bool
	// Progress receives the progress display, Log the log lines (nil:
	// none).
	Progress, Log io.Writer
}

// Fit trains task with loop in r.Dir (see the package function Fit);
// config is the resolved YAML configuration of the run.
func (r Request) Fit(ctx context.Context, task Task, loop LoopConfig, config string) (*Result, error) {
	t := &Trainer{Task: task, Loop: loop, Config: config, Dir: r.Dir, Progress: r.Progress, Log: r.Log}
	return Fit(ctx, t, r.Resume, r.Force)
}

// Fit runs t in its output folder with the rules of `mfif train`:
//
//   - resume continues from Dir/last.ckpt, which must exist;
//   - otherwise a folder that already holds a run with a checkpoint is
//     refused, unless force is set, which deletes that run's files first
//     (other files in the folder are left alone); the files of a run that
//     stopped before its first checkpoint are deleted without force;
//   - every file is written atomically, so an interruption at any moment
//     leaves the previous checkpoint intact.
//
// The trainer's optimizer state and EMA copies are freed when Fit returns.
func Fit(ctx context.Context, t *Trainer, resume, force bool) (*Result, error) {
	defer backend.ReleaseCache() // what training kept mapped goes back to the system
	defer t.close()
	if t.Dir == "" {
		return nil, errors.New("train: no output folder")
	}
	last := filepath.Join(t.Dir, LastName)
	if resume {
		if _, err := os.Stat(last); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("--resume: %s has no %s to continue from (start without --resume)", t.Dir, LastName)
			}
			return nil, fmt.Errorf("--resume: %w", err)
		}
		if err := t.Resume(last); err != nil {
			return nil, err
		}
		return t.Run(ctx)
	}
	existing := ExistingRun(t.Dir)
	if len(existing) > 0 && !force && !hasCheckpoint(existing) {
		// A run that stopped before its first checkpoint (bad data, a
		// signal in the first epoch) has nothing to resume or lose: start
		// it over without asking for --force.
		t.logf("%s holds only the logs of a run that stopped before its first checkpoint (%s): starting over",
			t.Dir, strings.Join(existing, ", "))
		force = true
	}
	if len(existing) > 0 && !force {
		return nil, fmt.Errorf("%s already holds a training run (%s): use --resume to continue it, or --force to delete it and start over",
			t.Dir, strings.Join(existing, ", "))
	}
	for _, name := range existing {
		if err := os.Remove(filepath.Join(t.Dir, name)); err != nil {
			return nil, fmt.Errorf("--force: %w", err)
		}
	}
	return t.Run(ctx)
}

// hasCheckpoint reports whether the run files include a checkpoint.
func hasCheckpoint(files []string) bool {
	for _, f := range files {
		if f == LastName || f == BestName {
			return true
		}
	}
	return false
}

// ExistingRun lists the files of a training run present in dir (empty when
// there are none).
func ExistingRun(dir string) []string {
	var out []string
	for _, n := range runFiles {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			out = append(out, n)
		}
	}
	events, _ := filepath.Glob(filepath.Join(dir, eventsGlob))
	for _, e := range events {
		out = append(out, filepath.Base(e))
	}
	return out
}

// writeFileAtomic writes b to path atomically.
func writeFileAtomic(path string, b []byte) error { return atomicfile.WriteFile(path, b) }

// compatibleConfigs reports whether a run stored with config stored can be
// resumed under config current: equal as YAML documents apart from the
// train keys that do not change the weights' trajectory (resumeSafeKeys).
// An empty side (a checkpoint without config) is not compared.
func compatibleConfigs(stored, current string) error {
	if stored == "" || current == "" {
		return nil
	}
	var a, b map[string]any
	if err := yaml.Unmarshal([]byte(stored), &a); err != nil {
		return fmt.Errorf("stored config: %w", err)
	}
	if err := yaml.Unmarshal([]byte(current), &b); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	for _, m := range []map[string]any{a, b} {
		if tr, ok := m["train"].(map[string]any); ok {
			for _, k := range resumeSafeKeys {
				delete(tr, k)
			}
		}
	}
	if d := firstDiff("", a, b); d != "" {
		return fmt.Errorf("the checkpoint was trained with a different config (%s differs; only train.%s may change on resume)",
			d, strings.Join(resumeSafeKeys, ", train."))
	}
	return nil
}

// firstDiff returns the dotted path of the first difference between two
// decoded YAML values, or "".
func firstDiff(path string, a, b any) string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if d := firstDiff(p, am[k], bm[k]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		if path == "" {
			return "the document"
		}
		return path
	}
	return ""
}
