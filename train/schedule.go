package train

import (
	"fmt"
	"math"
)

// Schedule maps the number of completed epochs to a learning rate. It is a
// pure function of (base, epoch), so a schedule has no state beyond its
// parameters and the epoch counter stored in the checkpoint.
type Schedule interface {
	// LR returns the learning rate for the epoch that follows `epoch`
	// completed epochs (0 for the first epoch), given the initial rate base.
	LR(base float64, epoch int) float64
	// Config returns the parameters that recreate the schedule.
	Config() ScheduleConfig
}

// ScheduleConfig describes a schedule in a config file:
//
//	schedule: {kind: step, every: 2, gamma: 0.88}
//	schedule: {kind: cosine, t_max: 100, min_lr: 1e-6}
//	schedule: {kind: constant}
type ScheduleConfig struct {
	// Kind is "constant" (or empty), "step" or "cosine".
	Kind string `yaml:"kind" json:"kind"`
	// Every is the StepLR period in epochs.
	Every int `yaml:"every,omitempty" json:"every,omitempty"`
	// Gamma is the StepLR decay factor.
	Gamma float64 `yaml:"gamma,omitempty" json:"gamma,omitempty"`
	// TMax is the cosine half-period in epochs.
	TMax int `yaml:"t_max,omitempty" json:"t_max,omitempty"`
	// MinLR is the cosine floor.
	MinLR float64 `yaml:"min_lr,omitempty" json:"min_lr,omitempty"`
}

// NewSchedule builds the schedule described by c, validating its parameters.
func NewSchedule(c ScheduleConfig) (Schedule, error) {
	switch c.Kind {
	case "", "constant":
		return Constant{}, nil
	case "step":
		if c.Every <= 0 {
			return nil, fmt.Errorf("schedule step: every must be > 0, got %d", c.Every)
		}
		if !(c.Gamma > 0) || math.IsInf(c.Gamma, 0) {
			return nil, fmt.Errorf("schedule step: gamma must be finite and > 0, got %v", c.Gamma)
		}
		return StepLR{Every: c.Every, Gamma: c.Gamma}, nil
	case "cosine":
		if c.TMax <= 0 {
			return nil, fmt.Errorf("schedule cosine: t_max must be > 0, got %d", c.TMax)
		}
		if c.MinLR < 0 || math.IsNaN(c.MinLR) || math.IsInf(c.MinLR, 0) {
			return nil, fmt.Errorf("schedule cosine: min_lr must be finite and >= 0, got %v", c.MinLR)
		}
		return Cosine{TMax: c.TMax, MinLR: c.MinLR}, nil
	}
	return nil, fmt.Errorf("schedule: unknown kind %q (want constant, step or cosine)", c.Kind)
}

// Constant keeps the learning rate at its base value.
type Constant struct{}

// LR returns base.
func (Constant) LR(base float64, epoch int) float64 { return base }

// Config describes the schedule.
func (Constant) Config() ScheduleConfig { return ScheduleConfig{Kind: "constant"} }

// StepLR multiplies the rate by Gamma every Every epochs, as PyTorch's
// StepLR stepped once per epoch.
type StepLR struct {
	Every int
	Gamma float64
}

// LR returns base multiplied by Gamma once per completed period. The
// multiplications are applied one at a time, like PyTorch's chained update,
// so the float64 result matches it bit for bit.
func (s StepLR) LR(base float64, epoch int) float64 {
	lr := base
	if s.Every <= 0 {
		return lr
	}
	for range epoch / s.Every {
		lr *= s.Gamma
	}
	return lr
}

// Config describes the schedule.
func (s StepLR) Config() ScheduleConfig {
	return ScheduleConfig{Kind: "step", Every: s.Every, Gamma: s.Gamma}
}

// Cosine anneals from base to MinLR over TMax epochs (PyTorch's
// CosineAnnealingLR closed form, SGDR by Loshchilov & Hutter, 2017, without
// restarts); after TMax epochs the rate stays at MinLR.
type Cosine struct {
	TMax  int
	MinLR float64
}

// LR returns MinLR + (base-MinLR)(1+cos(pi*epoch/TMax))/2.
func (c Cosine) LR(base float64, epoch int) float64 {
	if c.TMax <= 0 || epoch >= c.TMax {
		return c.MinLR
	}
	return c.MinLR + (base-c.MinLR)*(1+math.Cos(math.Pi*float64(epoch)/float64(c.TMax)))/2
}

// Config describes the schedule.
func (c Cosine) Config() ScheduleConfig {
	return ScheduleConfig{Kind: "cosine", TMax: c.TMax, MinLR: c.MinLR}
}
