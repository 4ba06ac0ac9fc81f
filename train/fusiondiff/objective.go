package fusiondiff

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/diffusion"
)

// target returns the training target of objective o for a batch noised at
// steps: per sample a*x0 + b*eps with (a, b) from Schedule.TargetCoeffs
// (eps, x0, or v = sqrt(abar) eps - sqrt(1-abar) x0 after Salimans & Ho,
// ICLR 2022). The caller owns the result.
func target(s *diffusion.Schedule, o diffusion.Objective, x0, eps *ts.Tensor, steps []int64) (*ts.Tensor, error) {
	switch o {
	case diffusion.ObjectiveEps, "":
		return eps.MustShallowClone(), nil
	case diffusion.ObjectiveX0:
		return x0.MustShallowClone(), nil
	}
	bs := int64(len(steps))
	ca, cb := make([]float32, bs), make([]float32, bs)
	for i, t := range steps {
		a, b, err := s.TargetCoeffs(o, int(t))
		if err != nil {
			return nil, fmt.Errorf("fusiondiff target: %w", err)
		}
		ca[i], cb[i] = float32(a), float32(b)
	}
	at := ts.MustOfSlice(ca).MustView([]int64{bs, 1, 1, 1}, true)
	defer at.MustDrop()
	bt := ts.MustOfSlice(cb).MustView([]int64{bs, 1, 1, 1}, true)
	defer bt.MustDrop()
	xa := x0.MustMul(at, false)
	xb := eps.MustMul(bt, false)
	defer xb.MustDrop()
	return xa.MustAdd(xb, true), nil
}
