package siamese

import (
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	net "github.com/mfif/mfif/nets/siamese"
)

// batchTensors are the inputs and targets of one mini-batch, (N,1,S,S).
type batchTensors struct {
	a, b, cleanA, cleanB, target, weight *ts.Tensor
	wsum                                 float64 // Σ weight, at least 1
}

func (bt *batchTensors) drop() {
	for _, t := range []*ts.Tensor{bt.a, bt.b, bt.cleanA, bt.cleanB, bt.target, bt.weight} {
		t.MustDrop()
	}
}

// lossParts are the scalar loss terms of one batch (float64 copies) and
// the total as a tensor for backward.
type lossParts struct {
	total          *ts.Tensor
	bce, dice, gcb float64
	correct, count float64 // decision accuracy over non-ignored pixels
}

// computeLoss returns w_bce·BCE + w_dice·Dice + w_gcb·MSE_gcb, where BCE
// and Dice count only pixels with weight 1 (not ignored) and the GCB term
// compares each GCB output with its noise-free source.
func computeLoss(out net.Output, bt *batchTensors, lc LossConfig, gcbOn bool) lossParts {
	// Every intermediate tensor and scalar is freed before returning:
	// gotch would otherwise keep their C memory until a Go GC happens to
	// run their finalizers, which a small Go heap makes rare.
	s := []*ts.Tensor{}
	k := func(t *ts.Tensor) *ts.Tensor { s = append(s, t); return t }
	var scalars []*ts.Scalar
	fs := func(v float64) *ts.Scalar {
		sc := ts.FloatScalar(v)
		scalars = append(scalars, sc)
		return sc
	}
	defer func() {
		for _, t := range s {
			t.MustDrop()
		}
		for _, sc := range scalars {
			sc.MustDrop()
		}
	}()
	undef := k(ts.NewTensor())
	bce := k(out.Logits.MustBinaryCrossEntropyWithLogits(bt.target, bt.weight, undef, ts.ReductionSum, false))
	bce = k(bce.MustDivScalar(fs(bt.wsum), false))
	p := k(out.Logits.MustSigmoid(false))
	pw := k(p.MustMul(bt.weight, false))
	inter := k(k(pw.MustMul(bt.target, false)).MustSum(gotch.Float, false))
	den := k(k(pw.MustSum(gotch.Float, false)).MustAdd(k(k(bt.target.MustMul(bt.weight, false)).MustSum(gotch.Float, false)), false))
	// dice = 1 − (2·inter + 1)/(den + 1)
	num := k(k(inter.MustMulScalar(fs(2), false)).MustAddScalar(fs(1), false))
	ratio := k(num.MustDiv(k(den.MustAddScalar(fs(1), false)), false))
	dice := k(k(ratio.MustNeg(false)).MustAddScalar(fs(1), false))
	total := k(k(bce.MustMulScalar(fs(lc.BCE), false)).MustAdd(k(dice.MustMulScalar(fs(lc.Dice), false)), false))
	lp := lossParts{bce: scalar(bce), dice: scalar(dice)}
	if gcbOn && lc.GCB > 0 {
		ma := k(out.CleanA.MustMseLoss(bt.cleanA, ts.ReductionMean, false))
		mb := k(out.CleanB.MustMseLoss(bt.cleanB, ts.ReductionMean, false))
		g := k(k(ma.MustAdd(mb, false)).MustMulScalar(fs(0.5), false))
		lp.gcb = scalar(g)
		total = k(total.MustAdd(k(g.MustMulScalar(fs(lc.GCB), false)), false))
	}
	lp.total = total.MustShallowClone()
	lp.correct, lp.count = accuracy(out.Logits, bt)
	return lp
}

// accuracy counts non-ignored pixels whose thresholded map matches the
// target.
func accuracy(logits *ts.Tensor, bt *batchTensors) (correct, count float64) {
	var lg, tg, wt []float32
	net.WithNoGrad(func() {
		lg, tg, wt = net.TensorBlob(logits).Data, net.TensorBlob(bt.target).Data, net.TensorBlob(bt.weight).Data
	})
	for i, w := range wt {
		if w == 0 {
			continue
		}
		count++
		if (lg[i] >= 0) == (tg[i] >= 0.5) {
			correct++
		}
	}
	return correct, count
}

// scalar copies a one-element float32 tensor to Go.
func scalar(t *ts.Tensor) float64 {
	v := make([]float32, 1)
	t.MustCopyData(v, 1)
	return float64(v[0])
}
