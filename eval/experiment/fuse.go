package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/eval/pipeline"
)

// FusedDir is where a cell keeps one method's fused images of a dataset.
func FusedDir(cellDir, dataset, method string) string {
	return filepath.Join(cellDir, "fused", dataset, method)
}

// dataset fuses the pairs of one dataset with every method and evaluates.
func (cr *cellRun) dataset(ds string, pairs []data.Pair, ckpts map[string]ModelRef) error {
	var sources []pipeline.Source
	for _, m := range cr.p.Methods {
		if m.Results != "" {
			sources = append(sources, pipeline.Source{Method: m.Name, Dir: resultsDir(m.Results, ds)})
			continue
		}
		opts := eval.Options{}
		for k, v := range m.Options {
			opts[k] = v
		}
		if ref, ok := ckpts[m.Name]; ok {
			opts["model"] = ref.Checkpoint
		}
		dir := FusedDir(cr.dir, ds, m.Name)
		if err := cr.fuse(ds, pairs, m, opts, dir); err != nil {
			return fmt.Errorf("method %s: %w", m.Name, err)
		}
		sources = append(sources, pipeline.Source{Method: m.Name, Dir: dir})
	}
	return cr.evaluate(ds, pairs, sources)
}

// resultsDir expands the {dataset} placeholder of a results folder.
func resultsDir(pattern, dataset string) string {
	return strings.ReplaceAll(pattern, "{dataset}", dataset)
}

// Timing is one method's per-pair fusion time on one dataset
// (timing/<dataset>/<method>.json).
type Timing struct {
	// Method, Dataset and Device identify the measurement; Seconds maps
	// each pair to its fusion time.
	Method  string             `json:"method"`
	Dataset string             `json:"dataset"`
	Device  string             `json:"device"`
	Seconds map[string]float64 `json:"seconds"`
}

// fuse writes the fused image (and decision map, as MapName) of every pair
// not yet in dir, through pipeline.FuseFolderWith: the fused image is
// written last, atomically, so its presence means the pair is complete. In
// timing mode pairs run one at a time after an untimed warm-up, and each
// pair's fusion time is saved as it completes.
func (cr *cellRun) fuse(ds string, pairs []data.Pair, m planMethod, opts eval.Options, dir string) error {
	var todo []data.Pair
	for _, p := range pairs {
		if _, err := os.Stat(filepath.Join(dir, pipeline.FusedName(p.Name, m.Name))); err != nil {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	cr.logf("fusing %d of %d pairs of %s with %s", len(todo), len(pairs), ds, m.Name)
	fo := pipeline.FuseOptions{
		Label:   m.Name,
		MapName: func(pair, _ string) string { return pipeline.MapName(pair) },
		Task:    fmt.Sprintf("fuse %s/%s", ds, m.Name),
	}
	if cr.p.Timing {
		path := filepath.Join(cr.dir, "timing", ds, m.Name+".json")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		tm := Timing{Method: m.Name, Dataset: ds, Device: runInfo(cr.r.Device).Device, Seconds: map[string]float64{}}
		_ = readJSON(path, &tm) // keep the times of pairs fused before an interruption
		fo.Task = fmt.Sprintf("time %s/%s", ds, m.Name)
		fo.Timed = func(pair string, sec float64) error {
			tm.Seconds[pair] = sec
			return writeJSON(path, tm)
		}
	}
	_, err := pipeline.FuseFolderWith(todo, m.Method, opts, dir, pipeline.Options{Workers: cr.r.Workers, Progress: cr.r.Progress, Context: cr.r.Context}, fo)
	return err
}
