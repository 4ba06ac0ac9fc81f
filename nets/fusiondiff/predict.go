package fusiondiff

import (
	"fmt"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
)

// Predictor returns the model as a noise predictor (eps) over the padded
// pw x ph image whose conditioning is cond (the two sources, 6 planes in
// [-1, 1], see nets/layout), run on the whole image or, with tile > 0, in
// tile x tile windows (rounded up to the stride) overlapping by overlap and
// blended; and a function freeing its tensors. Outputs of x0 or v models
// are converted to eps after blending, which commutes with the (per-pixel
// linear) conversion.
func (t *Model) Predictor(cond []float32, pw, ph, tile, overlap int) (diffusion.Predictor, func(), error) {
	obj, err := t.Spec.Diffusion.ParsedObjective()
	if err != nil {
		return nil, nil, err
	}
	pred, done, err := t.NetPredictor(cond, pw, ph, tile, overlap)
	if err != nil {
		return nil, nil, err
	}
	wrapped, err := diffusion.WrapPredictor(t.Schedule, obj, pred)
	if err != nil {
		done()
		return nil, nil, err
	}
	return wrapped, done, nil
}

// NetPredictor is Predictor without the conversion to eps: the network's
// raw output, whatever its objective.
func (t *Model) NetPredictor(cond []float32, pw, ph, tile, overlap int) (diffusion.Predictor, func(), error) {
	switch {
	case tile < 0 || overlap < 0:
		return nil, nil, fmt.Errorf("tile %d and overlap %d must be >= 0", tile, overlap)
	case tile > 0 && overlap >= tile:
		return nil, nil, fmt.Errorf("overlap %d must be smaller than tile %d", overlap, tile)
	case len(cond) != 6*pw*ph:
		return nil, nil, fmt.Errorf("conditioning has %d values, want 6 planes of %dx%d", len(cond), pw, ph)
	}
	if tile > 0 {
		stride := t.Spec.Model.Stride()
		tile = (tile + stride - 1) / stride * stride
	}
	if tile <= 0 || (pw <= tile && ph <= tile) {
		net, err := newNetPredictor(t.Net, cond, pw, ph)
		if err != nil {
			return nil, nil, err
		}
		return net.predict, net.close, nil
	}
	return tiledPredictor(t.Net, cond, pw, ph, tile, overlap)
}

// netPredictor runs the network on one whole (padded) image.
type netPredictor struct {
	net    *Net
	cond   *ts.Tensor
	pw, ph int
}

func newNetPredictor(net *Net, cond []float32, pw, ph int) (*netPredictor, error) {
	c, err := backend.FromFloat32(cond, 1, 6, int64(ph), int64(pw))
	if err != nil {
		return nil, fmt.Errorf("conditioning tensor: %w", err)
	}
	return &netPredictor{net: net, cond: c, pw: pw, ph: ph}, nil
}

func (p *netPredictor) close() { backend.Drop(p.cond) }

// predict runs the network once without gradients; every tensor it makes
// is freed before it returns.
func (p *netPredictor) predict(x []float32, t int) ([]float32, error) {
	var eps []float32
	err := backend.NoGrad(func() error {
		s := backend.NewScope()
		defer s.Close()
		xt, err := backend.FromFloat32(x, 1, 3, int64(p.ph), int64(p.pw))
		if err != nil {
			return err
		}
		in := s.Add(ts.MustCat([]*ts.Tensor{p.cond, s.Add(xt)}, 1))
		out := s.Add(p.net.Forward(in, []int64{int64(t)}, false))
		eps, err = backend.Float32s(out)
		return err
	})
	return eps, err
}
