package fusiondiff

import (
	"fmt"
	"runtime"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// WriteStateDict writes the inference weights of the FusionDiff checkpoint
// c (the EMA weights when present, see FromCheckpoint) to out as a PyTorch
// state_dict (torch.save's zip format, written atomically) and returns the
// number of tensors written. The names are those of the reference code's
// NoisePred, so the file loads with load_state_dict(strict=True) into
// NoisePred(in_channels, out_channels, model_channels, num_res_blocks,
// dropout, time_embed_dim_mult, down_sample_mult) built with the stored
// Spec's Model values, provided Model.OfficialDifferences is empty (the
// paper's configuration, for one). The reference code trains on BGR
// images (OpenCV); a network trained by mfif takes RGB.
func WriteStateDict(c *checkpoint.Checkpoint, out string) (int, error) {
	t, err := FromCheckpoint(c)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	defer runtime.KeepAlive(t.VS) // sd shares the VarStore's tensors
	sd := backend.StateDictOf(t.VS)
	if err := backend.SaveStateDict(out, sd); err != nil {
		return 0, err
	}
	return len(sd), nil
}

// OfficialDifferences lists how the reference code's NoisePred built with
// c's values differs from the network mfif builds from c; nil means the
// exported state_dict loads strictly into it and computes the same
// function. The reference always uses 32 GroupNorm groups (so every width
// must be a multiple of 32) and a decoder whose levels narrow to half the
// width of the level above and end at model_channels (so it runs only
// with multipliers 1, 2, 4, ...); mfif uses Groups groups and narrows level
// l to the encoder width of level l-1, which is the same for those
// multipliers and extends the design to others.
func (c Config) OfficialDifferences() []string {
	var out []string
	for i, m := range c.ChannelMult {
		if i == 0 && m != 1 || i > 0 && m != 2*c.ChannelMult[i-1] {
			out = append(out, fmt.Sprintf("down_sample_mult %v: NoisePred's decoder halves the width per level and ends at model_channels, "+
				"mfif's returns to the encoder widths; they agree only for multipliers 1, 2, 4, ... (upBlock shapes differ)", c.ChannelMult))
			break
		}
	}
	for i, m := range c.ChannelMult {
		if w := m * c.ModelChannels; w%32 != 0 {
			out = append(out, fmt.Sprintf("width %d (level %d) is not a multiple of 32: NoisePred's GroupNorm(32) cannot be built", w, i))
			break
		}
	}
	if c.Groups != 32 {
		out = append(out, fmt.Sprintf("groups %d: NoisePred normalises with 32 groups (same shapes, different function)", c.Groups))
	}
	return out
}
