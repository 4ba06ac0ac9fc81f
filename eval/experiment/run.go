package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/internal/dirlock"
	"github.com/mfif/mfif/report"
)

// File names inside a cell folder.
const (
	DoneFile        = "DONE"             // content key, written last
	CellFile        = "cell.json"        // the resolved plan and run info
	CheckpointsFile = "checkpoints.json" // method -> model folder and checkpoint
	LogFile         = "log.txt"
	CellsFile       = "cells.json" // in the experiment folder: every cell
	SpecFile        = "experiment.yaml"
)

// Runner runs the cells of one experiment under Root/<Spec.Name>.
type Runner struct {
	Spec *Spec
	// Root is the runs folder (default "runs").
	Root string
	// Workers fuses pairs in parallel (0: all cores); timing runs use 1.
	Workers int
	// Progress receives progress bars and Log one line per step (nil:
	// silent).
	Progress io.Writer
	Log      io.Writer
	// Device is the compute device actually used, recorded with the
	// results (e.g. "cpu", "cuda:0").
	Device string
	// Context, when cancelled (SIGINT, SIGTERM), stops the run: a training
	// in progress keeps a checkpoint at its current step, finished cells
	// and images stay, and the same command resumes. Nil means never.
	Context context.Context
	// Version is the code version in content keys (default
	// "experiment-v"+Version; CodeVersion() adds the VCS revision).
	Version string
}

// Dir is the experiment's folder.
func (r *Runner) Dir() string {
	root := r.Root
	if root == "" {
		root = "runs"
	}
	return filepath.Join(root, r.Spec.Name)
}

func (r *Runner) version() string {
	if r.Version != "" {
		return r.Version
	}
	return "experiment-v" + Version
}

func (r *Runner) logf(format string, args ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format+"\n", args...)
	}
}

// Status is the state of a cell on disk.
type Status string

// Cell states.
const (
	Done    Status = "done"    // DONE matches the current key
	Partial Status = "partial" // started with the current key, not finished
	Pending Status = "pending" // never started
	Stale   Status = "stale"   // results of another key (config or code changed)
)

// Status reports the state of cell c and its content key.
func (r *Runner) Status(c Cell) (Status, string, error) {
	p, err := r.plan(c)
	if err != nil {
		return "", "", err
	}
	key := p.key()
	dir := filepath.Join(r.Dir(), c.Name)
	if b, err := os.ReadFile(filepath.Join(dir, DoneFile)); err == nil {
		if strings.TrimSpace(string(b)) == key {
			return Done, key, nil
		}
		return Stale, key, nil
	}
	var info struct {
		Key string `json:"key"`
	}
	b, err := os.ReadFile(filepath.Join(dir, CellFile))
	if errors.Is(err, os.ErrNotExist) {
		return Pending, key, nil
	}
	if err != nil || json.Unmarshal(b, &info) != nil || info.Key != key {
		return Stale, key, nil
	}
	return Partial, key, nil
}

// Prepare writes the experiment folder's record: the spec as run and the
// list of all cells (what the report iterates over).
func (r *Runner) Prepare(cells []Cell) error {
	if err := os.MkdirAll(r.Dir(), 0o755); err != nil {
		return fmt.Errorf("experiment %s: %w", r.Spec.Name, err)
	}
	y, err := r.Spec.Yaml()
	if err != nil {
		return fmt.Errorf("experiment %s: encode spec: %w", r.Spec.Name, err)
	}
	if err := atomicfile.WriteFile(filepath.Join(r.Dir(), SpecFile), y); err != nil {
		return err
	}
	return writeJSON(filepath.Join(r.Dir(), CellsFile), cells)
}

// Run prepares the experiment folder and runs the given cells in order,
// skipping finished ones. It stops at the first failing cell.
func (r *Runner) Run(cells []Cell) error {
	all, err := r.Spec.Cells()
	if err != nil {
		return err
	}
	if err := r.Prepare(all); err != nil {
		return err
	}
	for _, c := range cells {
		if err := r.interrupted(); err != nil {
			return fmt.Errorf("experiment %s stopped before cell %d (%s): %w", r.Spec.Name, c.Index, c.Name, err)
		}
		if _, err := r.RunCell(c); err != nil {
			return fmt.Errorf("experiment %s cell %d (%s): %w", r.Spec.Name, c.Index, c.Name, err)
		}
	}
	return nil
}

// interrupted returns the cancellation cause of r.Context, or nil.
func (r *Runner) interrupted() error {
	if r.Context == nil || r.Context.Err() == nil {
		return nil
	}
	return context.Cause(r.Context)
}

// RunCell runs one cell unless it is already done (skipped = true).
// An interrupted cell with the same key is continued; a cell folder with
// another key is renamed to <name>.stale-<time> first, so nothing is lost.
func (r *Runner) RunCell(c Cell) (skipped bool, err error) {
	p, err := r.plan(c)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Join(r.Dir(), ".locks"), 0o755); err != nil {
		return false, err
	}
	unlock, err := dirlock.Wait(filepath.Join(r.Dir(), ".locks", c.Name+".lock"))
	if err != nil {
		return false, err
	}
	defer unlock()
	st, key, err := r.Status(c)
	if err != nil {
		return false, err
	}
	dir := filepath.Join(r.Dir(), c.Name)
	switch st {
	case Done:
		r.logf("cell %d %s: done, skipped", c.Index, c.Name)
		return true, nil
	case Stale:
		aside := dir + ".stale-" + time.Now().UTC().Format("20060102T150405")
		r.logf("cell %d %s: results of an older config or code version moved to %s", c.Index, c.Name, aside)
		if err := os.Rename(dir, aside); err != nil {
			return false, fmt.Errorf("set aside stale cell: %w", err)
		}
	case Partial:
		r.logf("cell %d %s: resuming", c.Index, c.Name)
	default:
		r.logf("cell %d %s: %s", c.Index, c.Name, c.Label())
	}
	cr := &cellRun{r: r, p: p, key: key, dir: dir}
	return false, cr.run()
}

// cellRun is the state of one cell being run.
type cellRun struct {
	r   *Runner
	p   plan
	key string
	dir string
	log io.Writer
}

func (cr *cellRun) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	cr.r.logf("%s", line)
	if cr.log != nil {
		fmt.Fprintf(cr.log, "%s %s\n", time.Now().UTC().Format(time.RFC3339), line)
	}
}

func (cr *cellRun) run() error {
	if err := os.MkdirAll(cr.dir, 0o755); err != nil {
		return err
	}
	lf, err := os.OpenFile(filepath.Join(cr.dir, LogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	cr.log = lf
	if err := cr.writeRecord(); err != nil {
		return err
	}
	// Every dataset and results folder is checked before any training, so
	// a missing folder fails in seconds rather than after hours.
	pairs := map[string][]data.Pair{}
	for _, ds := range report.SortedKeys(cr.p.Datasets) {
		if pairs[ds], err = cr.r.pairs(ds, cr.p.Datasets[ds]); err != nil {
			return err
		}
		for _, m := range cr.p.Methods {
			if dir := resultsDir(m.Results, ds); m.Results != "" && !isDir(dir) {
				return fmt.Errorf("method %s: results folder %q is missing: put the published fused images there (<pair>_%s.png) or drop the method", m.Name, dir, m.Name)
			}
		}
	}
	ckpts, err := cr.models()
	if err != nil {
		return err
	}
	for _, ds := range report.SortedKeys(cr.p.Datasets) {
		if err := cr.dataset(ds, pairs[ds], ckpts); err != nil {
			return fmt.Errorf("dataset %s: %w", ds, err)
		}
	}
	cr.logf("cell %s finished", cr.p.Cell.Name)
	return atomicfile.WriteFile(filepath.Join(cr.dir, DoneFile), []byte(cr.key+"\n"))
}

// RunInfo describes where a cell ran (recorded, not hashed).
type RunInfo struct {
	// Device is Runner.Device, Revision the binary's VCS revision; Host, OS, CPUs, CPUModel and Go describe
	// the machine and toolchain; Started is when the cell (re)started.
	Device   string    `json:"device"`
	Revision string    `json:"revision,omitempty"`
	Host     string    `json:"host"`
	OS       string    `json:"os"`
	CPUs     int       `json:"cpus"`
	CPUModel string    `json:"cpu_model,omitempty"`
	Go       string    `json:"go"`
	Started  time.Time `json:"started"`
}

func runInfo(device string) RunInfo {
	host, _ := os.Hostname()
	if device == "" {
		device = "cpu"
	}
	return RunInfo{Device: device, Revision: Revision(), Host: host, OS: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU(),
		CPUModel: cpuModel(), Go: runtime.Version(), Started: time.Now().UTC()}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// cellRecord is cell.json.
type cellRecord struct {
	Key  string  `json:"key"`
	Plan plan    `json:"plan"`
	Run  RunInfo `json:"run"`
}

func (cr *cellRun) writeRecord() error {
	rec := cellRecord{Key: cr.key, Plan: cr.p, Run: runInfo(cr.r.Device)}
	if err := writeJSON(filepath.Join(cr.dir, CellFile), rec); err != nil {
		return err
	}
	for _, m := range cr.p.Methods {
		if m.Train == nil {
			continue
		}
		y, err := resolvedConfig(m.Train)
		if err != nil {
			return fmt.Errorf("method %s: %w", m.Name, err)
		}
		if err := atomicfile.WriteFile(filepath.Join(cr.dir, "config-"+m.Name+".yaml"), y); err != nil {
			return err
		}
	}
	return nil
}

// resolvedConfig is the trainer config with the overrides applied, as YAML.
func resolvedConfig(t *planTrain) ([]byte, error) {
	b, err := configs.Read(t.Config)
	if err != nil {
		return nil, err
	}
	tree := map[string]any{}
	if err := yaml.Unmarshal(b, &tree); err != nil {
		return nil, fmt.Errorf("config %s: %w", t.Config, err)
	}
	for _, k := range report.SortedKeys(t.Set) {
		if err := configs.Set(tree, k, t.Set[k]); err != nil {
			return nil, fmt.Errorf("config %s: %w", t.Config, err)
		}
	}
	return yaml.Marshal(tree)
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(normalizeJSON(v), "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

// normalizeJSON passes v through unchanged unless it holds map[any]any
// values, which only canonical's normalize can encode.
func normalizeJSON(v any) any {
	if _, err := json.Marshal(v); err == nil {
		return v
	}
	var tmp any
	if err := json.Unmarshal([]byte(canonical(v)), &tmp); err == nil {
		return tmp
	}
	return v
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// pairs resolves a dataset to its pairs, generating synthetic sets once.
func (r *Runner) pairs(name string, d planDataset) ([]data.Pair, error) {
	dir := d.Path
	if d.Synthetic != nil {
		var err error
		if dir, err = r.synthesize(name, *d.Synthetic); err != nil {
			return nil, err
		}
	} else if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("datasets.%s.path %q is not a folder (download the set and pass --set datasets.%s.path=DIR)", name, dir, name)
	}
	ps, err := data.DiscoverPairs(dir)
	if err != nil {
		return nil, fmt.Errorf("datasets.%s: %w", name, err)
	}
	if d.Offset >= len(ps) {
		return nil, fmt.Errorf("datasets.%s: offset %d but only %d pairs in %s", name, d.Offset, len(ps), dir)
	}
	ps = ps[d.Offset:]
	if d.Limit > 0 && d.Limit < len(ps) {
		ps = ps[:d.Limit]
	}
	return ps, nil
}

// SynthDir is where a synthetic dataset is generated.
func (r *Runner) SynthDir(name string, s Synthetic) string {
	sum := sha256.Sum256([]byte(canonical(s)))
	return filepath.Join(r.Dir(), "data", name+"-"+hex.EncodeToString(sum[:4]))
}

func (r *Runner) synthesize(name string, s Synthetic) (string, error) {
	dir := r.SynthDir(name, s)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := dirlock.Wait(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(dir, DoneFile)); err == nil {
		return dir, nil
	}
	r.logf("generating synthetic dataset %s (%d pairs) in %s", name, s.N, dir)
	if _, err := data.WriteSyntheticSet(dir, s.N, s.config(), s.Seed); err != nil {
		return "", fmt.Errorf("datasets.%s.synthetic: %w", name, err)
	}
	return dir, atomicfile.WriteFile(filepath.Join(dir, DoneFile), []byte("ok\n"))
}

// evaluate scores the cell's methods on one dataset into
// metrics/<dataset>.json unless that file exists already.
func (cr *cellRun) evaluate(ds string, pairs []data.Pair, sources []pipeline.Source) error {
	path := filepath.Join(cr.dir, "metrics", ds+".json")
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	d := cr.p.Datasets[ds]
	cfg := map[string]any{"experiment": cr.p.Experiment, "cell": cr.p.Cell.Name, "key": cr.key, "version": cr.p.Version}
	res, err := pipeline.Evaluate(pairs, sources, pipeline.EvalOptions{Metrics: d.Metrics, Dataset: ds, Config: cfg},
		pipeline.Options{Workers: cr.r.Workers, Progress: cr.r.Progress, Context: cr.r.Context})
	if err != nil {
		return err
	}
	cr.logf("evaluated %d methods on %d pairs of %s", len(sources), len(pairs), ds)
	return report.WriteResults(path, res)
}
