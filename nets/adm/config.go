// Package adm is the unconditional U-Net of OpenAI's guided-diffusion, the
// "ablated diffusion model" (ADM) of Dhariwal & Nichol, "Diffusion Models
// Beat GANs on Image Synthesis", NeurIPS 2021: the prior DDFM steers. (The
// guided filter of the post-processing is eval's, not this.) Parameter names and shapes equal
// those of the PyTorch UNetModel, so the official 256x256_diffusion_uncond.pt
// state_dict (and any smaller configuration saved the same way) loads by
// name. Only the pieces that unconditional 2-D models with the legacy QKV
// attention order use are implemented: no class embedding, no fp16, no
// new attention order.
//
// The network is fully convolutional: it runs at any size whose sides are
// multiples of Config.Stride, not only ImageSize (which only fixes where
// attention sits, as in guided-diffusion's script_util).
package adm

import (
	"fmt"
	"slices"
)

// Config is the subset of guided-diffusion's model flags that shape an
// unconditional UNetModel; yaml keys equal the flag names.
type Config struct {
	// ImageSize is the training resolution; attention resolutions are
	// given relative to it.
	ImageSize int `yaml:"image_size"`
	// InChannels is the number of image channels (3).
	InChannels int `yaml:"in_channels"`
	// NumChannels is the base width (model_channels).
	NumChannels int `yaml:"num_channels"`
	// NumResBlocks is the number of residual blocks per level.
	NumResBlocks int `yaml:"num_res_blocks"`
	// ChannelMult are the per-level width multipliers.
	ChannelMult []int `yaml:"channel_mult"`
	// AttentionResolutions are feature-map sides (at ImageSize) that get
	// self-attention, e.g. 32,16,8 for a 256 model.
	AttentionResolutions []int `yaml:"attention_resolutions"`
	// NumHeads is the head count when NumHeadChannels is -1.
	NumHeads int `yaml:"num_heads"`
	// NumHeadChannels, if > 0, fixes channels per head instead.
	NumHeadChannels int `yaml:"num_head_channels"`
	// UseScaleShiftNorm conditions GroupNorm on the timestep (FiLM).
	UseScaleShiftNorm bool `yaml:"use_scale_shift_norm"`
	// ResblockUpdown resamples inside residual blocks instead of with
	// separate convolutions.
	ResblockUpdown bool `yaml:"resblock_updown"`
	// LearnSigma doubles the output channels (eps, then variance).
	LearnSigma bool `yaml:"learn_sigma"`
	// Dropout is the residual-block dropout probability (training only).
	Dropout float64 `yaml:"dropout"`
}

// Official256 is the configuration of 256x256_diffusion_uncond.pt as DDFM
// loads it (552.8 M parameters).
func Official256() Config {
	return Config{
		ImageSize: 256, InChannels: 3, NumChannels: 256, NumResBlocks: 2,
		ChannelMult: []int{1, 1, 2, 2, 4, 4}, AttentionResolutions: []int{32, 16, 8},
		NumHeads: 4, NumHeadChannels: 64, UseScaleShiftNorm: true, ResblockUpdown: true,
		LearnSigma: true,
	}
}

// Validate reports the first inconsistency of c.
func (c Config) Validate() error {
	switch {
	case c.ImageSize < 1:
		return fmt.Errorf("adm config: image_size %d must be positive", c.ImageSize)
	case c.InChannels < 1:
		return fmt.Errorf("adm config: in_channels %d must be positive", c.InChannels)
	case c.NumChannels < 32 || c.NumChannels%32 != 0:
		return fmt.Errorf("adm config: num_channels %d must be a positive multiple of 32 (GroupNorm(32))", c.NumChannels)
	case c.NumResBlocks < 1:
		return fmt.Errorf("adm config: num_res_blocks %d must be positive", c.NumResBlocks)
	case len(c.ChannelMult) == 0:
		return fmt.Errorf("adm config: channel_mult is empty")
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("adm config: dropout %g outside [0, 1)", c.Dropout)
	}
	for _, m := range c.ChannelMult {
		if m < 1 {
			return fmt.Errorf("adm config: channel_mult %v has a non-positive entry", c.ChannelMult)
		}
	}
	for _, r := range c.AttentionResolutions {
		if r < 1 || c.ImageSize%r != 0 {
			return fmt.Errorf("adm config: attention resolution %d does not divide image_size %d", r, c.ImageSize)
		}
	}
	for _, ch := range c.attentionWidths() {
		if _, err := c.heads(ch); err != nil {
			return err
		}
	}
	return nil
}

// OutChannels is the number of output channels (6 with LearnSigma).
func (c Config) OutChannels() int {
	if c.LearnSigma {
		return 2 * c.InChannels
	}
	return c.InChannels
}

// Stride is the total downsampling factor; image sides must be multiples
// of it.
func (c Config) Stride() int { return 1 << (len(c.ChannelMult) - 1) }

// attends reports whether blocks at downsampling factor ds have attention.
func (c Config) attends(ds int) bool {
	return slices.ContainsFunc(c.AttentionResolutions, func(r int) bool { return c.ImageSize/r == ds })
}

func (c Config) attentionWidths() []int {
	var out []int
	ds := 1
	for _, m := range c.ChannelMult {
		if c.attends(ds) {
			out = append(out, m*c.NumChannels)
		}
		ds *= 2
	}
	return out
}

// heads is the number of attention heads for ch channels.
func (c Config) heads(ch int) (int, error) {
	if c.NumHeadChannels > 0 {
		if ch%c.NumHeadChannels != 0 {
			return 0, fmt.Errorf("adm config: %d channels not divisible by num_head_channels %d", ch, c.NumHeadChannels)
		}
		return ch / c.NumHeadChannels, nil
	}
	if c.NumHeads < 1 || ch%c.NumHeads != 0 {
		return 0, fmt.Errorf("adm config: %d channels not divisible by num_heads %d", ch, c.NumHeads)
	}
	return c.NumHeads, nil
}

// AttentionScores is the number of attention scores (heads x tokens²) of
// the largest self-attention layer on a w x h input, the term of the
// network's memory that grows with the square of the pixels (0 when no
// level attends).
func (c Config) AttentionScores(w, h int) float64 {
	var most float64
	ds := 1
	for _, m := range c.ChannelMult {
		if c.attends(ds) {
			if n, err := c.heads(m * c.NumChannels); err == nil {
				tokens := float64((w+ds-1)/ds) * float64((h+ds-1)/ds)
				most = max(most, float64(n)*tokens*tokens)
			}
		}
		ds *= 2
	}
	return most
}
