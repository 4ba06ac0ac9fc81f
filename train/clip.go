package train

import (
	"fmt"
	"math"

	"github.com/sugarme/gotch/ts"
)

// ClipGradNorm rescales the gradients of params so that their joint L2 norm
// is at most maxNorm, as PyTorch's clip_grad_norm_ does (scale
// maxNorm/(norm+1e-6), applied only when below 1). It returns the norm
// before clipping; a non-finite norm is an error so a diverging run stops
// instead of silently writing NaN weights. Use it in Trainer.BeforeStep.
func ClipGradNorm(params []Param, maxNorm float64) (float64, error) {
	if !(maxNorm > 0) {
		return 0, fmt.Errorf("clip grad norm: max norm must be > 0, got %v", maxNorm)
	}
	var grads []*ts.Tensor
	defer func() {
		for _, g := range grads {
			g.MustDrop()
		}
	}()
	sq := 0.0
	for _, p := range params {
		g, err := p.Tensor.Grad(false)
		if err != nil {
			return 0, fmt.Errorf("clip grad norm %s: %w", p.Name, err)
		}
		if !g.MustDefined() {
			g.MustDrop()
			continue
		}
		grads = append(grads, g)
		nt := g.MustNorm(false)
		n, err := scalarValue(nt)
		nt.MustDrop()
		if err != nil {
			return 0, fmt.Errorf("clip grad norm %s: %w", p.Name, err)
		}
		sq += n * n
	}
	norm := math.Sqrt(sq)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm, fmt.Errorf("clip grad norm: gradient norm is %v", norm)
	}
	if c := maxNorm / (norm + 1e-6); c < 1 {
		noGrad(func() {
			for _, g := range grads {
				// Out of place and copied back: gotch's in-place
				// methods leak the handle they replace.
				k := newKeep()
				g.Copy_(k.t(g.MustMulScalar(k.f(c), false)))
				k.drop()
			}
		})
	}
	return norm, nil
}
