// Package fusiondiff defines FusionDiff's noise-prediction U-Net ("NoisePred"
// in the reference code of Li et al., ESWA 238 (2024) 121664): a conditional
// DDPM denoiser whose input is the channel concatenation [S1, S2, x_t].
//
// Parameter names and shapes follow the PyTorch module exactly, so state
// dicts trained with the reference code load without renaming.
package fusiondiff

import "fmt"

// Config sets the U-Net's size. The YAML keys mirror the reference code's
// argument names.
type Config struct {
	// Name is the model's registry name, "fusiondiff" (or empty); `mfif
	// train` picks the trainer by it.
	Name string `yaml:"name,omitempty"`
	// InChannels is 9: two RGB sources and the noisy RGB estimate.
	InChannels int `yaml:"in_channels"`
	// OutChannels is 3: the predicted noise of x_t.
	OutChannels int `yaml:"out_channels"`
	// ModelChannels is the base width (64 in the paper); it is also the
	// dimension of the sinusoidal time embedding.
	ModelChannels int `yaml:"model_channels"`
	// NumResBlocks is the number of residual blocks per resolution level.
	NumResBlocks int `yaml:"num_res_blocks"`
	// Dropout is the dropout probability inside every residual block.
	Dropout float64 `yaml:"dropout"`
	// TimeEmbedDimMult scales ModelChannels to the width of the time MLP.
	TimeEmbedDimMult int `yaml:"time_embed_dim_mult"`
	// ChannelMult holds one width multiplier per resolution level.
	ChannelMult []int `yaml:"down_sample_mult"`
	// Groups is the GroupNorm group count (32 in the reference code; must
	// divide every width).
	Groups int `yaml:"groups"`
}

// PaperConfig returns the configuration of the paper's network (about
// 26.9 M parameters).
func PaperConfig() Config {
	return Config{InChannels: 9, OutChannels: 3, ModelChannels: 64, NumResBlocks: 2, Dropout: 0.1,
		TimeEmbedDimMult: 4, ChannelMult: []int{1, 2, 4, 8}, Groups: 32}
}

// Validate reports the first inconsistent field.
func (c Config) Validate() error {
	switch {
	case c.Name != "" && c.Name != "fusiondiff":
		return fmt.Errorf("fusiondiff config: model.name %q, want fusiondiff", c.Name)
	case c.InChannels < 1 || c.OutChannels < 1:
		return fmt.Errorf("fusiondiff config: in_channels %d, out_channels %d must be positive", c.InChannels, c.OutChannels)
	case c.ModelChannels < 2 || c.ModelChannels%2 != 0:
		return fmt.Errorf("fusiondiff config: model_channels %d must be even and >= 2", c.ModelChannels)
	case c.NumResBlocks < 1:
		return fmt.Errorf("fusiondiff config: num_res_blocks %d must be >= 1", c.NumResBlocks)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("fusiondiff config: dropout %g must be in [0, 1)", c.Dropout)
	case c.TimeEmbedDimMult < 1:
		return fmt.Errorf("fusiondiff config: time_embed_dim_mult %d must be >= 1", c.TimeEmbedDimMult)
	case len(c.ChannelMult) == 0:
		return fmt.Errorf("fusiondiff config: down_sample_mult is empty")
	case c.Groups < 1:
		return fmt.Errorf("fusiondiff config: groups %d must be >= 1", c.Groups)
	}
	for i, m := range c.ChannelMult {
		if m < 1 {
			return fmt.Errorf("fusiondiff config: down_sample_mult[%d] = %d must be >= 1", i, m)
		}
		if w := m * c.ModelChannels; w%c.Groups != 0 {
			return fmt.Errorf("fusiondiff config: width %d (level %d) not divisible by groups %d", w, i, c.Groups)
		}
	}
	return nil
}

// Stride is the total downsampling factor, 2^(levels-1); input sides must
// be multiples of it.
func (c Config) Stride() int {
	return 1 << (len(c.ChannelMult) - 1)
}
