package fusiondiff

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/train"
	"github.com/mfif/mfif/train/traintest"
)

func TestMain(m *testing.M) { traintest.Main(m) }

// The run TestKillResume kills: 3 epochs of 6 batches with EMA and
// dropout, a checkpoint after every step.
var _ = traintest.Register("fusiondiff", func(ctx context.Context, dir string, resume bool) error {
	cfg := tinyConfig(16, 3)
	cfg.Model.Dropout, cfg.Train.EMA, cfg.Train.CheckpointSteps = 0.1, 0.9, traintest.CheckpointSteps()
	_, err := Train(ctx, cfg, synthTriplets(12, 16), synthTriplets(2, 16), train.Request{Dir: dir, Resume: resume})
	return err
})

// kill -9 in the middle of an epoch, then --resume: the same history.csv
// and bit-identical weights, EMA and AdamW moments as an uninterrupted run.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	traintest.KillResume(t, "fusiondiff")
}

// SIGTERM in the middle of an epoch writes last.ckpt at the step reached;
// resuming ends as an uninterrupted run.
func TestTermResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	traintest.TermResume(t, "fusiondiff")
}

// trainTo trains cfg on trips into a fresh folder and returns best.ckpt.
func trainTo(t *testing.T, cfg *Config, trips []Triplet) string {
	t.Helper()
	res, err := Train(context.Background(), cfg, trips, nil, train.Request{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return res.Best
}

// tinyConfig is a network small enough to train in seconds.
func tinyConfig(size, epochs int) *Config {
	return &Config{
		Name: "tiny",
		Spec: netfd.Spec{
			Model: netfd.Config{InChannels: 9, OutChannels: 3, ModelChannels: 32, NumResBlocks: 1,
				TimeEmbedDimMult: 2, ChannelMult: []int{1, 1}, Groups: 8},
			Diffusion: netfd.DiffusionConfig{Timesteps: 2000, MaxBeta: 0.999, LossScale: 128},
			Sample:    netfd.SampleConfig{Sampler: "ddim", Steps: 20}},
		Data: DataConfig{Dir: "unused", Size: size, Mode: "resize"},
		Train: train.LoopConfig{Epochs: epochs, BatchSize: 2, Seed: 3, CheckpointEvery: 1, Threads: 1,
			Optimizer: train.OptimConfig{Kind: "adamw", LR: 3e-3},
			Schedule:  train.ScheduleConfig{Kind: "constant"}},
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

// sampleMSE samples every triplet with the model (respaced FusionDiff
// sampler, 20 steps, honouring the model's objective and residual setting)
// and returns the mean squared error to the ground truth (on the [-1, 1]
// scale).
func sampleMSE(t *testing.T, tr *netfd.Model, trips []Triplet) float64 {
	t.Helper()
	smp, err := diffusion.NewSampler("fusiondiff", tr.Schedule, 20)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var n int
	err = backend.Run(func() error {
		for k, trip := range trips {
			s := int64(trip.W)
			cond := backend.MustFromFloat32(append(append([]float32(nil), trip.S1...), trip.S2...), 1, 6, s, s)
			pred := func(x []float32, step int) ([]float32, error) {
				var eps []float32
				err := backend.NoGrad(func() error {
					sc := backend.NewScope()
					defer sc.Close()
					in := sc.Add(ts.MustCat([]*ts.Tensor{cond, sc.Add(backend.MustFromFloat32(x, 1, 3, s, s))}, 1))
					var err error
					eps, err = backend.Float32s(sc.Add(tr.Net.Forward(in, []int64{int64(step)}, false)))
					return err
				})
				return eps, err
			}
			obj, err := tr.Spec.Diffusion.ParsedObjective()
			if err != nil {
				return err
			}
			wrapped, err := diffusion.WrapPredictor(tr.Schedule, obj, pred)
			if err != nil {
				return err
			}
			x0, err := smp.Sample(diffusion.GaussianNoise(len(trip.GT), uint64(k)), wrapped, nil)
			backend.Drop(cond)
			if err != nil {
				return err
			}
			if r := tr.Spec.Diffusion.Residual; r > 0 {
				for i, b := range netfd.MeanBase(trip.S1, trip.S2) {
					x0[i] = x0[i]/float32(r) + b
				}
			}
			for i, v := range x0 {
				d := float64(v - trip.GT[i])
				sum += d * d
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum / float64(n)
}

func TestTinyOverfit(t *testing.T) {
	trips := synthTriplets(2, 32)
	dir := t.TempDir()
	cfg := tinyConfig(32, 200)
	cfg.Train.EMA = 0.98
	cfg.Train.CheckpointEvery = 1000
	res, err := Train(context.Background(), cfg, trips, nil, train.Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	trained, err := netfd.Load(res.Best, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer trained.Close()
	fresh, err := netfd.Build(cfg.Spec)
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
	for _, f := range []string{train.HistoryName, train.LossPNG, train.LossSVG, train.LastName, train.BestName, train.ConfigName, train.LogName} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// Validation on held-out triplets is deterministic and picks best.ckpt;
// the checkpoint carries the spec nets/fusiondiff loads it with.
func TestValidationAndSpec(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig(16, 3)
	res, err := Train(context.Background(), cfg, synthTriplets(4, 16), synthTriplets(2, 16), train.Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.BestEpoch < 1 || len(res.History.Epochs) != 3 || !res.History.Epochs[0].HasVal {
		t.Fatalf("result %+v", res)
	}
	h, _ := os.ReadFile(filepath.Join(dir, train.HistoryName))
	if !strings.HasPrefix(string(h), "epoch,iteration,lr,train_loss,val_loss\n") {
		t.Errorf("history.csv:\n%s", h)
	}
	tr, err := netfd.Load(res.Best, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if tr.Spec.Model.ModelChannels != 32 || tr.Spec.Sample.Steps != 20 {
		t.Errorf("loaded spec %+v", tr.Spec)
	}
	// The same validation twice gives the same loss.
	k, err := NewTask(cfg, synthTriplets(4, 16), synthTriplets(2, 16))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	var a, b train.Validation
	err = backend.NoGrad(func() error {
		var err error
		if a, err = k.Validate(1); err != nil {
			return err
		}
		b, err = k.Validate(2)
		return err
	})
	if err != nil || a.Loss != b.Loss || !(a.Loss > 0) {
		t.Errorf("validation %v then %v (%v)", a.Loss, b.Loss, err)
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
	trained, err := netfd.Load(trainTo(t, cfg, trips), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer trained.Close()
	var meanMSE float64
	var n int
	for _, trip := range trips {
		for i, b := range netfd.MeanBase(trip.S1, trip.S2) {
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
