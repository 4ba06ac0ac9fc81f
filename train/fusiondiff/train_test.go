package fusiondiff

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
)

// tinyConfig is a network small enough to train in seconds.
func tinyConfig(size, epochs int) *Config {
	return &Config{
		Name: "tiny",
		Model: netfd.Config{InChannels: 9, OutChannels: 3, ModelChannels: 32, NumResBlocks: 1,
			TimeEmbedDimMult: 2, ChannelMult: []int{1, 1}, Groups: 8},
		Diffusion: DiffusionConfig{Timesteps: 2000, MaxBeta: 0.999, LossScale: 128},
		Data:      DataConfig{Dir: "unused", Size: size, Mode: "resize"},
		Train: TrainConfig{Epochs: epochs, BatchSize: 2, Seed: 3, CheckpointEvery: 1, Threads: 1,
			Optimizer: train.OptimConfig{Kind: "adamw", LR: 3e-3},
			Schedule:  train.ScheduleConfig{Kind: "constant"}},
		Sample: SampleConfig{Sampler: "ddim", Steps: 20},
	}
}

// synthTriplets makes n smooth colour scenes; source 1 keeps the left half
// sharp and flattens the right half to its mean, source 2 the opposite.
func synthTriplets(n, size int) []Triplet {
	out := make([]Triplet, n)
	px := size * size
	for k := range out {
		t := Triplet{Name: string(rune('a' + k)), W: size, H: size,
			S1: make([]float32, 3*px), S2: make([]float32, 3*px), GT: make([]float32, 3*px)}
		for c := 0; c < 3; c++ {
			for y := 0; y < size; y++ {
				for x := 0; x < size; x++ {
					i := c*px + y*size + x
					v := 0.8 * math.Sin(float64(x)*0.2*float64(k+1)+float64(c)) * math.Cos(float64(y)*0.15+float64(k))
					t.GT[i] = float32(v)
					t.S1[i], t.S2[i] = float32(v), float32(v)
					if x >= size/2 {
						t.S1[i] = 0
					} else {
						t.S2[i] = 0
					}
				}
			}
		}
		out[k] = t
	}
	return out
}

func TestConfigsValid(t *testing.T) {
	for _, name := range []string{"fusiondiff", "fusiondiff-cpu"} {
		c, err := LoadConfig(name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc, err := c.YAML()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseConfig(doc); err != nil {
			t.Errorf("%s: round trip: %v", name, err)
		}
	}
	if _, err := LoadConfig("fusiondiff", map[string]any{"data.mode": "zoom"}); err == nil {
		t.Error("bad data.mode accepted")
	}
	if _, err := LoadConfig("fusiondiff", map[string]any{"data.size": 100}); err == nil {
		t.Error("size not a multiple of the stride accepted")
	}
	if _, err := LoadConfig("fusiondiff", map[string]any{"train.bogus": 1}); err == nil {
		t.Error("unknown key accepted")
	}
}

func TestCHWRoundTrip(t *testing.T) {
	trip := synthTriplets(1, 8)[0]
	img := FromCHW(trip.GT, 8, 8)
	back := ToCHW(img)
	for i := range back {
		// Truncation to 8 bits loses at most one level (2/255 in [-1, 1]).
		if d := float64(trip.GT[i] - back[i]); d < -1e-6 || d > 2.0/255+1e-6 {
			t.Fatalf("value %d: %v -> %v", i, trip.GT[i], back[i])
		}
	}
	sat := FromCHW([]float32{-2, 2, 0}, 1, 1)
	if sat.Planes[0][0] != 0 || sat.Planes[1][0] != 255 || sat.Planes[2][0] != 127 {
		t.Errorf("saturation/truncation: %v %v %v", sat.Planes[0][0], sat.Planes[1][0], sat.Planes[2][0])
	}
}

// sampleMSE samples every triplet with the model (respaced FusionDiff
// sampler, 20 steps, honouring the model's objective and residual setting)
// and returns the mean squared error to the ground truth (on the [-1, 1]
// scale).
func sampleMSE(t *testing.T, tr *Trained, trips []Triplet) float64 {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	smp, err := diffusion.NewSampler("fusiondiff", tr.Schedule, 20)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var n int
	for k, trip := range trips {
		s := int64(trip.W)
		cond, err := ts.NewTensorFromData(append(append([]float32(nil), trip.S1...), trip.S2...), []int64{1, 6, s, s})
		if err != nil {
			t.Fatal(err)
		}
		pred := func(x []float32, step int) ([]float32, error) {
			xt, err := ts.NewTensorFromData(x, []int64{1, 3, s, s})
			if err != nil {
				return nil, err
			}
			in := ts.MustCat([]*ts.Tensor{cond, xt}, 1)
			xt.MustDrop()
			var out *ts.Tensor
			ts.NoGrad(func() { out = tr.Model.Forward(in, []int64{int64(step)}, false) })
			in.MustDrop()
			eps := make([]float32, len(x))
			err = out.CopyData(eps, uint(len(eps)))
			out.MustDrop()
			return eps, err
		}
		obj, err := tr.Config.Diffusion.ParsedObjective()
		if err != nil {
			t.Fatal(err)
		}
		wrapped, err := diffusion.WrapPredictor(tr.Schedule, obj, pred)
		if err != nil {
			t.Fatal(err)
		}
		x0, err := smp.Sample(diffusion.GaussianNoise(len(trip.GT), uint64(k)), wrapped, nil)
		cond.MustDrop()
		if err != nil {
			t.Fatal(err)
		}
		if r := tr.Config.Diffusion.Residual; r > 0 {
			for i, b := range MeanBase(trip.S1, trip.S2) {
				x0[i] = x0[i]/float32(r) + b
			}
		}
		for i, v := range x0 {
			d := float64(v - trip.GT[i])
			sum += d * d
			n++
		}
	}
	return sum / float64(n)
}

func TestTinyOverfit(t *testing.T) {
	trips := synthTriplets(2, 32)
	dir := t.TempDir()
	cfg := tinyConfig(32, 200)
	cfg.Train.EMA = 0.98
	cfg.Train.CheckpointEvery = 1000
	ckpt, err := Train(cfg, trips, dir, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	trained, err := LoadTrained(ckpt, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer trained.Close()
	fresh, err := build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	before, after := sampleMSE(t, fresh, trips), sampleMSE(t, trained, trips)
	var gtPower float64
	for _, v := range trips[0].GT {
		gtPower += float64(v * v)
	}
	gtPower /= float64(len(trips[0].GT))
	t.Logf("sample MSE to ground truth: untrained %.4f, trained %.4f (GT power %.4f)", before, after, gtPower)
	if !(after < 0.15*gtPower && after < 0.15*before) {
		t.Errorf("trained sample MSE %.4f not well below untrained %.4f / GT power %.4f", after, before, gtPower)
	}
	for _, f := range []string{"loss.csv", "loss.png", "loss.svg", CheckpointName} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestResumeEqualsUninterrupted(t *testing.T) {
	trips := synthTriplets(4, 16)
	full := t.TempDir()
	if _, err := Train(tinyConfig(16, 4), trips, full, false, nil); err != nil {
		t.Fatal(err)
	}
	split := t.TempDir()
	if _, err := Train(tinyConfig(16, 2), trips, split, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Train(tinyConfig(16, 4), trips, split, true, nil); err != nil {
		t.Fatal(err)
	}
	a, err := train.LoadCheckpoint(filepath.Join(full, CheckpointName), Kind)
	if err != nil {
		t.Fatal(err)
	}
	b, err := train.LoadCheckpoint(filepath.Join(split, CheckpointName), Kind)
	if err != nil {
		t.Fatal(err)
	}
	if a.Epoch != 4 || b.Epoch != 4 || a.Iteration != b.Iteration {
		t.Fatalf("epochs %d/%d, iterations %d/%d", a.Epoch, b.Epoch, a.Iteration, b.Iteration)
	}
	if len(a.Tensors) == 0 || len(a.Tensors) != len(b.Tensors) {
		t.Fatalf("tensor counts %d vs %d", len(a.Tensors), len(b.Tensors))
	}
	for name, ta := range a.Tensors {
		tb, ok := b.Tensors[name]
		if !ok || string(ta.Data) != string(tb.Data) {
			t.Errorf("tensor %s differs between resumed and uninterrupted runs", name)
		}
	}
}

// TestTinyResidualX0BeatsMean trains a residual x0 model on the synthetic
// triplets, whose source mean is half the ground truth, and checks that its
// samples are much closer to the ground truth than that mean.
func TestTinyResidualX0BeatsMean(t *testing.T) {
	trips := synthTriplets(2, 32)
	cfg := tinyConfig(32, 150)
	cfg.Diffusion.Objective, cfg.Diffusion.Residual = "x0", 2
	cfg.Train.EMA = 0.98
	cfg.Train.CheckpointEvery = 1000
	ckpt, err := Train(cfg, trips, t.TempDir(), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	trained, err := LoadTrained(ckpt, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer trained.Close()
	var meanMSE float64
	var n int
	for _, trip := range trips {
		for i, b := range MeanBase(trip.S1, trip.S2) {
			d := float64(b - trip.GT[i])
			meanMSE += d * d
			n++
		}
	}
	meanMSE /= float64(n)
	got := sampleMSE(t, trained, trips)
	t.Logf("sample MSE to ground truth: residual x0 model %.4f, source mean %.4f", got, meanMSE)
	if !(got < 0.3*meanMSE) {
		t.Errorf("residual x0 model MSE %.4f not well below the source mean's %.4f", got, meanMSE)
	}
}
