package prior

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/train"
	"github.com/mfif/mfif/train/traintest"
)

func tinyConfig(epochs int) *Config {
	return &Config{
		Name: "tiny",
		Model: ModelConfig{Name: Kind, Config: adm.Config{ImageSize: 16, InChannels: 3, NumChannels: 32, NumResBlocks: 1,
			ChannelMult: []int{1, 2}, AttentionResolutions: []int{8}, NumHeads: 1, NumHeadChannels: 32,
			UseScaleShiftNorm: true, ResblockUpdown: true}},
		Diffusion: DiffusionConfig{Timesteps: 1000},
		Data:      DataConfig{Dir: "unused", Size: 16},
		Train: train.LoopConfig{Epochs: epochs, BatchSize: 2, Seed: 5, CheckpointEvery: 1, Threads: 1,
			Optimizer: train.OptimConfig{Kind: "adamw", LR: 1e-3},
			Schedule:  train.ScheduleConfig{Kind: "constant"}},
	}
}

func synthExamples(n, w, h int) []Example {
	out := make([]Example, n)
	for k := range out {
		x := make([]float32, 3*w*h)
		for i := range x {
			p := i % (w * h)
			x[i] = float32(0.8 * math.Sin(float64(p%w)*0.3*float64(k+1)+float64(i/(w*h))) * math.Cos(float64(p/w)*0.2))
		}
		out[k] = Example{Name: string(rune('a' + k)), W: w, H: h, X: x}
	}
	return out
}

func TestConfigs(t *testing.T) {
	c, err := LoadConfig("ddfm-prior-cpu", nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseConfig(doc); err != nil {
		t.Errorf("round trip: %v", err)
	}
	bad := []map[string]any{
		{"data.size": 62},
		{"data.resize": 32},
		{"train.ema": 1.0},
		{"model.num_channels": 40},
		{"train.bogus": 1},
	}
	for _, o := range bad {
		if _, err := LoadConfig("ddfm-prior-cpu", o); err == nil {
			t.Errorf("override %v accepted", o)
		}
	}
}

func TestMain(m *testing.M) { traintest.Main(m) }

// The run TestKillResume kills: 3 epochs of 6 batches with EMA, a
// checkpoint after every step.
var _ = traintest.Register("prior", func(ctx context.Context, dir string, resume bool) error {
	cfg := tinyConfig(3)
	cfg.Train.EMA, cfg.Train.CheckpointSteps = 0.9, traintest.CheckpointSteps()
	_, err := Train(ctx, cfg, synthExamples(12, 24, 20), train.Request{Dir: dir, Resume: resume})
	return err
})

// kill -9 in the middle of an epoch, then --resume: the same history.csv
// and bit-identical weights, EMA and AdamW moments as an uninterrupted run.
func TestKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	traintest.KillResume(t, "prior")
}

// SIGTERM in the middle of an epoch writes last.ckpt at the step reached;
// resuming ends as an uninterrupted run.
func TestTermResume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	traintest.TermResume(t, "prior")
}

// Training writes the common layout and a checkpoint adm.Load
// loads without the training config.
func TestTrainLoad(t *testing.T) {
	dir := t.TempDir()
	res, err := Train(context.Background(), tinyConfig(2), synthExamples(4, 24, 20), train.Request{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{train.HistoryName, train.LossPNG, train.LastName, train.BestName} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	p, err := adm.Load(res.Best, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Schedule.T != 1000 || p.Config.NumChannels != 32 {
		t.Errorf("loaded prior: T %d, width %d", p.Schedule.T, p.Config.NumChannels)
	}
}

func TestLoadImages(t *testing.T) {
	dir := t.TempDir()
	for k, sz := range [][2]int{{40, 30}, {50, 60}} {
		m := data.NewImage(sz[0], sz[1], 3)
		for c := range 3 {
			for i := range m.Planes[c] {
				m.Planes[c][i] = float64((i*7 + c*50) % 256)
			}
		}
		if err := data.WriteImage(filepath.Join(dir, string(rune('a'+k))+".png"), m, 8); err != nil {
			t.Fatal(err)
		}
	}
	ex, err := LoadImages(dir, 0, 16, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 2 || min(ex[0].W, ex[0].H) != 20 || min(ex[1].W, ex[1].H) != 20 {
		t.Errorf("loaded %d images, sizes %dx%d %dx%d", len(ex), ex[0].W, ex[0].H, ex[1].W, ex[1].H)
	}
	for _, v := range ex[0].X {
		if v < -1 || v > 1 {
			t.Fatalf("value %g outside [-1, 1]", v)
		}
	}
	if _, err := LoadImages(dir, 0, 32, 0); err == nil {
		t.Error("image smaller than the crop accepted")
	}
	if _, err := LoadImages(t.TempDir(), 0, 16, 0); err == nil {
		t.Error("empty folder accepted")
	}
}
