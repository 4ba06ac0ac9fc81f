package train

// LoopConfig is the YAML "train" section shared by the diffusion trainers
// (FusionDiff and the DDFM prior): epochs, batch, optimiser, schedule,
// seed, weight averaging, checkpoint cadence and threads.
type LoopConfig struct {
	Epochs    int            `yaml:"epochs"`
	BatchSize int            `yaml:"batch_size"`
	Optimizer OptimConfig    `yaml:"optimizer"`
	Schedule  ScheduleConfig `yaml:"schedule"`
	Seed      uint64         `yaml:"seed"`
	// EMA is the decay of an exponential moving average of the weights,
	// used for sampling when set (0: off, as the reference code).
	EMA float64 `yaml:"ema"`
	// CheckpointEvery writes last.ckpt, loss.csv and the curves every that
	// many epochs (and at the end).
	CheckpointEvery int `yaml:"checkpoint_every"`
	// Threads is libtorch's intra-op thread count (0: libtorch default).
	Threads int `yaml:"threads"`
}
