package siamese

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/internal/registry"
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
// the noise-free sources for the GCB loss. With augment and a positive
// data.photometric each source first gets its own exposure change
// (photometric).
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
		if p := k.fc.Data.Photometric; augment && p > 0 {
			a, b = photometric(a, p, rng), photometric(b, p, rng)
		}
		off := j * s * s
		sigma := k.fc.Data.NoiseSigma * rng.Float64()
		for y := 0; y < s; y++ {
			for x := 0; x < s; x++ {
				src := data.DihedralIndex(tf, x, y, s, s)
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

// photometric returns a copy of the [0,1] plane v with a random exposure
// change, min(1, g·v^γ) with log g and log γ uniform in [−p, p]: the two
// shots of a real multi-focus pair differ a little in exposure, gamma and
// vignetting (MFFW's pairs visibly do), while synthesized sources share
// the photo's exact levels, so without it the network may read a level
// difference as a focus cue.
func photometric(v []float32, p float64, rng *rand.Rand) []float32 {
	g := math.Exp(p * (2*rng.Float64() - 1))
	gamma := math.Exp(p * (2*rng.Float64() - 1))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(min(1, g*math.Pow(float64(x), gamma)))
	}
	return out
}

// dataKind is one value of data.kind: how its samples are made.
type dataKind struct {
	// root reports that the kind reads data.root, a folder that must exist.
	root bool
	// minSamples is the least data.samples the kind accepts (0: any).
	minSamples int
	// build returns the dataset to split with data.SplitByGroup and the
	// label band (0: none); a kind with validation data of its own returns
	// both providers instead (ds nil).
	build func(d DataConfig, seed int64) (ds data.Dataset, band int, tr, val provider, err error)
}

// dataKinds holds the training dataset kinds (data.kind).
var dataKinds registry.Registry[dataKind]

func init() {
	for name, k := range map[string]dataKind{
		"synth": {minSamples: 2, build: func(d DataConfig, seed int64) (data.Dataset, int, provider, provider, error) {
			cfg := data.SynthConfig{W: d.Size, H: d.Size, Gray: true}
			return data.NewSynthDatasetConfig(d.Samples, cfg, seed), 2, nil, nil, nil
		}},
		"triplet": {root: true, build: func(d DataConfig, _ int64) (data.Dataset, int, provider, provider, error) {
			ds, err := data.NewTripletDataset(d.Root, d.Size, d.Samples)
			return ds, 0, nil, nil, err
		}},
		"voc": {root: true, build: func(d DataConfig, seed int64) (data.Dataset, int, provider, provider, error) {
			ds, err := data.NewVOCDataset(d.Root, d.Samples, d.Size, seed)
			return ds, 0, nil, nil, err
		}},
		"bsds": {root: true, build: newBSDSProviders},
	} {
		if err := dataKinds.Add(name, k); err != nil {
			panic("siamese: data kind " + err.Error())
		}
	}
}

// lookupDataKind returns the kind named by data.kind, or an error listing
// the kinds.
func lookupDataKind(kind string) (dataKind, error) {
	k, ok := dataKinds.Get(kind)
	if !ok {
		return dataKind{}, fmt.Errorf("data.kind %q: want one of %s", kind, dataKinds.Known())
	}
	return k, nil
}

// newBSDSProviders uses BSDS500's train split for training and its val
// split for validation.
func newBSDSProviders(d DataConfig, seed int64) (data.Dataset, int, provider, provider, error) {
	cfg := data.BSDSConfig{Size: d.Size, Resize: d.Resize, Variants: d.Variants, Photos: d.Samples, Spread: d.Spread}
	if b := d.Blur; b != nil {
		cfg.RandomBlur = &data.BSDSBenchConfig{SigmaMin: b.Sigma[0], SigmaMax: b.Sigma[1],
			RadiusMin: b.Radius[0], RadiusMax: b.Radius[1]}
	}
	trDS, err := data.NewBSDSDataset(d.Root, "train", cfg, seed)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	cfg.Variants, cfg.Photos = max(d.ValVariants, 1), 0
	valDS, err := data.NewBSDSDataset(d.Root, "val", cfg, seed+1)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	return nil, 0, dsProvider{ds: trDS}, dsProvider{ds: valDS}, nil
}

// newProviders builds the training and validation sample sources named by
// data.kind. The validation side never shares a source photo (or mask, or
// scene) with the training side: bsds uses its val split, the other kinds
// split their source photos with data.SplitByGroup. The header of every
// file either side reads is checked here (data.CheckInputs), so a broken
// photo, map or triplet stops the run before the model is built, not when
// the sample is first drawn (for a validation photo, after a whole epoch).
func newProviders(fc FileConfig) (tr, val provider, err error) {
	d := fc.Data
	kind, err := lookupDataKind(d.Kind)
	if err != nil {
		return nil, nil, err
	}
	seed := train.TorchSeed(train.DeriveSeed(fc.Train.Seed, streamData))
	ds, band, tr, val, err := kind.build(d, seed)
	if err != nil {
		if kind.root {
			err = fmt.Errorf("data.root: %w", err)
		}
		return nil, nil, err
	}
	if ds != nil {
		trDS, valDS := data.SplitByGroup(ds, d.ValFraction, train.TorchSeed(train.DeriveSeed(fc.Train.Seed, streamSplit)))
		tr, val = dsProvider{ds: trDS, band: band}, dsProvider{ds: valDS, band: band}
	}
	for _, side := range []struct {
		name string
		p    provider
	}{{"training", tr}, {"validation", val}} {
		if dp, ok := side.p.(dsProvider); ok {
			if err := data.CheckInputs(dp.ds); err != nil {
				return nil, nil, fmt.Errorf("data.root %s: %s set: %w", d.Root, side.name, err)
			}
		}
	}
	return tr, val, nil
}
