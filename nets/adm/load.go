package adm

import (
	"fmt"

	"github.com/sugarme/gotch/nn"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/contract"
	"github.com/mfif/mfif/nets/diffusion"
)

// Kind is the model kind of prior checkpoints written by
// train/prior.
const Kind = "ddfm-prior"

// SpecState names the checkpoint state holding a prior's Spec.
const SpecState = "model_spec"

// Spec is what is needed to use a trained prior: the network and the
// length of its linear noise schedule.
type Spec struct {
	Net       Config `json:"net"`
	Timesteps int    `json:"timesteps"`
}

// Model is an unconditional noise predictor ready for sampling.
type Model struct {
	Config   Config
	VS       *nn.VarStore
	Net      *Net
	Schedule *diffusion.Schedule
}

// Close frees the model's tensors.
func (p *Model) Close() {
	if p != nil {
		contract.Free(&p.VS)
	}
}

// Build creates a prior of configuration c with fresh weights on the
// device chosen by backend.Init and a T-step linear schedule.
func Build(c Config, T int) (*Model, error) {
	s, err := diffusion.Linear(T)
	if err != nil {
		return nil, err
	}
	vs := backend.NewVarStore()
	m, err := New(vs, c)
	if err != nil {
		vs.Destroy()
		return nil, err
	}
	return &Model{Config: c, VS: vs, Net: m, Schedule: s}, nil
}

// Random returns a prior of configuration c with freshly initialised
// weights (seeded through libtorch), for tests and benchmarks.
func Random(c Config, T int, seed int64) (*Model, error) {
	backend.ManualSeed(seed)
	return Build(c, T)
}

// Role returns contract.UnconditionalPrior: the network predicts the noise
// of x_t alone, a prior that DDFM's sampler steers.
func (p *Model) Role() contract.Role { return contract.UnconditionalPrior }

// Model keeps the model contract.
var _ contract.Model = (*Model)(nil)

// arch describes ADM priors to the shared loader.
var arch = contract.Arch[Spec, *Model]{
	Name: "ddfm prior", Kind: Kind, SpecOf: specOf, Validate: Spec.Validate,
	Match: func(s Spec, stored map[string][]int64) error { return matchParams(s.Net, stored) },
	Build: func(s Spec) (*Model, *nn.VarStore, error) {
		m, err := Build(s.Net, s.Timesteps)
		if err != nil {
			return nil, nil, err
		}
		return m, m.VS, nil
	},
}

// Validate checks the network configuration and the schedule length.
func (s Spec) Validate() error {
	if err := s.Net.Validate(); err != nil {
		return err
	}
	if s.Timesteps < 1 {
		return fmt.Errorf("adm spec: %d timesteps, need >= 1", s.Timesteps)
	}
	return nil
}

// Load loads a prior checkpoint (train/prior; EMA weights when present)
// or a PyTorch state_dict (".pt"/".pth") of guided-diffusion's UNetModel,
// which needs its configuration: cfg nil means the official
// 256x256_diffusion_uncond model (Official256) with the 1000-step linear
// schedule. The file is read and its tensor names and shapes are checked
// against the configuration before the network is built (contract.Arch),
// so a wrong or damaged file fails in milliseconds instead of after
// building a 550 M parameter network. Errors name the file.
func Load(path string, cfg *Config) (*Model, error) {
	if contract.IsStateDict(path) {
		s := Spec{Net: Official256(), Timesteps: 1000}
		if cfg != nil {
			s.Net = *cfg
		}
		return arch.LoadStateDict(path, s)
	}
	m, _, err := arch.LoadCheckpoint(path)
	return m, err
}

// FromCheckpoint rebuilds the network of a prior checkpoint (kind Kind)
// from its stored spec and loads its weights, the EMA weights when present
// (backend.LoadWeights). Tensor names and shapes are checked against the
// spec before the network is built.
func FromCheckpoint(c *checkpoint.Checkpoint) (*Model, error) { return arch.FromCheckpoint(c) }

// specOf returns the PriorSpec stored in c, or for checkpoints made
// before the spec was stored, the model and diffusion sections of the
// stored training config.
func specOf(c *checkpoint.Checkpoint) (Spec, error) {
	var s Spec
	if _, ok := c.States[SpecState]; ok {
		err := c.State(SpecState, &s)
		return s, err
	}
	var doc struct {
		Model     Config `yaml:"model"`
		Diffusion struct {
			Timesteps int `yaml:"timesteps"`
		} `yaml:"diffusion"`
	}
	if c.Config == "" {
		return s, fmt.Errorf("checkpoint holds neither a model spec nor a config")
	}
	if err := yaml.Unmarshal([]byte(c.Config), &doc); err != nil {
		return s, fmt.Errorf("stored config: %w", err)
	}
	return Spec{Net: doc.Model, Timesteps: doc.Diffusion.Timesteps}, nil
}

// matchParams checks stored tensor shapes against the parameters of
// configuration c without building the network.
func matchParams(c Config, stored map[string][]int64) error {
	ps, err := Params(c)
	if err != nil {
		return err
	}
	want := make(map[string][]int64, len(ps))
	for _, p := range ps {
		want[p.Name] = p.Shape
	}
	return contract.MatchParams(want, stored, fmt.Sprintf("a %d-channel ADM U-Net", c.NumChannels))
}

// Put stores the prior's spec in c (state SpecState).
func (s Spec) Put(c *checkpoint.Checkpoint) error { return c.PutState(SpecState, s) }
