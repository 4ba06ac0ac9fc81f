package siamese

import (
	"fmt"
	"math"
	"sort"

	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	net "github.com/mfif/mfif/nets/siamese"
)

// adam is Adam (Kingma & Ba, 2015) with PyTorch's defaults (β1 0.9,
// β2 0.999, ε 1e-8, no weight decay) over the trainable variables of a
// store, visited in name order. Its moments live in tensors that are saved
// with the checkpoint, so a resumed run continues exactly.
type adam struct {
	vs     *nn.VarStore // keeps the variables (and their C memory) alive
	names  []string
	params []*ts.Tensor
	m, v   []*ts.Tensor
	step   int64
	b1, b2 float64
	eps    float64
}

func newAdam(vs *nn.VarStore) *adam {
	o := &adam{vs: vs, b1: 0.9, b2: 0.999, eps: 1e-8}
	vars := vs.Variables()
	for name := range vars {
		t := vars[name]
		if t.MustRequiresGrad() {
			o.names = append(o.names, name)
		}
	}
	sort.Strings(o.names)
	for _, name := range o.names {
		t := vars[name]
		p := &t
		o.params = append(o.params, p)
		o.m = append(o.m, p.MustZerosLike(false))
		o.v = append(o.v, p.MustZerosLike(false))
	}
	return o
}

// zeroGrad clears the accumulated gradients.
func (o *adam) zeroGrad() {
	for _, p := range o.params {
		p.ZeroGrad()
	}
}

// apply does one update with learning rate lr. It must run with grad
// mode off (see net.WithNoGrad).
func (o *adam) apply(lr float64) {
	o.step++
	bc1 := 1 - math.Pow(o.b1, float64(o.step))
	bc2 := 1 - math.Pow(o.b2, float64(o.step))
	for i, p := range o.params {
		g := p.MustGrad(false)
		if !g.MustDefined() {
			g.MustDrop()
			continue
		}
		m, v := o.m[i], o.v[i]
		m.MustMulScalar_(ts.FloatScalar(o.b1))
		gs := g.MustMulScalar(ts.FloatScalar(1-o.b1), false)
		m.MustAdd_(gs)
		gs.MustDrop()
		v.MustMulScalar_(ts.FloatScalar(o.b2))
		g2 := g.MustMul(g, false)
		g2.MustMulScalar_(ts.FloatScalar(1 - o.b2))
		v.MustAdd_(g2)
		g2.MustDrop()
		// p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps), PyTorch's ordering.
		den := v.MustSqrt(false)
		den.MustMulScalar_(ts.FloatScalar(1 / math.Sqrt(bc2)))
		den.MustAddScalar_(ts.FloatScalar(o.eps))
		upd := m.MustDiv(den, false)
		upd.MustMulScalar_(ts.FloatScalar(lr / bc1))
		p.MustSub_(upd)
		upd.MustDrop()
		den.MustDrop()
		g.MustDrop()
	}
}

// state returns the moments as blobs named "adam.m/<var>", "adam.v/<var>".
func (o *adam) state() map[string]net.Blob {
	out := map[string]net.Blob{}
	for i, name := range o.names {
		out["adam.m/"+name] = net.TensorBlob(o.m[i])
		out["adam.v/"+name] = net.TensorBlob(o.v[i])
	}
	return out
}

// restore loads moments saved by state and the step count.
func (o *adam) restore(blobs map[string]net.Blob, step int64) error {
	for i, name := range o.names {
		for _, k := range []struct {
			key string
			dst *ts.Tensor
		}{{"adam.m/" + name, o.m[i]}, {"adam.v/" + name, o.v[i]}} {
			b, ok := blobs[k.key]
			if !ok {
				return fmt.Errorf("optimizer state lacks %q", k.key)
			}
			if fmt.Sprint(b.Shape) != fmt.Sprint(k.dst.MustSize()) {
				return fmt.Errorf("optimizer state %q has shape %v, want %v", k.key, b.Shape, k.dst.MustSize())
			}
			src := ts.MustOfSlice(b.Data).MustView(b.Shape, true)
			k.dst.Copy_(src)
			src.MustDrop()
		}
	}
	o.step = step
	return nil
}
