package adm

import (
	"runtime"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// WritePriorStateDict writes the inference weights of the prior checkpoint
// c (the EMA weights when present, see FromCheckpoint) to out as a
// PyTorch state_dict (torch.save's zip format, written atomically) and
// returns the number of tensors written. Names and shapes are those of
// guided-diffusion's UNetModel with the stored configuration (Params lists
// them), so the file loads with load_state_dict(strict=True) into that
// model and back into mfif with Load (which, for a configuration other
// than Official256, needs it passed as cfg).
func WritePriorStateDict(c *checkpoint.Checkpoint, out string) (int, error) {
	p, err := FromCheckpoint(c)
	if err != nil {
		return 0, err
	}
	defer p.Close()
	defer runtime.KeepAlive(p.VS) // sd shares the VarStore's tensors
	sd := backend.StateDictOf(p.VS)
	if err := backend.SaveStateDict(out, sd); err != nil {
		return 0, err
	}
	return len(sd), nil
}
