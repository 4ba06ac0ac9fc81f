package prior

import (
	"fmt"
	"strings"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
	"github.com/mfif/mfif/nets/guided"
	"github.com/mfif/mfif/train"
)

// Prior is an unconditional noise predictor ready for sampling.
type Prior struct {
	Config   guided.Config
	VS       *nn.VarStore
	Model    *guided.Model
	Schedule *diffusion.Schedule
}

// Close frees the model's tensors.
func (p *Prior) Close() { p.VS.Destroy() }

// LoadPrior loads a checkpoint written by Train (EMA weights when present)
// or a PyTorch state_dict (".pt"/".pth") of guided-diffusion's UNetModel.
// A state_dict needs its configuration: cfg nil means the official
// 256x256_diffusion_uncond model (guided.Official256) with the 1000-step
// linear schedule.
func LoadPrior(path string, cfg *guided.Config) (*Prior, error) {
	if strings.HasSuffix(path, ".pt") || strings.HasSuffix(path, ".pth") {
		c := guided.Official256()
		if cfg != nil {
			c = *cfg
		}
		p, err := build(c, 1000)
		if err != nil {
			return nil, err
		}
		sd, err := backend.LoadStateDict(path)
		if err == nil {
			err = backend.ApplyStateDict(p.VS, sd, true)
			for _, t := range sd {
				t.MustDrop()
			}
		}
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("load prior %s: %w", path, err)
		}
		return p, nil
	}
	c, err := train.LoadCheckpoint(path, Kind)
	if err != nil {
		return nil, err
	}
	stored, err := ParseConfig(c.Config)
	if err != nil {
		return nil, fmt.Errorf("load %s: stored config: %w", path, err)
	}
	p, err := build(stored.Model.Config, stored.Diffusion.Timesteps)
	if err != nil {
		return nil, err
	}
	if err := train.LoadWeights(c, p.VS); err != nil {
		p.Close()
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return p, nil
}

// build creates a prior with fresh weights.
func build(c guided.Config, T int) (*Prior, error) {
	s, err := diffusion.Linear(T)
	if err != nil {
		return nil, err
	}
	vs := nn.NewVarStore(gotch.CPU)
	m, err := guided.New(vs, c)
	if err != nil {
		vs.Destroy()
		return nil, err
	}
	return &Prior{Config: c, VS: vs, Model: m, Schedule: s}, nil
}

// Random returns a prior of configuration c with freshly initialised
// weights (seeded through libtorch), for tests and benchmarks.
func Random(c guided.Config, T int, seed int64) (*Prior, error) {
	backend.ManualSeed(seed)
	return build(c, T)
}
