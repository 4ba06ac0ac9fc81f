package guided

import (
	"bufio"
	"fmt"
	"github.com/mfif/mfif/internal/testshared"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/data/npy"
	"github.com/mfif/mfif/nets/backend"
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
	path := filepath.Join(testshared.Dir(t, "design/ddfm-golden"), "guided_diffusion_256_uncond_state_dict_keys.tsv")
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

func TestGoldenForward(t *testing.T) {
	dir := testshared.Dir(t, "design/ddfm-golden")
	err := backend.Run(func() error {
		vs := nn.NewVarStore(gotch.CPU)
		m, err := New(vs, goldenSmall())
		if err != nil {
			return err
		}
		sd, err := backend.LoadStateDict(filepath.Join(dir, "unet_small_state_dict.pt"))
		if err != nil {
			return err
		}
		if err := backend.ApplyStateDict(vs, sd, true); err != nil {
			return err
		}
		in, err := npy.Read(filepath.Join(dir, "input.npy"))
		if err != nil {
			return err
		}
		tt, err := npy.Read(filepath.Join(dir, "t.npy"))
		if err != nil {
			return err
		}
		want, err := npy.Read(filepath.Join(dir, "output.npy"))
		if err != nil {
			return err
		}
		x, err := backend.ArrayTensor(in, gotch.Float)
		if err != nil {
			return err
		}
		defer x.MustDrop()
		steps := make([]int64, len(tt.Data))
		for i, v := range tt.Data {
			steps[i] = int64(v)
		}
		out, err := m.Predict(x, steps)
		if err != nil {
			return err
		}
		defer out.MustDrop()
		got, err := backend.Float64s(out)
		if err != nil {
			return err
		}
		if len(got) != len(want.Data) {
			return fmt.Errorf("output has %d values, golden %d", len(got), len(want.Data))
		}
		worst := 0.0
		for i := range got {
			worst = math.Max(worst, math.Abs(got[i]-want.Data[i]))
		}
		t.Logf("max |out - golden| = %.3g over %d values", worst, len(got))
		if worst > 1e-4 {
			t.Errorf("max deviation %.3g > 1e-4", worst)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
