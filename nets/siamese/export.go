package siamese

import (
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// numBatchesTracked is the BatchNorm buffer PyTorch has and gotch lacks.
const numBatchesTracked = "num_batches_tracked"

// WriteStateDict writes the inference weights of the siamese checkpoint c
// to out as a PyTorch state_dict (torch.save's zip format, written
// atomically) and returns the number of tensors written. The network is
// rebuilt from the stored architecture (state ConfigState) and loaded with
// backend.LoadWeights, so the exponential moving average of the weights is
// exported when c holds one. Names are the network's variable names
// ("enc_a.level0.cbr.conv.weight", ...); every BatchNorm also gets
// "<bn>.num_batches_tracked", an int64 scalar 0, because
// torch.nn.BatchNorm2d has that buffer and gotch's BatchNorm does not. The
// result loads with load_state_dict(strict=True) into the reference module
// of docs/pytorch/siamese_ref.py built from the same configuration.
func WriteStateDict(c *checkpoint.Checkpoint, out string) (int, error) {
	if c.Kind != Kind {
		return 0, fmt.Errorf("%w: holds %q, want %q", checkpoint.ErrKind, c.Kind, Kind)
	}
	var cfg Config
	if err := c.State(ConfigState, &cfg); err != nil {
		return 0, err
	}
	if err := cfg.Validate(); err != nil {
		return 0, fmt.Errorf("stored architecture: %w", err)
	}
	m, err := NewModel(cfg, 0)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	if err := backend.LoadWeights(c, m.VS); err != nil {
		return 0, err
	}
	defer runtime.KeepAlive(m.VS) // sd shares the VarStore's tensors
	sd := backend.StateDictOf(m.VS)
	counters, err := batchCounters(sd)
	defer backend.Drop(counters...)
	if err != nil {
		return 0, err
	}
	if err := backend.SaveStateDict(out, sd); err != nil {
		return 0, err
	}
	return len(sd), nil
}

// batchCounters adds "<bn>.num_batches_tracked" (int64 0, 0-d) to sd for
// every BatchNorm in it (recognised by its running_var buffer) and returns
// the new tensors, which the caller drops.
func batchCounters(sd map[string]*ts.Tensor) ([]*ts.Tensor, error) {
	var prefixes []string
	for name := range sd {
		if p, ok := strings.CutSuffix(name, ".running_var"); ok {
			prefixes = append(prefixes, p)
		}
	}
	sort.Strings(prefixes)
	var made []*ts.Tensor
	// gotch cannot make a 0-d tensor from data: make [1], squeeze it.
	zero := checkpoint.Array{DType: checkpoint.Int64, Shape: []int64{1}, Data: make([]byte, 8)}
	err := backend.Run(func() error {
		for _, p := range prefixes {
			name := p + "." + numBatchesTracked
			if _, dup := sd[name]; dup {
				return fmt.Errorf("state_dict already holds %s", name)
			}
			one, err := backend.TensorOf(zero, backend.Device())
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			t, err := one.Squeeze(true)
			if err != nil {
				backend.Drop(one)
				return fmt.Errorf("%s: %w", name, err)
			}
			made = append(made, t)
			sd[name] = t
		}
		return nil
	})
	return made, err
}
