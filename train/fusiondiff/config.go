// Package fusiondiff trains FusionDiff's conditional noise predictor (Li et
// al., ESWA 238 (2024) 121664, nets/fusiondiff) on few-shot triplet folders
// (source_1/, source_2/, full_clear/) through the one training loop of
// package train: x_t = sqrt(abar_t) GT + sqrt(1-abar_t) eps with t uniform,
// loss = LossScale * MSE(eps, eps_theta([S1, S2, x_t], t)). The network may
// instead be trained to predict x0 or v (diffusion.objective), with the
// loss on that target, and may diffuse a scaled residual against the mean
// of the sources instead of GT (diffusion.residual). Using a trained model
// (loading, sampling) needs only nets/fusiondiff.
package fusiondiff

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
)

// Kind is the model kind of FusionDiff checkpoints.
const Kind = netfd.Kind

// Config is a complete training run (configs/fusiondiff.yaml,
// fusiondiff-cpu.yaml): the model spec (model, diffusion and sample
// sections, stored in checkpoints for inference), the data and the loop.
type Config struct {
	Name       string `yaml:"name"`
	netfd.Spec `yaml:",inline"`
	Data       DataConfig       `yaml:"data"`
	Train      train.LoopConfig `yaml:"train"`
}

// DataConfig selects the training triplets.
type DataConfig struct {
	// Dir is a triplet folder (source_1/, source_2/, full_clear/).
	Dir string `yaml:"dir"`
	// Pairs uses the first Pairs triplets in name order (0: all).
	Pairs int `yaml:"pairs"`
	// Val holds out the Val triplets that follow the training ones for
	// validation (0: no validation; best.ckpt then holds the final
	// weights).
	Val int `yaml:"val"`
	// Size is the side of the square training crops (or of the resized
	// images).
	Size int `yaml:"size"`
	// Mode is "resize" (the reference loader: cv2.resize to Size) or
	// "crop" (random Size crops at native resolution).
	Mode string `yaml:"mode"`
}

// LoadConfig reads an embedded config name or a YAML path with dotted-key
// overrides and validates it.
func LoadConfig(nameOrPath string, overrides map[string]any) (*Config, error) {
	return train.LoadConfig[Config](nameOrPath, overrides)
}

// ParseConfig decodes and validates a YAML document.
func ParseConfig(doc string) (*Config, error) { return train.ParseConfig[Config](doc) }

// YAML returns the resolved configuration as YAML.
func (c *Config) YAML() (string, error) {
	b, err := yaml.Marshal(c)
	return string(b), err
}

// Validate reports the first invalid setting, naming its key.
func (c *Config) Validate() error {
	if err := c.Spec.Validate(); err != nil {
		return err
	}
	if err := c.Train.Validate(); err != nil {
		return err
	}
	switch {
	case c.Data.Size < 2 || c.Data.Size%c.Model.Stride() != 0:
		return fmt.Errorf("data.size %d must be a positive multiple of the U-Net stride %d", c.Data.Size, c.Model.Stride())
	case c.Data.Mode != "resize" && c.Data.Mode != "crop":
		return fmt.Errorf("data.mode %q: want resize or crop", c.Data.Mode)
	case c.Data.Pairs < 0 || c.Data.Val < 0:
		return fmt.Errorf("data.pairs %d and data.val %d must be >= 0", c.Data.Pairs, c.Data.Val)
	case c.Data.Val > 0 && c.Data.Pairs == 0:
		return fmt.Errorf("data.val %d needs data.pairs > 0 (the validation triplets follow the training ones)", c.Data.Val)
	}
	return nil
}
