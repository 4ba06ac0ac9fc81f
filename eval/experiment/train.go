package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/internal/dirlock"
	"github.com/mfif/mfif/nets/checkpoint"
)

// ModelRef records where a cell's model came from (checkpoints.json).
type ModelRef struct {
	// Dir is the training folder (loss.csv / history.csv live there),
	// relative to the experiment folder in checkpoints.json; empty for a
	// given checkpoint.
	Dir        string `json:"dir,omitempty"`
	Checkpoint string `json:"checkpoint"`
}

// models trains (or reuses) every trained method and checks given
// checkpoints; it writes checkpoints.json.
func (cr *cellRun) models() (map[string]ModelRef, error) {
	out := map[string]ModelRef{}
	for _, m := range cr.p.Methods {
		switch {
		case m.Train != nil:
			ref, err := cr.r.train(m)
			if err != nil {
				return nil, fmt.Errorf("method %s: %w", m.Name, err)
			}
			cr.logf("method %s: model %s", m.Name, ref.Checkpoint)
			out[m.Name] = ref
		case m.Checkpoint != "":
			if _, err := os.Stat(m.Checkpoint); err != nil {
				return nil, fmt.Errorf("method %s: checkpoint: %w", m.Name, err)
			}
			out[m.Name] = ModelRef{Checkpoint: m.Checkpoint}
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	// Training folders are recorded relative to the experiment folder so
	// the report finds them from any working directory.
	rec := map[string]ModelRef{}
	for k, ref := range out {
		if rel, err := filepath.Rel(cr.r.Dir(), ref.Dir); err == nil && ref.Dir != "" {
			ref.Dir = rel
			// A link model-<method> -> ../models/... puts the checkpoint
			// in reach from the cell folder; where links are not
			// supported checkpoints.json alone records it.
			link := filepath.Join(cr.dir, "model-"+k)
			if _, err := os.Lstat(link); err != nil {
				_ = os.Symlink(filepath.Join("..", rel), link)
			}
		}
		rec[k] = ref
	}
	return out, writeJSON(filepath.Join(cr.dir, CheckpointsFile), rec)
}

// ModelDir is the training folder of a trained method: keyed by the trainer
// kind, the config's bytes, the overrides and the code version, so equal
// training in different cells (or experiments' reruns) is shared.
func (r *Runner) ModelDir(m planMethod) string {
	t := *m.Train
	set, _ := splitBudget(t.Set)
	sum := sha256.Sum256([]byte(canonical([]any{t.Kind, t.Digest, set, r.version()})))
	return filepath.Join(r.Dir(), "models", m.Name+"-"+hex.EncodeToString(sum[:6]))
}

// budgetKeys are the training overrides that only say how long to train.
// Trainings that differ in nothing else share one model folder: a longer
// budget resumes the shorter one's run (training resumes exactly, and the
// data order and learning rate of an epoch do not depend on the total), so
// a sweep over budgets costs one training as long as the longest budget.
// Each budget keeps its own snapshot of the checkpoint it ended with.
var budgetKeys = []string{"train.epochs", "train.max_minutes"}

// splitBudget separates the budget overrides of set; label names the
// budget for file names ("" when set has none).
func splitBudget(set map[string]any) (rest map[string]any, label string) {
	rest = map[string]any{}
	var parts []string
	for k, v := range set {
		rest[k] = v
	}
	for _, k := range budgetKeys {
		if v, ok := set[k]; ok {
			delete(rest, k)
			parts = append(parts, fmt.Sprintf("%s=%v", strings.TrimPrefix(k, "train."), v))
		}
	}
	return rest, strings.Join(parts, ",")
}

// doneFile is the done marker of a model folder for one budget (DoneFile
// when the training has no budget overrides).
func doneFile(set map[string]any) string {
	if _, label := splitBudget(set); label != "" {
		return DoneFile + "-" + label
	}
	return DoneFile
}

// train runs the method's trainer unless its model folder holds DONE. A
// folder with last.ckpt but no DONE is an interrupted training, which the
// trainer resumes; a folder without a checkpoint (a run that died before
// its first one) is started over.
func (r *Runner) train(m planMethod) (ModelRef, error) {
	dir := r.ModelDir(m)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ModelRef{}, err
	}
	unlock, err := dirlock.Wait(filepath.Join(dir, ".lock"))
	if err != nil {
		return ModelRef{}, err
	}
	defer unlock()
	donePath := filepath.Join(dir, doneFile(m.Train.Set))
	if b, err := os.ReadFile(donePath); err == nil {
		ckpt := strings.TrimSpace(string(b))
		if !filepath.IsAbs(ckpt) {
			ckpt = filepath.Join(dir, ckpt)
		}
		if _, err := os.Stat(ckpt); err != nil {
			return ModelRef{}, fmt.Errorf("model %s is marked done but its checkpoint is gone: %w", dir, err)
		}
		return ModelRef{Dir: dir, Checkpoint: ckpt}, nil
	}
	fn, err := LookupTrainer(m.Train.Kind)
	if err != nil {
		return ModelRef{}, err
	}
	_, statErr := os.Stat(filepath.Join(dir, "last.ckpt"))
	resume := statErr == nil
	_, budget := splitBudget(m.Train.Set)
	if resume && budget != "" {
		if err := notPast(filepath.Join(dir, "last.ckpt"), m.Train.Set); err != nil {
			return ModelRef{}, fmt.Errorf("model %s: %w", dir, err)
		}
	}
	y, err := resolvedConfig(m.Train)
	if err != nil {
		return ModelRef{}, err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, TrainRequestFile), y); err != nil {
		return ModelRef{}, err
	}
	r.logf("training %s (%s, resume=%v) in %s", m.Name, m.Train.Config, resume, dir)
	ctx := r.Context
	if ctx == nil {
		ctx = context.Background()
	}
	ckpt, err := fn(ctx, TrainRequest{Config: m.Train.Config, Overrides: copyMap(m.Train.Set), Dir: dir,
		Resume: resume, Force: !resume, Progress: r.Progress, Log: r.Log})
	if err != nil {
		return ModelRef{}, fmt.Errorf("train %s: %w", m.Train.Config, err)
	}
	if _, err := os.Stat(ckpt); err != nil {
		return ModelRef{}, fmt.Errorf("trainer %s returned checkpoint %q: %w", m.Train.Kind, ckpt, err)
	}
	if budget != "" {
		// A longer budget will train on in this folder: keep this one's.
		snap := filepath.Join(dir, "best-"+budget+".ckpt")
		if err := copyFile(ckpt, snap); err != nil {
			return ModelRef{}, err
		}
		ckpt = snap
	}
	rel := ckpt
	if rp, err := filepath.Rel(dir, ckpt); err == nil && !strings.HasPrefix(rp, "..") {
		rel = rp
	}
	if err := atomicfile.WriteFile(donePath, []byte(rel+"\n")); err != nil {
		return ModelRef{}, err
	}
	return ModelRef{Dir: dir, Checkpoint: ckpt}, nil
}

// notPast reports an error when the run in last has already trained more
// epochs than the budget in set asks for: resuming cannot go back, so
// budgets sharing a folder must run shortest first (as a sweep whose budget
// axis varies slower than its other axes does).
func notPast(last string, set map[string]any) error {
	v, ok := set["train.epochs"]
	if !ok {
		return nil
	}
	want, ok := toInt(v)
	if !ok {
		return fmt.Errorf("train.epochs %v is not a whole number", v)
	}
	c, err := checkpoint.Load(last, "")
	if err != nil {
		return nil // the trainer reports a damaged checkpoint itself
	}
	if c.Epoch > want {
		return fmt.Errorf("its run has already trained %d epochs, more than the %d this cell asks for: run the shorter budgets first, or delete %s", c.Epoch, want, filepath.Dir(last))
	}
	return nil
}

// copyFile copies src to dst atomically.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(dst, b)
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case uint64:
		return int(x), true
	case float64:
		return int(x), x == float64(int(x))
	}
	return 0, false
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TrainRequestFile is where the runner keeps, in a model folder, the
// experiment's training request (config name and overrides); the trainer's
// own resolved config is config.yaml.
const TrainRequestFile = "train-request.yaml"
