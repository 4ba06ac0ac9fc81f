package fusiondiff

import (
	"fmt"
	"strings"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"

	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
)

// Trained is a FusionDiff network ready for sampling.
type Trained struct {
	Config   *Config
	VS       *nn.VarStore
	Model    *netfd.Model
	Schedule *diffusion.Schedule
}

// Close frees the model's tensors.
func (t *Trained) Close() { t.VS.Destroy() }

// LoadTrained loads a FusionDiff checkpoint written by Train (its stored
// config rebuilds the network; EMA weights are used when present), or a
// PyTorch state_dict ".pt"/".pth" file of the reference code, which needs
// cfg (nil: the paper's configuration, configs/fusiondiff.yaml).
func LoadTrained(path string, cfg *Config) (*Trained, error) {
	if strings.HasSuffix(path, ".pt") || strings.HasSuffix(path, ".pth") {
		if cfg == nil {
			c, err := LoadConfig("fusiondiff", nil)
			if err != nil {
				return nil, err
			}
			cfg = c
		}
		t, err := build(cfg)
		if err != nil {
			return nil, err
		}
		if err := netfd.LoadStateDict(t.VS, path); err != nil {
			t.Close()
			return nil, err
		}
		return t, nil
	}
	c, err := train.LoadCheckpoint(path, Kind)
	if err != nil {
		return nil, err
	}
	stored, err := ParseConfig(c.Config)
	if err != nil {
		return nil, fmt.Errorf("load %s: stored config: %w", path, err)
	}
	t, err := build(stored)
	if err != nil {
		return nil, err
	}
	if err := train.LoadWeights(c, t.VS); err != nil {
		t.Close()
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return t, nil
}

func build(cfg *Config) (*Trained, error) {
	s, err := cfg.Diffusion.Schedule()
	if err != nil {
		return nil, err
	}
	vs := nn.NewVarStore(gotch.CPU)
	m, err := netfd.New(vs, cfg.Model)
	if err != nil {
		vs.Destroy()
		return nil, err
	}
	return &Trained{Config: cfg, VS: vs, Model: m, Schedule: s}, nil
}
