package siamese

import (
	"fmt"
	"math"
	"os"

	"github.com/mfif/mfif/train"

	net "github.com/mfif/mfif/nets/siamese"
)

// FileConfig is the whole YAML document of a siamese config
// (configs/siamese.yaml, siamese-cpu.yaml, siamese-demo.yaml).
type FileConfig struct {
	Model net.Config `yaml:"model"`
	// Data is the training set and its synthesis.
	Data DataConfig `yaml:"data"`
	// Loss weights the loss terms.
	Loss LossConfig `yaml:"loss"`
	// Train is the loop section shared by every trainer.
	Train train.LoopConfig `yaml:"train"`
}

// DataConfig selects and prepares the training pairs (the `data:`
// section).
type DataConfig struct {
	// Kind is "synth" (procedural scenes, no download), "voc" (VOC2012
	// images + segmentation masks under Root, the paper's set), "bsds"
	// (BSDS500 photos + segmentations under Root: pairs synthesized the
	// VOC way from the train split, validated on the val split) or
	// "triplet" (source_1/source_2/full_clear folders under Root).
	Kind string `yaml:"kind"`
	// Root is the dataset folder (voc, bsds, triplet).
	Root string `yaml:"root"`
	// Samples is the number of pairs drawn (train + validation; for bsds
	// the number of training photos); 0 = all.
	Samples int `yaml:"samples"`
	// Variants is the number of pairs synthesized per BSDS training photo
	// (focus region, crop and blur level drawn per variant; default 3);
	// ValVariants per validation photo (default 1).
	Variants    int `yaml:"variants,omitempty"`
	ValVariants int `yaml:"val_variants,omitempty"`
	// Resize scales whole BSDS photos to size x size (as VOC) instead of
	// cutting native-resolution crops.
	Resize bool `yaml:"resize,omitempty"`
	// Blur, for bsds, draws each sample's two defocus blurs at random
	// (Gaussian or disk, strength uniform in the ranges) instead of the
	// paper's three fixed Gaussian levels.
	Blur *BlurConfig `yaml:"blur,omitempty"`
	// Spread, for bsds, composes each pair as two depth layers so that a
	// blurred focus region spreads over the sharp background next to it
	// (data.BSDSConfig.Spread); off, the paper's hard composite.
	Spread bool `yaml:"spread,omitempty"`
	// Size is the side of the square training crops; a multiple of the
	// model stride, at least twice it.
	Size int `yaml:"size"`
	// ValFraction of the source photos (for synth and triplet: of the
	// samples) is held out for validation, with every pair made from them
	// (data.SplitByGroup); bsds validates on its val split instead.
	ValFraction float64 `yaml:"val_fraction"`
	// Augment enables random flips/transposes and A/B swaps.
	Augment bool `yaml:"augment"`
	// Photometric, when positive, gives each training source its own
	// random exposure change min(1, g·x^γ), log g and log γ uniform in
	// [−Photometric, Photometric] (0.1: about ±10 %), with augment only;
	// real pairs differ in exposure between the shots.
	Photometric float64 `yaml:"photometric,omitempty"`
	// NoiseSigma is the largest std of the Gaussian noise added to the
	// sources (on the [0,1] scale); the GCB learns to remove it.
	NoiseSigma float64 `yaml:"noise_sigma"`
}

// BlurConfig is the random defocus of BSDS training pairs.
type BlurConfig struct {
	// Sigma is the [min, max] Gaussian sigma, Radius the [min, max] disk
	// radius, in pixels.
	Sigma  [2]float64 `yaml:"sigma"`
	Radius [2]float64 `yaml:"radius"`
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
	c, err := train.LoadConfig[FileConfig](nameOrPath, overrides)
	if err != nil {
		return FileConfig{}, err
	}
	return *c, nil
}

// Validate reports the first problem with the config, naming the key.
func (fc *FileConfig) Validate() error {
	if err := fc.Model.Validate(); err != nil {
		return err
	}
	if err := fc.Train.Validate(); err != nil {
		return err
	}
	d, st := fc.Data, fc.Model.Stride()
	kind, err := lookupDataKind(d.Kind)
	if err != nil {
		return err
	}
	if d.Samples < kind.minSamples {
		return fmt.Errorf("data.samples = %d: %s data needs at least %d", d.Samples, d.Kind, kind.minSamples)
	}
	if kind.root {
		if err := dirExists(d.Root, "data.root"); err != nil {
			return err
		}
	}
	if d.Blur != nil && d.Kind != "bsds" {
		return fmt.Errorf("data.blur is only for data.kind bsds (got %s)", d.Kind)
	}
	if d.Photometric > 1 {
		return fmt.Errorf("data.photometric = %v: want at most 1 (log-gain and log-gamma range)", d.Photometric)
	}
	if d.Spread && d.Kind != "bsds" {
		return fmt.Errorf("data.spread is only for data.kind bsds (got %s)", d.Kind)
	}
	if d.Variants < 0 || d.ValVariants < 0 {
		return fmt.Errorf("data.variants %d and data.val_variants %d must be >= 0", d.Variants, d.ValVariants)
	}
	if d.Samples < 0 {
		return fmt.Errorf("data.samples = %d, want >= 0 (0: all)", d.Samples)
	}
	if d.Size < 2*st || d.Size%st != 0 || d.Size > 4096 {
		return fmt.Errorf("data.size = %d: want a multiple of the model stride %d, at least %d, at most 4096", d.Size, st, 2*st)
	}
	if d.Kind != "bsds" && !(d.ValFraction > 0 && d.ValFraction < 1) {
		return fmt.Errorf("data.val_fraction = %v: want in (0,1)", d.ValFraction)
	}
	for _, f := range []struct {
		k string
		v float64
	}{{"data.noise_sigma", d.NoiseSigma}, {"data.photometric", d.Photometric}, {"loss.bce", fc.Loss.BCE}, {"loss.dice", fc.Loss.Dice}, {"loss.gcb", fc.Loss.GCB}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("%s = %v: want finite and >= 0", f.k, f.v)
		}
	}
	if fc.Loss.BCE+fc.Loss.Dice == 0 {
		return fmt.Errorf("loss.bce + loss.dice must be > 0")
	}
	return nil
}

func dirExists(dir, key string) error {
	if dir == "" {
		return fmt.Errorf("%s is empty: set it to the dataset folder", key)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s %s: %w (download the dataset or use data.kind: synth)", key, dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s %s: not a directory", key, dir)
	}
	return nil
}
