package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/metrics"
	"go.yaml.in/yaml/v3"
)

// plan is everything a cell resolves to; its JSON (without run info) is
// hashed into the content key.
type plan struct {
	Experiment string                 `json:"experiment"`
	Cell       Cell                   `json:"cell"`
	Version    string                 `json:"version"`
	Datasets   map[string]planDataset `json:"datasets"`
	Metrics    []string               `json:"metrics"`
	Methods    []planMethod           `json:"methods"`
	Timing     bool                   `json:"timing,omitempty"`
}

type planDataset struct {
	Path      string     `json:"path,omitempty"`
	Synthetic *Synthetic `json:"synthetic,omitempty"`
	Offset    int        `json:"offset,omitempty"`
	Limit     int        `json:"limit,omitempty"`
	Metrics   []string   `json:"metrics"`
}

type planMethod struct {
	Name       string         `json:"name"`
	Method     string         `json:"method,omitempty"`
	Options    map[string]any `json:"options,omitempty"`
	Train      *planTrain     `json:"train,omitempty"`
	Checkpoint string         `json:"checkpoint,omitempty"`
	Results    string         `json:"results,omitempty"`
}

type planTrain struct {
	Kind   string         `json:"kind"`
	Config string         `json:"config"`
	Digest string         `json:"config_sha256"` // of the parsed config
	Set    map[string]any `json:"set,omitempty"`
}

// key is the content address of the plan: independent of the cell's
// index, so extending a sweep does not invalidate finished cells.
func (p plan) key() string {
	p.Cell.Index = 0
	sum := sha256.Sum256([]byte(canonical(p)))
	return hex.EncodeToString(sum[:])
}

func (r *Runner) plan(c Cell) (plan, error) {
	s := r.Spec
	p := plan{Experiment: s.Name, Cell: c, Version: r.version(), Metrics: s.Metrics,
		Datasets: map[string]planDataset{}, Timing: s.Outputs.Timing}
	if len(p.Metrics) == 0 {
		p.Metrics = metrics.Primary()
	}
	for name, d := range s.Datasets {
		if d.Train {
			continue // only referred to by train.set
		}
		pd := planDataset{Path: os.ExpandEnv(d.Path), Synthetic: d.Synthetic, Offset: d.Offset, Limit: d.Limit, Metrics: d.Metrics}
		if len(pd.Metrics) == 0 {
			pd.Metrics = p.Metrics
		}
		p.Datasets[name] = pd
	}
	axes, err := s.axes()
	if err != nil {
		return p, err
	}
	for _, m := range s.Methods {
		pm, err := resolveMethod(s, m, c, axes)
		if err != nil {
			return p, err
		}
		p.Methods = append(p.Methods, pm)
	}
	return p, nil
}

func resolveMethod(s *Spec, m MethodSpec, c Cell, axes []namedAxis) (planMethod, error) {
	pm := planMethod{Name: m.Name, Checkpoint: os.ExpandEnv(m.Checkpoint), Results: os.ExpandEnv(m.Results),
		Options: map[string]any{}}
	if m.Results == "" {
		pm.Method = m.registryName()
	}
	for k, v := range m.Options {
		pm.Options[k] = v
	}
	if m.Train != nil {
		b, err := configs.Read(m.Train.Config)
		if err != nil {
			return pm, fmt.Errorf("method %s: %w", m.Name, err)
		}
		// Hash the parsed document, not the bytes, so editing a comment
		// or the layout of a config does not invalidate finished runs.
		var tree any
		if err := yaml.Unmarshal(b, &tree); err != nil {
			return pm, fmt.Errorf("method %s: config %s: %w", m.Name, m.Train.Config, err)
		}
		norm, err := yaml.Marshal(tree)
		if err != nil {
			return pm, fmt.Errorf("method %s: config %s: %w", m.Name, m.Train.Config, err)
		}
		sum := sha256.Sum256(norm)
		pm.Train = &planTrain{Kind: m.Train.Kind, Config: m.Train.Config, Digest: hex.EncodeToString(sum[:]),
			Set: map[string]any{}}
		for k, v := range m.Train.Set {
			if str, ok := v.(string); ok {
				if v, err = datasetRefs(s, str); err != nil {
					return pm, fmt.Errorf("method %s: train.set.%s: %w", m.Name, k, err)
				}
			}
			pm.Train.Set[k] = v
		}
	}
	for _, a := range axes {
		path, ok := s.targets(a.Axis, a.name)[m.Name]
		if !ok {
			continue
		}
		v, _ := c.Value(a.name)
		if opt, isOpt := strings.CutPrefix(path, "options."); isOpt {
			pm.Options[opt] = v
		} else {
			pm.Train.Set[path] = v
		}
	}
	return pm, nil
}

// datasetRefs replaces each "{datasets.<name>.path}" in v by that
// dataset's folder.
func datasetRefs(s *Spec, v string) (string, error) {
	for {
		i := strings.Index(v, "{datasets.")
		if i < 0 {
			return v, nil
		}
		j := strings.Index(v[i:], ".path}")
		if j < 0 {
			return "", fmt.Errorf("%q: want {datasets.<name>.path}", v)
		}
		name := v[i+len("{datasets.") : i+j]
		d, ok := s.Datasets[name]
		if !ok || d.Path == "" {
			return "", fmt.Errorf("%q: no dataset %q with a path (declare datasets.%s and pass --set datasets.%s.path=DIR)", v, name, name, name)
		}
		v = v[:i] + os.ExpandEnv(d.Path) + v[i+j+len(".path}"):]
	}
}
