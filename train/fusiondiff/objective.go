package fusiondiff

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
)

// target returns the training target of objective o for a batch noised at
// steps: per sample a*x0 + b*eps with (a, b) from Schedule.TargetCoeffs
// (eps, x0, or v = sqrt(abar) eps - sqrt(1-abar) x0 after Salimans & Ho,
// ICLR 2022). The result is x0 or eps itself, or a new tensor in sc.
func target(sc *backend.Scope, s *diffusion.Schedule, o diffusion.Objective, x0, eps *ts.Tensor, steps []int64) (*ts.Tensor, error) {
	switch o {
	case diffusion.ObjectiveEps, "":
		return eps, nil
	case diffusion.ObjectiveX0:
		return x0, nil
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
	at := sc.Add(backend.MustFromFloat32(ca, bs, 1, 1, 1))
	bt := sc.Add(backend.MustFromFloat32(cb, bs, 1, 1, 1))
	xa := sc.Add(x0.MustMul(at, false))
	xb := sc.Add(eps.MustMul(bt, false))
	return sc.Add(xa.MustAdd(xb, false)), nil
}
