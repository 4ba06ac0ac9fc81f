package train

import (
	"math/rand/v2"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
)

// NoisedBatch is the forward process of a DDPM training step (Ho et al.
// 2020, Eq. 4): one timestep t per sample drawn uniformly from rnd, noise
// eps ~ N(0, I) from libtorch's generator, and
// x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps. x0 is [B, C, H, W]. xt and
// eps are registered in s.
func NoisedBatch(s *backend.Scope, x0 *ts.Tensor, sched *diffusion.Schedule, rnd *rand.Rand) (xt, eps *ts.Tensor, steps []int64, err error) {
	shape, err := x0.Size()
	if err != nil {
		return nil, nil, nil, err
	}
	bs := shape[0]
	steps = make([]int64, bs)
	ca, cb := make([]float32, bs), make([]float32, bs)
	for i := range steps {
		steps[i] = int64(rnd.IntN(sched.T))
		a, c := sched.QSampleCoeffs(int(steps[i]))
		ca[i], cb[i] = float32(a), float32(c)
	}
	at := s.Add(backend.MustFromFloat32(ca, bs, 1, 1, 1))
	bt := s.Add(backend.MustFromFloat32(cb, bs, 1, 1, 1))
	eps = s.Add(ts.MustRandn(shape, gotch.Float, backend.Device()))
	xa := s.Add(x0.MustMul(at, false))
	xb := s.Add(eps.MustMul(bt, false))
	xt = s.Add(xa.MustAdd(xb, false))
	s.Release(at, bt, xa, xb)
	return xt, eps, steps, nil
}
