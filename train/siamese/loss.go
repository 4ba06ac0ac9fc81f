package siamese

import (
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"

	net "github.com/mfif/mfif/nets/siamese"
)

// batchTensors are the inputs and targets of one mini-batch, (N,1,S,S).
type batchTensors struct {
	a, b, cleanA, cleanB, target, weight *ts.Tensor
	wsum                                 float64 // Σ weight, at least 1
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
// compares each GCB output with its noise-free source. Every tensor,
// including the total, belongs to s.
func computeLoss(s *backend.Scope, out net.Output, bt *batchTensors, lc LossConfig, gcbOn bool) (lossParts, error) {
	undef := s.Add(ts.NewTensor())
	bce := s.Add(out.Logits.MustBinaryCrossEntropyWithLogits(bt.target, bt.weight, undef, ts.ReductionSum, false))
	bce = s.Add(bce.MustDivScalar(s.Float(bt.wsum), false))
	p := s.Add(out.Logits.MustSigmoid(false))
	pw := s.Add(p.MustMul(bt.weight, false))
	inter := s.Add(s.Add(pw.MustMul(bt.target, false)).MustSum(gotch.Float, false))
	tw := s.Add(s.Add(bt.target.MustMul(bt.weight, false)).MustSum(gotch.Float, false))
	den := s.Add(s.Add(pw.MustSum(gotch.Float, false)).MustAdd(tw, false))
	// dice = 1 − (2·inter + 1)/(den + 1)
	num := s.Add(s.Add(inter.MustMulScalar(s.Float(2), false)).MustAddScalar(s.Float(1), false))
	ratio := s.Add(num.MustDiv(s.Add(den.MustAddScalar(s.Float(1), false)), false))
	dice := s.Add(s.Add(ratio.MustNeg(false)).MustAddScalar(s.Float(1), false))
	total := s.Add(s.Add(bce.MustMulScalar(s.Float(lc.BCE), false)).MustAdd(s.Add(dice.MustMulScalar(s.Float(lc.Dice), false)), false))
	var lp lossParts
	var err error
	if lp.bce, err = value32(bce); err != nil {
		return lp, err
	}
	if lp.dice, err = value32(dice); err != nil {
		return lp, err
	}
	if gcbOn && lc.GCB > 0 {
		ma := s.Add(out.CleanA.MustMseLoss(bt.cleanA, ts.ReductionMean, false))
		mb := s.Add(out.CleanB.MustMseLoss(bt.cleanB, ts.ReductionMean, false))
		g := s.Add(s.Add(ma.MustAdd(mb, false)).MustMulScalar(s.Float(0.5), false))
		if lp.gcb, err = value32(g); err != nil {
			return lp, err
		}
		total = s.Add(total.MustAdd(s.Add(g.MustMulScalar(s.Float(lc.GCB), false)), false))
	}
	lp.total = total
	lp.correct, lp.count, err = accuracy(out.Logits, bt)
	return lp, err
}

// value32 reads a one-element float32 tensor.
func value32(t *ts.Tensor) (float64, error) {
	v, err := backend.Value(t)
	return float64(float32(v)), err
}

// accuracy counts non-ignored pixels whose thresholded map matches the
// target.
func accuracy(logits *ts.Tensor, bt *batchTensors) (correct, count float64, err error) {
	var lg, tg, wt []float32
	err = backend.NoGrad(func() error {
		var err error
		if lg, err = backend.Float32s(logits); err != nil {
			return err
		}
		if tg, err = backend.Float32s(bt.target); err != nil {
			return err
		}
		wt, err = backend.Float32s(bt.weight)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	for i, w := range wt {
		if w == 0 {
			continue
		}
		count++
		if (lg[i] >= 0) == (tg[i] >= 0.5) {
			correct++
		}
	}
	return correct, count, nil
}
