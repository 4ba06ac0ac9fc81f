package train

import (
	"fmt"
	"math"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
)

// ClipGradNorm rescales the gradients of params so that their joint L2 norm
// is at most maxNorm, as PyTorch's clip_grad_norm_ does (scale
// maxNorm/(norm+1e-6), applied only when below 1). It returns the norm
// before clipping; a non-finite norm is an error so a diverging run stops
// instead of silently writing NaN weights. The Trainer calls it after
// backward when train.clip_grad_norm is set.
func ClipGradNorm(params []backend.Param, maxNorm float64) (float64, error) {
	if !(maxNorm > 0) {
		return 0, fmt.Errorf("clip grad norm: max norm must be > 0, got %v", maxNorm)
	}
	norm, grads, err := gradNorm(params)
	defer backend.Drop(grads...)
	if err != nil {
		return norm, err
	}
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm, fmt.Errorf("clip grad norm: gradient norm is %v", norm)
	}
	if c := maxNorm / (norm + 1e-6); c < 1 {
		err := backend.NoGrad(func() error {
			k := backend.NewScope()
			defer k.Close()
			f := k.Float(c)
			for _, g := range grads {
				// Out of place and copied back: gotch's in-place
				// methods leak the handle they replace.
				g.Copy_(k.Add(g.MustMulScalar(f, false)))
			}
			return nil
		})
		if err != nil {
			return norm, fmt.Errorf("clip grad norm: %w", err)
		}
	}
	return norm, nil
}

// GradNorm returns the joint L2 norm of the gradients of params (those
// that have one), without changing them.
func GradNorm(params []backend.Param) (float64, error) {
	norm, grads, err := gradNorm(params)
	backend.Drop(grads...)
	return norm, err
}

// gradNorm returns the joint gradient norm and the gradient handles, which
// the caller drops.
func gradNorm(params []backend.Param) (float64, []*ts.Tensor, error) {
	var grads []*ts.Tensor
	sq := 0.0
	for _, p := range params {
		g, err := p.Tensor.Grad(false)
		if err != nil {
			return 0, grads, fmt.Errorf("gradient norm %s: %w", p.Name, err)
		}
		if !g.MustDefined() {
			g.MustDrop()
			continue
		}
		grads = append(grads, g)
		nt := g.MustNorm(false)
		n, err := backend.Value(nt)
		nt.MustDrop()
		if err != nil {
			return 0, grads, fmt.Errorf("gradient norm %s: %w", p.Name, err)
		}
		sq += n * n
	}
	return math.Sqrt(sq), grads, nil
}
