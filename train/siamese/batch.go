package siamese

import (
	"fmt"
	"math/rand/v2"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/train"
)

// hostBatch is a mini-batch in Go memory, (N,1,S,S) planes flattened.
type hostBatch struct {
	n, size                              int
	a, b, cleanA, cleanB, target, weight []float32
	err                                  error
}

// tensors uploads the batch to the device; the tensors belong to s.
func (hb hostBatch) tensors(s *backend.Scope) *batchTensors {
	shape := []int64{int64(hb.n), 1, int64(hb.size), int64(hb.size)}
	up := func(v []float32) *ts.Tensor { return s.Add(backend.MustFromFloat32(v, shape...)) }
	bt := &batchTensors{a: up(hb.a), b: up(hb.b), cleanA: up(hb.cleanA), cleanB: up(hb.cleanB),
		target: up(hb.target), weight: up(hb.weight)}
	for _, w := range hb.weight {
		bt.wsum += float64(w)
	}
	bt.wsum = max(bt.wsum, 1)
	return bt
}

// assemble builds a batch from sample indices: optional dihedral
// transform and A/B swap (augment), then Gaussian noise with a per-sample
// std drawn from U(0, noise_sigma) on the sources; the clean planes keep
// the noise-free sources for the GCB loss.
func (k *Task) assemble(src *cache, idx []int, rng *rand.Rand, augment bool) (hostBatch, error) {
	s := k.fc.Data.Size
	n := len(idx)
	hb := hostBatch{n: n, size: s}
	for _, p := range []*[]float32{&hb.a, &hb.b, &hb.cleanA, &hb.cleanB, &hb.target, &hb.weight} {
		*p = make([]float32, n*s*s)
	}
	for j, i := range idx {
		smp, err := src.get(i)
		if err != nil {
			return hb, err
		}
		if smp.size != s {
			return hb, fmt.Errorf("sample %d is %dx%d, want %dx%d", i, smp.size, smp.size, s, s)
		}
		tf, swap := 0, false
		if augment {
			tf, swap = rng.IntN(8), rng.IntN(2) == 1
		}
		a, b := smp.a, smp.b
		if swap {
			a, b = b, a
		}
		off := j * s * s
		sigma := k.fc.Data.NoiseSigma * rng.Float64()
		for y := 0; y < s; y++ {
			for x := 0; x < s; x++ {
				src := dihedral(tf, x, y, s)
				k := off + y*s + x
				hb.cleanA[k], hb.cleanB[k] = a[src], b[src]
				hb.a[k] = a[src] + float32(sigma*rng.NormFloat64())
				hb.b[k] = b[src] + float32(sigma*rng.NormFloat64())
				t := smp.target[src]
				if swap {
					t = 1 - t
				}
				hb.target[k] = t
				hb.weight[k] = 1 - smp.ign[src]
			}
		}
	}
	return hb, nil
}

// dihedral maps output pixel (x,y) to its source index under transform tf
// (0..7: identity, rotations and mirrors of the square of side s).
func dihedral(tf, x, y, s int) int {
	if tf&4 != 0 {
		x, y = y, x
	}
	if tf&1 != 0 {
		x = s - 1 - x
	}
	if tf&2 != 0 {
		y = s - 1 - y
	}
	return y*s + x
}

// newProviders builds the training and validation sample sources named by
// data.kind. The validation side never shares a source photo (or mask, or
// scene) with the training side: bsds uses its val split, the other kinds
// split their source photos with data.SplitByGroup.
func newProviders(fc FileConfig) (tr, val provider, err error) {
	d := fc.Data
	seed := train.TorchSeed(train.DeriveSeed(fc.Train.Seed, streamData))
	band := 0
	var ds data.Dataset
	switch d.Kind {
	case "synth":
		cfg := data.SynthConfig{W: d.Size, H: d.Size, Gray: true}
		ds, band = data.NewSynthDatasetConfig(d.Samples, cfg, seed), 2
	case "triplet":
		if ds, err = data.NewTripletDataset(d.Root, d.Size, d.Samples); err != nil {
			return nil, nil, fmt.Errorf("data.root: %w", err)
		}
	case "voc":
		if ds, err = data.NewVOCDataset(d.Root, d.Samples, d.Size, seed); err != nil {
			return nil, nil, fmt.Errorf("data.root: %w", err)
		}
	case "bsds":
		cfg := data.BSDSConfig{Size: d.Size, Resize: d.Resize, Variants: d.Variants, Photos: d.Samples}
		if b := d.Blur; b != nil {
			cfg.RandomBlur = &data.BSDSBenchConfig{SigmaMin: b.Sigma[0], SigmaMax: b.Sigma[1],
				RadiusMin: b.Radius[0], RadiusMax: b.Radius[1]}
		}
		trDS, err := data.NewBSDSDataset(d.Root, "train", cfg, seed)
		if err != nil {
			return nil, nil, fmt.Errorf("data.root: %w", err)
		}
		cfg.Variants, cfg.Photos = max(d.ValVariants, 1), 0
		valDS, err := data.NewBSDSDataset(d.Root, "val", cfg, seed+1)
		if err != nil {
			return nil, nil, fmt.Errorf("data.root: %w", err)
		}
		return dsProvider{ds: trDS}, dsProvider{ds: valDS}, nil
	default:
		return nil, nil, fmt.Errorf("data.kind %q: want synth, voc, bsds or triplet", d.Kind)
	}
	trDS, valDS := data.SplitByGroup(ds, d.ValFraction, train.TorchSeed(train.DeriveSeed(fc.Train.Seed, streamSplit)))
	return dsProvider{ds: trDS, band: band}, dsProvider{ds: valDS, band: band}, nil
}
