package fusiondiff

import (
	"errors"
	"fmt"
	"math"

	"github.com/sugarme/gotch/nn"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/contract"
	"github.com/mfif/mfif/nets/diffusion"
)

// Kind is the model kind recorded in FusionDiff checkpoints.
const Kind = "fusiondiff"

// SpecState names the checkpoint state holding the Spec, so a checkpoint
// alone rebuilds a model ready for sampling.
const SpecState = "model_spec"

// DiffusionConfig is the noise process (the YAML section "diffusion").
type DiffusionConfig struct {
	// Timesteps is T of the cosine schedule (2000 in the reference code).
	Timesteps int `yaml:"timesteps" json:"timesteps"`
	// MaxBeta clips the cosine schedule's betas (0.999).
	MaxBeta float64 `yaml:"max_beta" json:"max_beta"`
	// LossScale multiplies the MSE loss (128 in the reference code).
	LossScale float64 `yaml:"loss_scale" json:"loss_scale"`
	// Objective is what the network predicts: "eps" (the paper, default),
	// "x0" or "v" (Salimans & Ho 2022). Samplers convert to eps.
	Objective string `yaml:"objective,omitempty" json:"objective,omitempty"`
	// Residual, when > 0, makes the process diffuse Residual·(GT − base)
	// instead of the ground truth (SRDiff-style; 0 is the paper).
	Residual float64 `yaml:"residual,omitempty" json:"residual,omitempty"`
	// Base is the base of a residual model: "mean" (or empty) the mean of
	// the sources, "focus" FocusBase, a sharp blend that follows local
	// focus energy.
	Base string `yaml:"base,omitempty" json:"base,omitempty"`
	// Clip is how the samplers clamp the x0 estimate at every step:
	// "unit" (or empty; the reference code) to [-1, 1]; "sources" to the
	// interval between the two sources at each pixel (for a residual model,
	// that interval around the base, scaled: the all-in-focus value lies
	// between the sources, and a residual model clamped to [-1, 1] could
	// move a pixel at most 1/Residual away from the base); "none" not at
	// all.
	Clip string `yaml:"clip,omitempty" json:"clip,omitempty"`
}

// Clip modes of DiffusionConfig.Clip.
const (
	ClipUnit    = "unit"
	ClipSources = "sources"
	ClipNone    = "none"
)

// Schedule builds the cosine schedule.
func (d DiffusionConfig) Schedule() (*diffusion.Schedule, error) {
	return diffusion.Cosine(d.Timesteps, d.MaxBeta)
}

// ParsedObjective returns the prediction objective ("" means eps).
func (d DiffusionConfig) ParsedObjective() (diffusion.Objective, error) {
	return diffusion.ParseObjective(d.Objective)
}

// ClipMode returns the clamp mode (ClipUnit when unset).
func (d DiffusionConfig) ClipMode() string {
	if d.Clip == "" {
		return ClipUnit
	}
	return d.Clip
}

// Bounds returns the per-element clamp bounds of mode ClipSources for the
// planar sources s1 and s2 (CHW, [-1, 1]): per value [min, max] of the
// two sources, for a residual model mapped to the scaled residual around
// base (see BaseOf; unused without Residual).
func (d DiffusionConfig) Bounds(s1, s2, base []float32) *diffusion.Bounds {
	b := &diffusion.Bounds{Lo: make([]float32, len(s1)), Hi: make([]float32, len(s1))}
	for i := range s1 {
		lo, hi := min(s1[i], s2[i]), max(s1[i], s2[i])
		if r := d.Residual; r > 0 {
			m := float64(base[i])
			lo, hi = float32(r*(float64(lo)-m)), float32(r*(float64(hi)-m))
		}
		b.Lo[i], b.Hi[i] = lo, hi
	}
	return b
}

// Validate reports the first invalid setting.
func (d DiffusionConfig) Validate() error {
	if _, err := d.Schedule(); err != nil {
		return fmt.Errorf("diffusion: %w", err)
	}
	if _, err := d.ParsedObjective(); err != nil {
		return fmt.Errorf("diffusion.objective: %w", err)
	}
	if !(d.Residual >= 0) || math.IsInf(d.Residual, 0) {
		return fmt.Errorf("diffusion.residual %g must be finite and >= 0", d.Residual)
	}
	switch d.Base {
	case "", BaseMean:
	case BaseFocus:
		if d.Residual == 0 {
			return fmt.Errorf("diffusion.base %s needs diffusion.residual > 0", d.Base)
		}
	default:
		return fmt.Errorf("diffusion.base %q: want %s or %s", d.Base, BaseMean, BaseFocus)
	}
	switch d.Clip {
	case "", ClipUnit, ClipSources, ClipNone:
	default:
		return fmt.Errorf("diffusion.clip %q: want %s, %s or %s", d.Clip, ClipUnit, ClipSources, ClipNone)
	}
	if !(d.LossScale > 0) || math.IsInf(d.LossScale, 0) {
		return fmt.Errorf("diffusion.loss_scale %g must be finite and > 0", d.LossScale)
	}
	return nil
}

// SampleConfig is the default sampler (the YAML section "sample").
type SampleConfig struct {
	// Sampler is "fusiondiff" (Eq. 7) or "ddim".
	Sampler string `yaml:"sampler" json:"sampler"`
	// Steps is the number of respaced steps (0: all T).
	Steps int `yaml:"steps" json:"steps"`
}

// Spec is everything needed to use a trained network: its architecture,
// the noise process and the default sampler.
type Spec struct {
	Model     Config          `yaml:"model" json:"model"`
	Diffusion DiffusionConfig `yaml:"diffusion" json:"diffusion"`
	Sample    SampleConfig    `yaml:"sample" json:"sample"`
}

// Validate reports the first invalid setting.
func (s Spec) Validate() error {
	if err := s.Model.Validate(); err != nil {
		return err
	}
	if err := s.Diffusion.Validate(); err != nil {
		return err
	}
	sched, _ := s.Diffusion.Schedule()
	if _, err := diffusion.NewSampler(s.Sample.Sampler, sched, s.Sample.Steps); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	return nil
}

// PaperSpec is the reference code's setting: the paper network, the
// 2000-step cosine schedule, eps objective, loss scale 128, Eq. 7 sampling
// over all steps.
func PaperSpec() Spec {
	return Spec{Model: PaperConfig(),
		Diffusion: DiffusionConfig{Timesteps: 2000, MaxBeta: 0.999, LossScale: 128},
		Sample:    SampleConfig{Sampler: "fusiondiff"}}
}

// Model is a FusionDiff network ready for sampling.
type Model struct {
	Spec     Spec
	VS       *nn.VarStore
	Net      *Net
	Schedule *diffusion.Schedule
	// BGR is set for reference state_dicts: the reference code reads
	// images with OpenCV and trains on BGR channel order.
	BGR bool
}

// Close frees the model's tensors.
func (t *Model) Close() {
	if t != nil {
		contract.Free(&t.VS)
	}
}

// Build creates a network of spec s with fresh (PyTorch-default) weights
// on the device chosen by backend.Init.
func Build(s Spec) (*Model, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	sched, err := s.Diffusion.Schedule()
	if err != nil {
		return nil, err
	}
	vs := backend.NewVarStore()
	m, err := New(vs, s.Model)
	if err != nil {
		vs.Destroy()
		return nil, err
	}
	return &Model{Spec: s, VS: vs, Net: m, Schedule: sched}, nil
}

// Role returns contract.ConditionalNoise: the network predicts the noise
// of x_t given the two sources.
func (t *Model) Role() contract.Role { return contract.ConditionalNoise }

// Model keeps the model contract.
var _ contract.Model = (*Model)(nil)

// arch describes FusionDiff networks to the shared loader.
var arch = contract.Arch[Spec, *Model]{
	Name: Kind, Kind: Kind, SpecOf: SpecOf, Validate: Spec.Validate, Match: matchSpec,
	Build: func(s Spec) (*Model, *nn.VarStore, error) {
		m, err := Build(s)
		if err != nil {
			return nil, nil, err
		}
		return m, m.VS, nil
	},
}

// Load reads a FusionDiff checkpoint (the network is rebuilt from its
// stored Spec; EMA weights are used when present) or a PyTorch state_dict
// (".pt"/".pth") of the reference code, which gets spec (nil: PaperSpec)
// and BGR channel order. The file is read and checked before the network
// is built (contract.Arch); every error names the file.
func Load(path string, spec *Spec) (*Model, error) {
	if contract.IsStateDict(path) {
		s := PaperSpec()
		if spec != nil {
			s = *spec
		}
		m, err := arch.LoadStateDict(path, s)
		if err != nil {
			return nil, err
		}
		m.BGR = true
		return m, nil
	}
	m, _, err := arch.LoadCheckpoint(path)
	return m, err
}

// FromCheckpoint rebuilds the network of a FusionDiff checkpoint from its
// stored Spec (see SpecOf) and loads its weights, the EMA weights when
// present (backend.LoadWeights).
func FromCheckpoint(c *checkpoint.Checkpoint) (*Model, error) { return arch.FromCheckpoint(c) }

// matchSpec checks stored tensor shapes against the network of spec s
// without building it.
func matchSpec(s Spec, stored map[string][]int64) error {
	ps, err := Params(s.Model)
	if err != nil {
		return err
	}
	want := make(map[string][]int64, len(ps))
	for _, p := range ps {
		want[p.Name] = p.Shape
	}
	return contract.MatchParams(want, stored, "the FusionDiff network of its spec")
}

// SpecOf returns the Spec stored in a checkpoint: the SpecState written by
// the trainer, or, for checkpoints made before it existed, the model,
// diffusion and sample sections of the stored training config.
func SpecOf(c *checkpoint.Checkpoint) (Spec, error) {
	var s Spec
	if _, ok := c.States[SpecState]; ok {
		if err := c.State(SpecState, &s); err != nil {
			return s, err
		}
		return s, s.Validate()
	}
	if c.Config == "" {
		return s, errors.New("checkpoint holds neither a model spec nor a config")
	}
	if err := yaml.Unmarshal([]byte(c.Config), &s); err != nil {
		return s, fmt.Errorf("stored config: %w", err)
	}
	return s, s.Validate()
}

// Put stores the spec in c (state SpecState).
func (s Spec) Put(c *checkpoint.Checkpoint) error { return c.PutState(SpecState, s) }
