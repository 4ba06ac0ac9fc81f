package adm

import (
	"fmt"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
)

// Predictor returns the prior as a noise predictor over one pw x ph image
// of Config.InChannels planes: the network runs on the whole image and its
// first InChannels output channels are the noise estimate (a learn_sigma
// network's variance channels are dropped). Every tensor of a call is
// freed before it returns.
func (p *Model) Predictor(pw, ph int) diffusion.Predictor {
	c := int64(p.Config.InChannels)
	return func(x []float32, t int) ([]float32, error) {
		var buf []float32
		err := backend.NoGrad(func() error {
			s := backend.NewScope()
			defer s.Close()
			in, err := backend.FromFloat32(x, 1, c, int64(ph), int64(pw))
			if err != nil {
				return fmt.Errorf("adm: input tensor: %w", err)
			}
			s.Add(in)
			out, err := p.Net.Predict(in, []int64{int64(t)})
			if err != nil {
				return err
			}
			eps := s.Add(s.Add(out).MustNarrow(1, 0, c, false))
			if buf, err = backend.Float32s(eps); err != nil {
				return fmt.Errorf("adm: read noise estimate: %w", err)
			}
			return nil
		})
		return buf, err
	}
}
