// Package fusiondiff trains FusionDiff's conditional noise predictor (Li et
// al., ESWA 238 (2024) 121664) on few-shot triplet folders (source_1/,
// source_2/, full_clear/): x_t = sqrt(abar_t) GT + sqrt(1-abar_t) eps with t
// uniform, loss = LossScale * MSE(eps, eps_theta([S1, S2, x_t], t)). The
// network may instead be trained to predict x0 or v (diffusion.objective),
// with the loss on that target, and may diffuse a scaled residual against
// the mean of the sources instead of GT (diffusion.residual).
package fusiondiff

import (
	"fmt"
	"math"

	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
	"go.yaml.in/yaml/v3"
)

// Kind is the model kind stored in FusionDiff checkpoints.
const Kind = "fusiondiff"

// Config is a complete FusionDiff run: network, diffusion, data, training
// and default sampling settings (configs/fusiondiff.yaml).
type Config struct {
	Name      string          `yaml:"name"`
	Model     netfd.Config    `yaml:"model"`
	Diffusion DiffusionConfig `yaml:"diffusion"`
	Data      DataConfig      `yaml:"data"`
	Train     TrainConfig     `yaml:"train"`
	Sample    SampleConfig    `yaml:"sample"`
}

// DiffusionConfig is the noise schedule and the loss weight.
type DiffusionConfig struct {
	// Timesteps is T (2000 in the paper); the schedule is cosine.
	Timesteps int `yaml:"timesteps"`
	// MaxBeta caps every beta (0.999).
	MaxBeta float64 `yaml:"max_beta"`
	// LossScale multiplies the MSE (128 in the reference code).
	LossScale float64 `yaml:"loss_scale"`
	// Objective is what the network predicts: "eps" (the paper; also
	// the meaning of an omitted key), "x0" or "v" (see
	// diffusion.Objective). Samplers convert the output to eps.
	Objective string `yaml:"objective,omitempty"`
	// Residual, if > 0, diffuses Residual * (GT - (S1+S2)/2) instead of
	// GT and sampling adds the source mean back: the residual prediction
	// of SRDiff (Li et al., Neurocomputing 479 (2022) 47-59,
	// arXiv:2104.14951), not part of FusionDiff. It lets a small, briefly
	// trained model start from the plain average. The factor brings the
	// small residual towards unit scale, as latent diffusion rescales its
	// latents (Rombach et al., CVPR 2022); 0 is off (the paper).
	Residual float64 `yaml:"residual,omitempty"`
}

// Schedule builds the cosine schedule.
func (d DiffusionConfig) Schedule() (*diffusion.Schedule, error) {
	return diffusion.Cosine(d.Timesteps, d.MaxBeta)
}

// ParsedObjective returns the prediction objective (eps when unset).
func (d DiffusionConfig) ParsedObjective() (diffusion.Objective, error) {
	return diffusion.ParseObjective(d.Objective)
}

// DataConfig selects the training triplets.
type DataConfig struct {
	// Dir holds source_1/, source_2/ and full_clear/.
	Dir string `yaml:"dir"`
	// Pairs is the few-shot training-set size N: the first N pairs in
	// natural name order (0: all).
	Pairs int `yaml:"pairs"`
	// Size is the training side length.
	Size int `yaml:"size"`
	// Mode is "resize" (whole image resized to Size x Size with OpenCV's
	// bilinear geometry and 8-bit rounding, as the reference loader) or
	// "crop" (a random Size x Size crop of the native image per sample).
	Mode string `yaml:"mode"`
}

// TrainConfig is the optimisation section, shared with the other diffusion
// trainer.
type TrainConfig = train.LoopConfig

// SampleConfig holds inference defaults stored with the model.
type SampleConfig struct {
	// Sampler is "fusiondiff" (all T steps, Eq. 7) or "ddim".
	Sampler string `yaml:"sampler"`
	// Steps is the DDIM step count K (0: T).
	Steps int `yaml:"steps"`
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
	if err := c.Model.Validate(); err != nil {
		return err
	}
	if _, err := c.Diffusion.Schedule(); err != nil {
		return fmt.Errorf("diffusion: %w", err)
	}
	if _, err := c.Diffusion.ParsedObjective(); err != nil {
		return fmt.Errorf("diffusion.objective: %w", err)
	}
	if !(c.Diffusion.Residual >= 0) || math.IsInf(c.Diffusion.Residual, 0) {
		return fmt.Errorf("diffusion.residual %g must be finite and >= 0", c.Diffusion.Residual)
	}
	if !(c.Diffusion.LossScale > 0) {
		return fmt.Errorf("diffusion.loss_scale %g must be > 0", c.Diffusion.LossScale)
	}
	switch {
	case c.Data.Size < 2 || c.Data.Size%c.Model.Stride() != 0:
		return fmt.Errorf("data.size %d must be a positive multiple of the U-Net stride %d", c.Data.Size, c.Model.Stride())
	case c.Data.Mode != "resize" && c.Data.Mode != "crop":
		return fmt.Errorf("data.mode %q: want resize or crop", c.Data.Mode)
	case c.Data.Pairs < 0:
		return fmt.Errorf("data.pairs %d must be >= 0", c.Data.Pairs)
	case c.Train.Epochs < 0 || c.Train.BatchSize < 1:
		return fmt.Errorf("train.epochs %d must be >= 0 and train.batch_size %d >= 1", c.Train.Epochs, c.Train.BatchSize)
	case c.Train.EMA < 0 || c.Train.EMA >= 1:
		return fmt.Errorf("train.ema %g must be in [0, 1)", c.Train.EMA)
	case c.Train.CheckpointEvery < 0 || c.Train.Threads < 0:
		return fmt.Errorf("train.checkpoint_every and train.threads must be >= 0")
	}
	if _, err := train.NewSchedule(c.Train.Schedule); err != nil {
		return fmt.Errorf("train.schedule: %w", err)
	}
	s, _ := c.Diffusion.Schedule()
	if _, err := diffusion.NewSampler(c.Sample.Sampler, s, c.Sample.Steps); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	return nil
}
