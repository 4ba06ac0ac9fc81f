package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/diffusion"
)

// NoisedBatch is the forward process of a DDPM training step (Ho et al.
// 2020, Eq. 4): one timestep t per sample drawn uniformly from rnd, noise
// eps ~ N(0, I) from libtorch's generator, and
// x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps. x0 is [B, C, H, W]; the
// caller drops xt and eps.
func NoisedBatch(x0 *ts.Tensor, s *diffusion.Schedule, rnd *rand.Rand) (xt, eps *ts.Tensor, steps []int64, err error) {
	shape, err := x0.Size()
	if err != nil {
		return nil, nil, nil, err
	}
	bs := shape[0]
	steps = make([]int64, bs)
	ca, cb := make([]float32, bs), make([]float32, bs)
	for i := range steps {
		steps[i] = int64(rnd.IntN(s.T))
		a, c := s.QSampleCoeffs(int(steps[i]))
		ca[i], cb[i] = float32(a), float32(c)
	}
	at := ts.MustOfSlice(ca).MustView([]int64{bs, 1, 1, 1}, true)
	bt := ts.MustOfSlice(cb).MustView([]int64{bs, 1, 1, 1}, true)
	defer at.MustDrop()
	defer bt.MustDrop()
	eps = ts.MustRandn(shape, gotch.Float, gotch.CPU)
	xa := x0.MustMul(at, false)
	xb := eps.MustMul(bt, false)
	xt = xa.MustAdd(xb, true)
	xb.MustDrop()
	return xt, eps, steps, nil
}

// LoadWeights copies the model weights of c into vs and, when c holds an
// exponential moving average of them, replaces them by that average (the
// weights diffusion models sample with).
func LoadWeights(c *Checkpoint, vs *nn.VarStore) error {
	if err := LoadModel(c, vs); err != nil {
		return err
	}
	if _, ok := c.States["ema"]; !ok {
		return nil
	}
	e, err := NewEMA(vs, 0)
	if err != nil {
		return fmt.Errorf("ema: %w", err)
	}
	defer e.Close()
	if err := e.Load(c); err != nil {
		return fmt.Errorf("ema: %w", err)
	}
	e.CopyTo()
	return nil
}
