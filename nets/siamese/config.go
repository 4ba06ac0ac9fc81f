package siamese

import (
	"fmt"
	"sort"
	"strings"
)

// Module names accepted in Config.Modules. Each one switches on a part of
// the network so that the ablation rows of the paper's Table 7 are configs.
const (
	ModGCB      = "gcb"      // DnCNN denoiser in front of the encoder
	ModSiamese  = "siamese"  // both branches share one encoder's weights
	ModDFEB     = "dfeb"     // DFEB blocks at the encoder bottleneck
	ModDCA      = "dca"      // DCA attention after every decoder stage
	ModResidual = "residual" // identity paths in residual blocks and DCA
)

// AllModules lists every known module name, sorted.
var AllModules = []string{ModDCA, ModDFEB, ModGCB, ModResidual, ModSiamese}

// Config describes the network's shape. It decodes from the `model:`
// section of a siamese YAML config (see package configs).
type Config struct {
	// Name must be "siamese"; the train command dispatches on it.
	Name string `yaml:"name"`
	// Width is the channel count of the first encoder level; level l has
	// Width·2^min(l,3) channels.
	Width int `yaml:"width"`
	// Levels is the number of 2× max-pool steps in the encoder. The
	// network's stride (the paper's Table 6 "window size") is 2^Levels.
	Levels int `yaml:"levels"`
	// ResBlocks is the number of residual blocks per encoder level.
	ResBlocks int `yaml:"res_blocks"`
	// DFEBBlocks is the number of DFEB blocks at the bottleneck (used only
	// when the dfeb module is on).
	DFEBBlocks int `yaml:"dfeb_blocks"`
	// GCBDepth is the number of conv layers in the GCB (DnCNN uses 17).
	GCBDepth int `yaml:"gcb_depth"`
	// GCBWidth is the GCB's hidden channel count (DnCNN uses 64).
	GCBWidth int `yaml:"gcb_width"`
	// CGAHidden is the hidden width of the channel-attention MLP in CGA;
	// the paper fixes it at 16 (reduction ratio C/16).
	CGAHidden int `yaml:"cga_hidden"`
	// CBAMReduction is the reduction ratio of DCA's channel-attention MLP.
	CBAMReduction int `yaml:"cbam_reduction"`
	// Modules lists the switched-on modules (see AllModules); an empty list
	// is the paper's Baseline encoder-decoder.
	Modules []string `yaml:"modules"`
}

// PaperConfig returns the full-size network with every module on.
func PaperConfig() Config {
	return Config{Name: "siamese", Width: 32, Levels: 4, ResBlocks: 1, DFEBBlocks: 2,
		GCBDepth: 17, GCBWidth: 64, CGAHidden: 16, CBAMReduction: 8,
		Modules: append([]string(nil), AllModules...)}
}

// Has reports whether module name is switched on.
func (c Config) Has(name string) bool {
	for _, m := range c.Modules {
		if m == name {
			return true
		}
	}
	return false
}

// Stride is the size multiple the network needs: 2^Levels.
func (c Config) Stride() int { return 1 << c.Levels }

// LevelWidth is the channel count of encoder level l.
func (c Config) LevelWidth(l int) int {
	if l > 3 {
		l = 3
	}
	return c.Width << l
}

// MaxLevelWidth bounds the channel count of the widest encoder level,
// Width·2^min(Levels,3): twice the paper's 256 (Width 32). With it the
// largest valid network (e.g. Width 64, Levels 6) holds well under 1 GB of
// weights, so a checkpoint whose stored model_config asks for more (say
// Width 512 with 6 levels, 4096 channels) is refused before anything is
// built, instead of reaching gigabytes.
const MaxLevelWidth = 512

// Validate reports the first problem with c, naming the field. It runs
// before any tensor is made (NewModel, FromCheckpoint, WriteStateDict).
func (c Config) Validate() error {
	if c.Name != "siamese" {
		return fmt.Errorf("model.name %q: this package builds only \"siamese\"", c.Name)
	}
	known := map[string]bool{}
	for _, m := range AllModules {
		known[m] = true
	}
	seen := map[string]bool{}
	for _, m := range c.Modules {
		if !known[m] {
			return fmt.Errorf("model.modules: unknown module %q (known: %s)", m, strings.Join(AllModules, ", "))
		}
		if seen[m] {
			return fmt.Errorf("model.modules: module %q listed twice", m)
		}
		seen[m] = true
	}
	checks := []struct {
		name   string
		v, min int
		max    int
	}{
		{"model.width", c.Width, 1, 512},
		{"model.levels", c.Levels, 1, 6},
		{"model.res_blocks", c.ResBlocks, 0, 16},
		{"model.dfeb_blocks", c.DFEBBlocks, 0, 16},
		{"model.gcb_depth", c.GCBDepth, 2, 64},
		{"model.gcb_width", c.GCBWidth, 1, 512},
		{"model.cga_hidden", c.CGAHidden, 1, 512},
		{"model.cbam_reduction", c.CBAMReduction, 1, 512},
	}
	for _, k := range checks {
		if k.v < k.min || k.v > k.max {
			return fmt.Errorf("%s = %d, want %d..%d", k.name, k.v, k.min, k.max)
		}
	}
	if w := c.LevelWidth(c.Levels); w > MaxLevelWidth {
		return fmt.Errorf("model.width = %d with model.levels = %d gives %d channels at the widest level, over the limit of %d (width·2^min(levels,3) <= %d)",
			c.Width, c.Levels, w, MaxLevelWidth, MaxLevelWidth)
	}
	return nil
}

// Summary is a one-line description for logs: widths and modules.
func (c Config) Summary() string {
	mods := append([]string(nil), c.Modules...)
	sort.Strings(mods)
	if len(mods) == 0 {
		mods = []string{"baseline"}
	}
	return fmt.Sprintf("siamese width=%d levels=%d stride=%d res=%d dfeb=%d gcb=%dx%d modules=[%s]",
		c.Width, c.Levels, c.Stride(), c.ResBlocks, c.DFEBBlocks, c.GCBDepth, c.GCBWidth, strings.Join(mods, ","))
}
