package fusiondiff

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/contract"
	"github.com/mfif/mfif/nets/internal/golden"
)

func smallConfig() Config {
	return Config{InChannels: 9, OutChannels: 3, ModelChannels: 32, NumResBlocks: 2, Dropout: 0.1,
		TimeEmbedDimMult: 4, ChannelMult: []int{1, 2, 4}, Groups: 32}
}

func TestParamNamesMatchReference(t *testing.T) {
	// testdata/official_params.tsv is the name and shape list of the
	// official paper-size NoisePred's state_dict (see testdata/README.md).
	f, err := os.Open(filepath.Join("testdata", "official_params.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			want[line] = true
		}
	}
	vs := nn.NewVarStore(gotch.CPU)
	if _, err := New(vs, PaperConfig()); err != nil {
		t.Fatal(err)
	}
	got := ParamShapes(vs)
	for _, s := range got {
		if !want[s] {
			t.Errorf("ours, not in reference: %s", s)
		}
		delete(want, s)
	}
	for s := range want {
		t.Errorf("reference, not in ours: %s", s)
	}
	n := backend.NumParams(vs)
	t.Logf("paper NoisePred: %d tensors, %d parameters", len(got), n)
	if n < 26_800_000 || n > 27_000_000 {
		t.Errorf("parameter count %d, expected about 26.9 M", n)
	}
}

// TestGoldenForward compares the small NoisePred with the official PyTorch
// module: on the committed fixture (synthetic weights, see
// testdata/golden/README.md) always, and on the shared golden state_dict
// when ../shared is present.
func TestGoldenForward(t *testing.T) {
	golden.Compare(t, "design/fusiondiff-golden/noisepred_small_state_dict.pt", func(vs *nn.VarStore) (golden.Forward, error) {
		m, err := New(vs, smallConfig())
		if err != nil {
			return nil, err
		}
		if n := backend.NumParams(vs); n != 1778403 {
			t.Errorf("small config has %d parameters, reference 1778403", n)
		}
		return func(x *ts.Tensor, steps []int64) (*ts.Tensor, error) {
			if err := m.CheckInput(x, steps); err != nil {
				return nil, err
			}
			return m.Forward(x, steps, false), nil
		}, nil
	}, 1e-4)
}

func TestForwardShapesOddSizes(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	vs := nn.NewVarStore(gotch.CPU)
	cfg := Config{InChannels: 9, OutChannels: 3, ModelChannels: 8, NumResBlocks: 1, TimeEmbedDimMult: 2,
		ChannelMult: []int{1, 2, 2}, Groups: 4}
	m, err := New(vs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 12x10 is not a multiple of the stride 4: the skip crops must handle it.
	for _, hw := range [][2]int64{{16, 16}, {12, 10}, {6, 14}} {
		x := ts.MustRandn([]int64{2, 9, hw[0], hw[1]}, gotch.Float, gotch.CPU)
		if err := m.CheckInput(x, []int64{0, 5}); err != nil {
			t.Fatal(err)
		}
		var y *ts.Tensor
		if err := backend.NoGrad(func() error { y = m.Forward(x, []int64{0, 5}, false); return nil }); err != nil {
			t.Fatal(err)
		}
		if s := y.MustSize(); s[0] != 2 || s[1] != 3 || s[2] != hw[0] || s[3] != hw[1] {
			t.Errorf("input %v: output %v", hw, s)
		}
	}
	bad := ts.MustRandn([]int64{1, 9, 7, 8}, gotch.Float, gotch.CPU)
	if err := m.CheckInput(bad, []int64{0}); err == nil {
		t.Error("odd height accepted")
	}
	if err := m.CheckInput(bad, []int64{0, 1}); err == nil {
		t.Error("batch/timestep mismatch accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	cases := map[string]func(*Config){
		"groups":  func(c *Config) { c.Groups = 48 },
		"mult":    func(c *Config) { c.ChannelMult = nil },
		"dropout": func(c *Config) { c.Dropout = 1 },
		"odd":     func(c *Config) { c.ModelChannels = 33 },
		"res":     func(c *Config) { c.NumResBlocks = 0 },
	}
	for name, mut := range cases {
		c := PaperConfig()
		mut(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: invalid config accepted", name)
		}
	}
	if err := PaperConfig().Validate(); err != nil {
		t.Error(err)
	}
	if s := PaperConfig().Stride(); s != 8 {
		t.Errorf("stride %d, want 8", s)
	}
}

// TestLoadStateDictStrict round-trips a state_dict through a .pt file and
// checks that a model of another width refuses it, naming the problem.
func TestLoadStateDictStrict(t *testing.T) {
	cfg := smallConfig()
	cfg.ModelChannels, cfg.Groups, cfg.ChannelMult = 8, 4, []int{1, 2}
	vs := nn.NewVarStore(gotch.CPU)
	if _, err := New(vs, cfg); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sd.pt")
	if err := backend.SaveStateDict(path, backend.StateDictOf(vs)); err != nil {
		t.Fatal(err)
	}
	same := nn.NewVarStore(gotch.CPU)
	if _, err := New(same, cfg); err != nil {
		t.Fatal(err)
	}
	if err := backend.LoadStateDictInto(same, path, true); err != nil {
		t.Errorf("same config: %v", err)
	}
	cfg.ModelChannels = 16
	other := nn.NewVarStore(gotch.CPU)
	if _, err := New(other, cfg); err != nil {
		t.Fatal(err)
	}
	err := backend.LoadStateDictInto(other, path, true)
	if err == nil || !strings.Contains(err.Error(), "size mismatch") || !strings.Contains(err.Error(), path) {
		t.Errorf("wider model: err = %v, want a size mismatch naming %s", err, path)
	}
	runtime.KeepAlive(vs) // the saved state_dict shared its tensors
}

// A forward pass leaves no tensor handle for the garbage collector, in
// training mode (with dropout) and without gradients.
func TestForwardLeavesNoHandles(t *testing.T) {
	cfg := PaperConfig()
	cfg.ModelChannels, cfg.Groups, cfg.ChannelMult, cfg.NumResBlocks = 8, 4, []int{1, 2}, 1
	err := backend.Run(func() error {
		vs := backend.NewVarStore()
		defer vs.Destroy()
		m, err := New(vs, cfg)
		if err != nil {
			return err
		}
		x := ts.MustRandn([]int64{2, 9, 12, 10}, gotch.Float, backend.Device())
		defer backend.Drop(x)
		for _, train := range []bool{true, false} {
			n, err := backend.LeakedHandles(func() error {
				backend.Drop(m.Forward(x, []int64{3, 900}, train))
				return nil
			})
			if err != nil || n != 0 {
				t.Errorf("train=%v: %d tensor handles left after Forward (%v)", train, n, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Params lists exactly the variables New creates, without allocating.
func TestParamsMatchBuiltNetwork(t *testing.T) {
	for _, cfg := range []Config{PaperConfig(), {InChannels: 9, OutChannels: 3, ModelChannels: 8, NumResBlocks: 2,
		TimeEmbedDimMult: 2, ChannelMult: []int{1, 2, 3}, Groups: 4}} {
		ps, err := Params(cfg)
		if err != nil {
			t.Fatal(err)
		}
		vs := backend.NewVarStore()
		if _, err := New(vs, cfg); err != nil {
			t.Fatal(err)
		}
		vars := vs.Variables()
		if len(ps) != len(vars) {
			t.Fatalf("Params lists %d tensors, the network has %d", len(ps), len(vars))
		}
		for _, p := range ps {
			v, ok := vars[p.Name]
			if !ok || fmt.Sprint(v.MustSize()) != fmt.Sprint(p.Shape) {
				t.Errorf("%s: listed %v, built %v (present %v)", p.Name, p.Shape, v.MustSize(), ok)
			}
		}
		vs.Destroy()
	}
}

// A checksum-valid checkpoint whose spec asks for a network its tensors do
// not fit (here a huge one) is rejected before anything is built.
func TestLoadChecksShapesFirst(t *testing.T) {
	spec := PaperSpec()
	spec.Model.ModelChannels = 4096
	c := checkpoint.New(Kind)
	if err := spec.Put(c); err != nil {
		t.Fatal(err)
	}
	c.Tensors["model/inBlock.weight"] = checkpoint.Float32Array(make([]float32, 9), 1, 9, 1, 1)
	path := filepath.Join(t.TempDir(), "huge.ckpt")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	before := contract.Builds()
	_, err := Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), "does not match") || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v", err)
	}
	if contract.Builds() != before {
		t.Error("a network was built before the shapes were checked")
	}
}
