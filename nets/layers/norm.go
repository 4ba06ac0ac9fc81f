package layers

import (
	"fmt"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// GroupNorm is PyTorch's nn.GroupNorm with affine parameters "weight"
// (ones) and "bias" (zeros) of shape [channels].
type GroupNorm struct {
	Groups       int64
	Eps          float64
	Weight, Bias *ts.Tensor
}

// NewGroupNorm adds the affine parameters under p; eps 0 means 1e-5.
func NewGroupNorm(p *nn.Path, groups, channels int64, eps float64) (*GroupNorm, error) {
	if groups <= 0 || channels <= 0 || channels%groups != 0 {
		return nil, fmt.Errorf("layers.NewGroupNorm: %d groups must divide %d channels", groups, channels)
	}
	if eps == 0 {
		eps = 1e-5
	}
	w, err := constParam(p, "weight", []int64{channels}, 1, gotch.DefaultDType, true)
	if err != nil {
		return nil, fmt.Errorf("layers.NewGroupNorm: %w", err)
	}
	b, err := constParam(p, "bias", []int64{channels}, 0, gotch.DefaultDType, true)
	if err != nil {
		return nil, fmt.Errorf("layers.NewGroupNorm: %w", err)
	}
	return &GroupNorm{Groups: groups, Eps: eps, Weight: w, Bias: b}, nil
}

// Forward normalises an [N, C, ...] tensor.
func (g *GroupNorm) Forward(x *ts.Tensor) *ts.Tensor {
	return must(ts.GroupNorm(x, g.Groups, g.Weight, g.Bias, g.Eps, false))
}

// BatchNorm2d is PyTorch's nn.BatchNorm2d: trainable "weight" and "bias",
// buffers "running_mean", "running_var" and the int64 counter
// "num_batches_tracked".
type BatchNorm2d struct {
	Momentum, Eps           float64
	Weight, Bias            *ts.Tensor
	RunningMean, RunningVar *ts.Tensor
	NumBatchesTracked       *ts.Tensor
}

// NewBatchNorm2d adds parameters and buffers under p; momentum 0 means
// 0.1 and eps 0 means 1e-5 (PyTorch's defaults).
func NewBatchNorm2d(p *nn.Path, channels int64, momentum, eps float64) (*BatchNorm2d, error) {
	if channels <= 0 {
		return nil, fmt.Errorf("layers.NewBatchNorm2d: channels must be positive, got %d", channels)
	}
	if momentum == 0 {
		momentum = 0.1
	}
	if eps == 0 {
		eps = 1e-5
	}
	bn := &BatchNorm2d{Momentum: momentum, Eps: eps}
	var err error
	add := func(dst **ts.Tensor, name string, dims []int64, v float64, kind gotch.DType, train bool) {
		if err == nil {
			*dst, err = constParam(p, name, dims, v, kind, train)
		}
	}
	c := []int64{channels}
	add(&bn.Weight, "weight", c, 1, gotch.DefaultDType, true)
	add(&bn.Bias, "bias", c, 0, gotch.DefaultDType, true)
	add(&bn.RunningMean, "running_mean", c, 0, gotch.DefaultDType, false)
	add(&bn.RunningVar, "running_var", c, 1, gotch.DefaultDType, false)
	add(&bn.NumBatchesTracked, "num_batches_tracked", []int64{}, 0, gotch.Int64, false)
	if err != nil {
		return nil, fmt.Errorf("layers.NewBatchNorm2d: %w", err)
	}
	return bn, nil
}

// scalarOne is the counter increment, made once (a Scalar is a C
// allocation).
var scalarOne = ts.IntScalar(1)

// ForwardT normalises with batch statistics (updating the running
// statistics and the counter) when train is set, else with the running
// statistics.
func (b *BatchNorm2d) ForwardT(x *ts.Tensor, train bool) *ts.Tensor {
	if train {
		// Out of place plus Copy_: gotch's in-place AddScalar_ swaps in a
		// new C handle and leaks the old one on every step.
		n := must(b.NumBatchesTracked.AddScalar(scalarOne, false))
		b.NumBatchesTracked.Copy_(n)
		n.MustDrop()
	}
	return must(ts.BatchNorm(x, b.Weight, b.Bias, b.RunningMean, b.RunningVar, train, b.Momentum, b.Eps, false))
}

// SiLU is x * sigmoid(x) (PyTorch nn.SiLU).
type SiLU struct{}

// Forward applies SiLU.
func (SiLU) Forward(x *ts.Tensor) *ts.Tensor { return must(x.Silu(false)) }

// ReLU is max(x, 0).
type ReLU struct{}

// Forward applies ReLU.
func (ReLU) Forward(x *ts.Tensor) *ts.Tensor { return must(x.Relu(false)) }
