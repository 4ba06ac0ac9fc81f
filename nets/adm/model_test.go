package adm

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/internal/golden"
)

// goldenSmall is the configuration the golden vectors were made with.
func goldenSmall() Config {
	return Config{
		ImageSize: 64, InChannels: 3, NumChannels: 32, NumResBlocks: 2,
		ChannelMult: []int{1, 2, 2}, AttentionResolutions: []int{16, 8},
		NumHeads: 4, NumHeadChannels: 16, UseScaleShiftNorm: true, ResblockUpdown: true,
		LearnSigma: true,
	}
}

func TestOfficialParamLayout(t *testing.T) {
	// testdata/official256_params.tsv is the name and shape list of
	// guided-diffusion's 256x256 unconditional state_dict (see
	// testdata/README.md).
	path := filepath.Join("testdata", "official256_params.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			want = append(want, strings.ReplaceAll(line, " ", ""))
		}
	}
	ps, err := Params(Official256())
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(ps))
	for i, p := range ps {
		got[i] = p.Name + "\t" + strings.ReplaceAll(fmt.Sprint(p.Shape), " ", ", ")
	}
	if len(got) != len(want) {
		t.Errorf("%d parameters, official checkpoint has %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != strings.ReplaceAll(want[i], ",", ", ") {
			t.Fatalf("parameter %d: got %q, want %q", i, got[i], want[i])
		}
	}
	n, _ := NumParams(Official256())
	t.Logf("official 256x256 uncond: %d tensors, %d parameters", len(got), n)
	if n < 552_000_000 || n > 553_000_000 {
		t.Errorf("official model has %d parameters, want about 552.8 M", n)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := map[string]func(c *Config){
		"channels":  func(c *Config) { c.NumChannels = 48 },
		"mult":      func(c *Config) { c.ChannelMult = nil },
		"attn":      func(c *Config) { c.AttentionResolutions = []int{7} },
		"headch":    func(c *Config) { c.NumHeadChannels = 24 },
		"resblocks": func(c *Config) { c.NumResBlocks = 0 },
		"dropout":   func(c *Config) { c.Dropout = 1 },
	}
	for name, mod := range bad {
		c := goldenSmall()
		mod(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := goldenSmall().Validate(); err != nil {
		t.Errorf("golden config: %v", err)
	}
}

// TestGoldenForward compares the small UNetModel with guided-diffusion's:
// on the committed fixture (synthetic weights, see
// testdata/golden/README.md) always, and on the shared golden state_dict
// when ../shared is present.
func TestGoldenForward(t *testing.T) {
	golden.Compare(t, "design/ddfm-golden/unet_small_state_dict.pt", func(vs *nn.VarStore) (golden.Forward, error) {
		m, err := New(vs, goldenSmall())
		if err != nil {
			return nil, err
		}
		return m.Predict, nil
	}, 1e-4)
}

// A tiny model without scale-shift or resblock up/down must still run at a
// non-square size and keep the shape.
func TestForwardVariants(t *testing.T) {
	cfg := Config{ImageSize: 32, InChannels: 3, NumChannels: 32, NumResBlocks: 1,
		ChannelMult: []int{1, 2}, AttentionResolutions: []int{16}, NumHeads: 2, NumHeadChannels: -1}
	err := backend.Run(func() error {
		vs := nn.NewVarStore(gotch.CPU)
		m, err := New(vs, cfg)
		if err != nil {
			return err
		}
		x := ts.MustRandn([]int64{2, 3, 16, 24}, gotch.Float, gotch.CPU)
		defer x.MustDrop()
		out, err := m.Predict(x, []int64{3, 700})
		if err != nil {
			return err
		}
		defer out.MustDrop()
		if s := out.MustSize(); fmt.Sprint(s) != "[2 3 16 24]" {
			return fmt.Errorf("output shape %v", s)
		}
		bad := ts.MustRandn([]int64{1, 3, 9, 24}, gotch.Float, gotch.CPU)
		defer bad.MustDrop()
		if _, err := m.Predict(bad, []int64{1}); err == nil {
			return fmt.Errorf("odd side accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
