package siamese

import (
	"fmt"
	"math"
	"os"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/train"

	net "github.com/mfif/mfif/nets/siamese"
)

// FileConfig is the whole YAML document of a siamese config
// (configs/siamese.yaml, siamese-cpu.yaml, siamese-demo.yaml).
type FileConfig struct {
	Model net.Config `yaml:"model"`
	Train Config     `yaml:"train"`
}

// Config holds the training settings (the `train:` section).
type Config struct {
	// Data selects the training pairs: "synth" (procedural, no download),
	// "voc" (VOC2012 images + segmentation masks under VOCRoot) or
	// "triplet" (prepared A/B/mask triplets under TripletDir).
	Data string `yaml:"data"`
	// VOCRoot is the VOC2012 directory (with JPEGImages and
	// SegmentationClass) used when Data is "voc".
	VOCRoot string `yaml:"voc_root"`
	// TripletDir is the triplet directory used when Data is "triplet".
	TripletDir string `yaml:"triplet_dir"`
	// Samples is the number of pairs drawn (train + validation); 0 = all.
	Samples int `yaml:"samples"`
	// Size is the side of the square training crops; a multiple of the
	// model stride, at least twice it.
	Size int `yaml:"size"`
	// ValFraction of the samples is held out for validation.
	ValFraction float64 `yaml:"val_fraction"`
	// Batch is the mini-batch size.
	Batch int `yaml:"batch"`
	// Epochs is the maximum number of epochs.
	Epochs int `yaml:"epochs"`
	// LR is Adam's base learning rate.
	LR float64 `yaml:"lr"`
	// Schedule is the learning-rate schedule (paper: step, 2, 0.88).
	Schedule train.ScheduleConfig `yaml:"schedule"`
	// Patience is the early-stopping patience on validation loss (0 = off).
	Patience int `yaml:"patience"`
	// Seed fixes weights, data order, augmentation and noise.
	Seed uint64 `yaml:"seed"`
	// Threads is the libtorch intra-op thread count (0 = library default).
	Threads int `yaml:"threads"`
	// Augment enables random flips/transposes and A/B swaps.
	Augment bool `yaml:"augment"`
	// NoiseSigma is the largest std of the Gaussian noise added to the
	// sources (on the [0,1] scale); the GCB learns to remove it.
	NoiseSigma float64 `yaml:"noise_sigma"`
	// Loss weights the loss terms.
	Loss LossConfig `yaml:"loss"`
	// MaxMinutes is a wall-time budget (0 = none): when it runs out,
	// the current epoch ends after its batch, is validated and saved, and
	// training stops. A run cut this way is not resumable bit-exactly.
	MaxMinutes float64 `yaml:"max_minutes"`
}

// LossConfig weights the three loss terms.
type LossConfig struct {
	// BCE weights the ignore-masked binary cross-entropy on the map.
	BCE float64 `yaml:"bce"`
	// Dice weights the ignore-masked soft Dice loss on the map (region term).
	Dice float64 `yaml:"dice"`
	// GCB weights the MSE between GCB outputs and the noise-free sources
	// (used only when the gcb module is on).
	GCB float64 `yaml:"gcb"`
}

// LoadConfig reads a siamese config by embedded name or path, applies
// dotted overrides ("train.epochs": 3) and validates it.
func LoadConfig(nameOrPath string, overrides map[string]any) (FileConfig, error) {
	var fc FileConfig
	if err := configs.Load(nameOrPath, overrides, &fc); err != nil {
		return fc, err
	}
	if err := fc.Validate(); err != nil {
		return fc, fmt.Errorf("config %s: %w", nameOrPath, err)
	}
	return fc, nil
}

// Validate reports the first problem with the config, naming the key.
func (fc FileConfig) Validate() error {
	if err := fc.Model.Validate(); err != nil {
		return err
	}
	t, st := fc.Train, fc.Model.Stride()
	switch t.Data {
	case "synth":
	case "voc":
		if err := dirExists(t.VOCRoot, "train.voc_root"); err != nil {
			return err
		}
	case "triplet":
		if err := dirExists(t.TripletDir, "train.triplet_dir"); err != nil {
			return err
		}
	default:
		return fmt.Errorf("train.data %q: want synth, voc or triplet", t.Data)
	}
	if t.Data == "synth" && t.Samples < 2 {
		return fmt.Errorf("train.samples = %d: synth data needs at least 2", t.Samples)
	}
	if t.Size < 2*st || t.Size%st != 0 || t.Size > 4096 {
		return fmt.Errorf("train.size = %d: want a multiple of the model stride %d, at least %d", t.Size, st, 2*st)
	}
	if !(t.ValFraction > 0 && t.ValFraction < 1) {
		return fmt.Errorf("train.val_fraction = %v: want in (0,1)", t.ValFraction)
	}
	if t.Batch < 1 || t.Epochs < 1 || t.Threads < 0 || t.Patience < 0 {
		return fmt.Errorf("train: batch (%d) and epochs (%d) must be >= 1, threads (%d) and patience (%d) >= 0",
			t.Batch, t.Epochs, t.Threads, t.Patience)
	}
	for _, f := range []struct {
		k string
		v float64
	}{{"train.lr", t.LR}, {"train.noise_sigma", t.NoiseSigma}, {"train.loss.bce", t.Loss.BCE},
		{"train.loss.dice", t.Loss.Dice}, {"train.loss.gcb", t.Loss.GCB}, {"train.max_minutes", t.MaxMinutes}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("%s = %v: want finite and >= 0", f.k, f.v)
		}
	}
	if t.LR == 0 || t.Loss.BCE+t.Loss.Dice == 0 {
		return fmt.Errorf("train.lr and train.loss.bce+dice must be > 0")
	}
	if _, err := train.NewSchedule(t.Schedule); err != nil {
		return fmt.Errorf("train.%w", err)
	}
	return nil
}

func dirExists(dir, key string) error {
	if dir == "" {
		return fmt.Errorf("%s is empty: set it to the dataset directory", key)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s %s: %w (download the dataset or use train.data: synth)", key, dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s %s: not a directory", key, dir)
	}
	return nil
}
