// Package prior trains a small unconditional DDPM with the guided-diffusion
// U-Net (nets/adm) on a folder of natural images, at CPU scale, as an
// alternative to OpenAI's 256x256 ImageNet model for DDFM's zero-shot
// fusion. The objective is the simple epsilon loss of Ho et al. (NeurIPS
// 2020), MSE(eps, eps_theta(x_t, t)) with t uniform over the linear
// schedule; with learn_sigma only the first half of the output (the noise
// estimate) is trained (guided-diffusion's hybrid variance loss is not
// implemented, and DDFM's DDIM sampler never reads the variance).
//
// Training examples are random crops (with random horizontal flips) of
// the images, optionally resized first so their shorter side is
// data.resize pixels. Checkpoints use the shared train format (kind
// "ddfm-prior"); Load also accepts official PyTorch state_dicts.
package prior

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/nets/diffusion"
	"github.com/mfif/mfif/train"
)

// Kind is the model kind stored in prior checkpoints.
const Kind = adm.Kind

// Config is a complete prior-training run (configs/ddfm-prior-cpu.yaml).
type Config struct {
	Name      string           `yaml:"name"`
	Model     ModelConfig      `yaml:"model"`
	Diffusion DiffusionConfig  `yaml:"diffusion"`
	Data      DataConfig       `yaml:"data"`
	Train     train.LoopConfig `yaml:"train"`
}

// ModelConfig is the network: guided-diffusion's flags plus the name
// ("ddfm-prior") the CLI picks the trainer by.
type ModelConfig struct {
	Name       string `yaml:"name"`
	adm.Config `yaml:",inline"`
}

// DiffusionConfig is the noise schedule.
type DiffusionConfig struct {
	// Timesteps is T of the linear schedule (1000 as guided-diffusion).
	Timesteps int `yaml:"timesteps"`
}

// Schedule builds the linear schedule.
func (d DiffusionConfig) Schedule() (*diffusion.Schedule, error) {
	return diffusion.Linear(d.Timesteps)
}

// DataConfig selects the training images.
type DataConfig struct {
	// Dir is a folder of images (any format data.ReadImage reads).
	Dir string `yaml:"dir"`
	// Limit uses the first Limit images in name order (0: all).
	Limit int `yaml:"limit"`
	// Size is the side of the square training crops.
	Size int `yaml:"size"`
	// Resize, if > 0, first resizes every image so its shorter side is
	// Resize pixels (bilinear), so crops hold whole objects.
	Resize int `yaml:"resize"`
}

// LoadConfig reads an embedded config name or a YAML path with dotted-key
// overrides and validates it.
func LoadConfig(nameOrPath string, overrides map[string]any) (*Config, error) {
	return train.LoadConfig[Config](nameOrPath, overrides)
}

// ParseConfig decodes and validates a YAML document (e.g. the one stored in
// a checkpoint).
func ParseConfig(doc string) (*Config, error) { return train.ParseConfig[Config](doc) }

// YAML returns the resolved configuration as YAML.
func (c *Config) YAML() (string, error) {
	b, err := yaml.Marshal(c)
	return string(b), err
}

// Validate reports the first invalid setting.
func (c *Config) Validate() error {
	if c.Model.Name != Kind {
		return fmt.Errorf("model.name %q: want %q", c.Model.Name, Kind)
	}
	if err := c.Model.Validate(); err != nil {
		return err
	}
	if _, err := c.Diffusion.Schedule(); err != nil {
		return fmt.Errorf("diffusion: %w", err)
	}
	switch {
	case c.Data.Size < 1 || c.Data.Size%c.Model.Stride() != 0:
		return fmt.Errorf("data.size %d must be a positive multiple of the U-Net stride %d", c.Data.Size, c.Model.Stride())
	case c.Data.Resize != 0 && c.Data.Resize < c.Data.Size:
		return fmt.Errorf("data.resize %d must be 0 or at least data.size %d", c.Data.Resize, c.Data.Size)
	case c.Data.Limit < 0:
		return fmt.Errorf("data.limit %d must be >= 0", c.Data.Limit)
	}
	return c.Train.Validate()
}
