package experiment

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

// Spec is one experiment file.
type Spec struct {
	// Name names the run folder runs/<Name>; it defaults to the file name.
	Name string `yaml:"name"`
	// Description is copied into the report.
	Description string `yaml:"description"`
	// Datasets are keyed by name, so a path can be overridden on the command
	// line as datasets.<name>.path=DIR.
	Datasets map[string]Dataset `yaml:"datasets"`
	// Methods are evaluated on every dataset, in this order.
	Methods []MethodSpec `yaml:"methods"`
	// Metrics are metric registry names; empty means the paper's six
	// (unless Suites names some).
	Metrics []string `yaml:"metrics"`
	// Suites names reference-toolkit metric suites (metrics.SuiteNames,
	// e.g. zhengliu, cddfuse); Load and Parse append their metric keys
	// "<suite>.<name>" to Metrics, in the toolkit's order.
	Suites []string `yaml:"suites"`
	// Sweep varies configuration keys; empty means one cell.
	Sweep Sweep `yaml:"sweep"`
	// Outputs selects what runs and reports produce.
	Outputs Outputs `yaml:"outputs"`
	// Slurm holds defaults for --emit slurm.
	Slurm SlurmOptions `yaml:"slurm"`
}

// Dataset is a folder of pairs (see data.DiscoverPairs), or a synthetic set
// generated into the run folder.
type Dataset struct {
	// Path is the pair folder; $VARS are expanded and relative paths are
	// taken from the working directory.
	Path string `yaml:"path"`
	// Synthetic, when set, generates the set instead of reading Path.
	Synthetic *Synthetic `yaml:"synthetic"`
	// Offset and Limit select pairs[Offset:Offset+Limit] in natural order
	// (Limit 0: all), e.g. to test on pairs a few-shot model never saw.
	Offset int `yaml:"offset"`
	Limit  int `yaml:"limit"`
	// Metrics replaces the experiment's metric list for this dataset (for
	// example adding full-reference metrics where a reference exists).
	Metrics []string `yaml:"metrics"`
	// Train marks a set that only trains models: it is neither fused nor
	// scored, and a method's train.set refers to its folder as
	// "{datasets.<name>.path}" (any dataset with a path may be referred to).
	Train bool `yaml:"train"`
}

// Synthetic describes a generated pair set (data.WriteSyntheticSet).
type Synthetic struct {
	// N is the number of pairs and Seed makes them reproducible.
	N    int   `yaml:"n"`
	Seed int64 `yaml:"seed"`
	// W, H, Gray, SigmaMin, SigmaMax and EdgeSigma are the
	// data.SynthConfig fields of the same names (zero: its defaults).
	W         int     `yaml:"w"`
	H         int     `yaml:"h"`
	Gray      bool    `yaml:"gray"`
	SigmaMin  float64 `yaml:"sigma_min"`
	SigmaMax  float64 `yaml:"sigma_max"`
	EdgeSigma float64 `yaml:"edge_sigma"`
}

func (s Synthetic) config() data.SynthConfig {
	return data.SynthConfig{W: s.W, H: s.H, Gray: s.Gray, SigmaMin: s.SigmaMin, SigmaMax: s.SigmaMax, EdgeSigma: s.EdgeSigma}
}

// MethodSpec is one row of the comparison. Exactly one of the following
// holds: Train (a model trained from a config), Checkpoint (a trained
// model), Results (a folder of published fused images named
// <pair>_<Name>.<ext> or <Name>/<pair>.<ext>), or none (a registry method).
type MethodSpec struct {
	// Name labels the method in files and tables: letters, digits, '-', '_'.
	Name string `yaml:"name"`
	// Method is the eval registry name (default: Name).
	Method string `yaml:"method"`
	// Options are passed to eval.New; trained methods also get model=CKPT.
	Options map[string]any `yaml:"options"`
	// Train trains the model before fusing.
	Train *TrainSpec `yaml:"train"`
	// Checkpoint is a trained model passed as option model.
	Checkpoint string `yaml:"checkpoint"`
	// Results is a folder of another method's fused images; "{dataset}"
	// in it is replaced by the dataset name (results/{dataset}).
	Results string `yaml:"results"`
}

// TrainSpec names a trainer and its config.
type TrainSpec struct {
	// Kind selects the trainer registered with RegisterTrainer.
	Kind string `yaml:"kind"`
	// Config is an embedded config name or a YAML path.
	Config string `yaml:"config"`
	// Set holds dotted-key overrides of the config.
	Set map[string]any `yaml:"set"`
}

// Outputs selects optional products.
type Outputs struct {
	// Timing fuses one pair at a time and records seconds per pair
	// (fusion only, no file I/O) for a runtime table.
	Timing bool `yaml:"timing"`
	// Std prints mean ± std in tables.
	Std bool `yaml:"std"`
	// Repeat names the sweep axis whose values are repetitions (seeds):
	// line plots average over it and draw its spread as error bars.
	Repeat string `yaml:"repeat"`
	// Figures are qualitative figures drawn by the report.
	Figures []Figure `yaml:"figures"`
}

// Figure is a qualitative figure of one pair: the sources, every method's
// fused image (or decision map) in every finished cell, and the difference
// of each fused image to the far-focus source.
type Figure struct {
	// Dataset and Pair name the scene.
	Dataset string `yaml:"dataset"`
	Pair    string `yaml:"pair"`
	// Far is the 1-based index of the source whose focus is far (the
	// difference maps are taken against it); default: the last source.
	Far int `yaml:"far"`
	// Zoom is an optional box [x0, y0, x1, y1] shown enlarged.
	Zoom []int `yaml:"zoom"`
	// Maps draws decision maps instead of fused images and differences.
	Maps bool `yaml:"maps"`
	// Methods limits the figure to these methods (default: all).
	Methods []string `yaml:"methods"`
}

// SlurmOptions are #SBATCH settings of the emitted array script.
type SlurmOptions struct {
	// Time is --time (e.g. "24:00:00"), CPUs --cpus-per-task, Mem --mem,
	// Partition --partition and GPUs --gres=gpu:N; empty or zero values
	// are left out.
	Time      string `yaml:"time"`
	CPUs      int    `yaml:"cpus"`
	Mem       string `yaml:"mem"`
	Partition string `yaml:"partition"`
	GPUs      int    `yaml:"gpus"`
	// Extra lines are added verbatim after "#SBATCH ".
	Extra []string `yaml:"extra"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// Load reads an experiment file, applies dotted-key overrides
// ("datasets.lytro.path": "/data/lytro") and decodes it strictly, so an
// unknown key is an error naming it. The result is validated (see
// Spec.Validate) but dataset folders are not checked until a run.
func Load(path string, overrides map[string]any) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("experiment %s: %w", path, err)
	}
	if err := declaredDatasets(b, overrides); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", path, err)
	}
	var s Spec
	if err := configs.Decode(b, overrides, &s); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", path, err)
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", path, err)
	}
	s.expandSuites()
	return &s, nil
}

// Parse decodes an experiment from YAML bytes (name must be set in it).
func Parse(b []byte, overrides map[string]any) (*Spec, error) {
	if err := declaredDatasets(b, overrides); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	var s Spec
	if err := configs.Decode(b, overrides, &s); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", s.Name, err)
	}
	s.expandSuites()
	return &s, nil
}

// suiteKeys returns the metric keys of s.Suites (nil when none is named).
func (s *Spec) suiteKeys() ([]string, error) {
	if len(s.Suites) == 0 {
		return nil, nil
	}
	return metrics.SuiteKeys(strings.Join(s.Suites, ","))
}

// expandSuites appends the metric keys of s.Suites to s.Metrics, skipping
// keys already listed. Validate has checked the suite names.
func (s *Spec) expandSuites() {
	keys, _ := s.suiteKeys()
	for _, k := range keys {
		if !slices.Contains(s.Metrics, k) {
			s.Metrics = append(s.Metrics, k)
		}
	}
}

// Validate checks names, method kinds, metrics and sweep axes. Trainer kinds
// and eval methods are looked up in their registries.
func (s *Spec) Validate() error {
	if !nameRE.MatchString(s.Name) {
		return fmt.Errorf("name %q: want letters, digits, '-' or '_'", s.Name)
	}
	if len(s.Datasets) == 0 {
		return errors.New("datasets: none given")
	}
	var unset []string
	for _, name := range report.SortedKeys(s.Datasets) {
		d := s.Datasets[name]
		if d.Synthetic == nil && d.Path == "" && nameRE.MatchString(name) {
			unset = append(unset, name)
			continue
		}
		if err := d.validate(name); err != nil {
			return err
		}
	}
	if len(unset) > 0 {
		return unsetPaths(unset)
	}
	if len(s.Methods) == 0 {
		return errors.New("methods: none given")
	}
	seen := map[string]bool{}
	for i, m := range s.Methods {
		if err := m.validate(); err != nil {
			return fmt.Errorf("methods[%d]: %w", i, err)
		}
		if m.Train != nil {
			for _, k := range report.SortedKeys(m.Train.Set) {
				if v, ok := m.Train.Set[k].(string); ok {
					if _, err := datasetRefs(s, v); err != nil {
						return fmt.Errorf("methods[%d]: train.set.%s: %w", i, k, err)
					}
				}
			}
		}
		if seen[m.Name] {
			return fmt.Errorf("methods[%d]: name %q used twice", i, m.Name)
		}
		seen[m.Name] = true
	}
	if _, err := s.suiteKeys(); err != nil {
		return fmt.Errorf("suites: %w", err)
	}
	for _, list := range append([][]string{s.Metrics}, datasetMetrics(s.Datasets)...) {
		for _, name := range list {
			if _, err := metrics.Lookup(name); err != nil {
				return fmt.Errorf("metrics: %w", err)
			}
		}
	}
	if _, err := s.axes(); err != nil {
		return err
	}
	if s.Outputs.Repeat != "" && !s.hasAxis(s.Outputs.Repeat) {
		return fmt.Errorf("outputs.repeat %q: no sweep axis of that name", s.Outputs.Repeat)
	}
	for i, f := range s.Outputs.Figures {
		if d, ok := s.Datasets[f.Dataset]; !ok || d.Train {
			return fmt.Errorf("outputs.figures[%d]: unknown dataset %q", i, f.Dataset)
		}
		if f.Pair == "" || (len(f.Zoom) != 0 && len(f.Zoom) != 4) || f.Far < 0 {
			return fmt.Errorf("outputs.figures[%d]: want a pair, far >= 0 and zoom [x0, y0, x1, y1] or none", i)
		}
	}
	return nil
}

// unsetPaths says which dataset keys a run needs set, as the flags to add.
func unsetPaths(names []string) error {
	flags := make([]string, len(names))
	for i, n := range names {
		flags[i] = "--set datasets." + n + ".path=DIR"
	}
	what := "dataset " + names[0] + " has"
	if len(names) > 1 {
		what = "datasets " + strings.Join(names, ", ") + " have"
	}
	return fmt.Errorf("%s no folder: pass %s (the folder of each set's pairs; see docs/reproduce.md)", what, strings.Join(flags, " "))
}

func datasetMetrics(ds map[string]Dataset) [][]string {
	var out [][]string
	for _, d := range ds {
		out = append(out, d.Metrics)
	}
	return out
}

func (d Dataset) validate(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("datasets.%s: name: want letters, digits, '-' or '_'", name)
	}
	if d.Offset < 0 || d.Limit < 0 {
		return fmt.Errorf("datasets.%s: offset and limit must be >= 0", name)
	}
	if d.Synthetic == nil {
		if d.Path == "" {
			return unsetPaths([]string{name})
		}
		return nil
	}
	if d.Path != "" {
		return fmt.Errorf("datasets.%s: give either path or synthetic, not both", name)
	}
	if d.Synthetic.N < 1 || d.Synthetic.N > 100000 {
		return fmt.Errorf("datasets.%s.synthetic.n = %d: want 1..100000", name, d.Synthetic.N)
	}
	return nil
}

func (m MethodSpec) validate() error {
	if !nameRE.MatchString(m.Name) || strings.EqualFold(m.Name, "map") {
		return fmt.Errorf("name %q: want letters, digits, '-' or '_' (and not \"map\")", m.Name)
	}
	n := 0
	for _, set := range []bool{m.Train != nil, m.Checkpoint != "", m.Results != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("method %s: give at most one of train, checkpoint, results", m.Name)
	}
	if m.Results != "" {
		if m.Method != "" || len(m.Options) != 0 {
			return fmt.Errorf("method %s: a results folder takes no method or options", m.Name)
		}
		return nil
	}
	if _, err := eval.Lookup(m.registryName()); err != nil {
		return fmt.Errorf("method %s: %w", m.Name, err)
	}
	if m.Train != nil {
		if _, err := LookupTrainer(m.Train.Kind); err != nil {
			return fmt.Errorf("method %s: %w", m.Name, err)
		}
		if m.Train.Config == "" {
			return fmt.Errorf("method %s: train.config is empty", m.Name)
		}
		if _, err := configs.Read(m.Train.Config); err != nil {
			return fmt.Errorf("method %s: train.%w", m.Name, err)
		}
	}
	if _, ok := m.Options["model"]; ok && (m.Train != nil || m.Checkpoint != "") {
		return fmt.Errorf("method %s: option model is set from train/checkpoint; do not give it", m.Name)
	}
	return nil
}

func (m MethodSpec) registryName() string {
	if m.Method != "" {
		return m.Method
	}
	return m.Name
}

// isModel reports whether the method is a trained model (short-form sweep
// axes apply to these).
func (m MethodSpec) isModel() bool { return m.Train != nil || m.Checkpoint != "" }

// Yaml returns the spec as YAML (written next to the runs for the record).
func (s *Spec) Yaml() ([]byte, error) { return yaml.Marshal(s) }
