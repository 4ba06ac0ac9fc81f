package fusiondiff

import (
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/internal/testshared"
	"github.com/mfif/mfif/internal/torchpy"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// exportSpec is a small network the official NoisePred can be built with
// (its GroupNorm has 32 groups, so every width is a multiple of 32).
func exportSpec() Spec {
	return Spec{
		Model: Config{Name: "fusiondiff", InChannels: 9, OutChannels: 3, ModelChannels: 32, NumResBlocks: 2,
			Dropout: 0.1, TimeEmbedDimMult: 2, ChannelMult: []int{1, 2}, Groups: 32},
		Diffusion: DiffusionConfig{Timesteps: 100, MaxBeta: 0.999, LossScale: 128},
		Sample:    SampleConfig{Sampler: "ddim", Steps: 5},
	}
}

// exportCheckpoint is a checkpoint of a random network of spec; with ema
// it also holds an average that differs from the live weights (each value
// plus 0.01).
func exportCheckpoint(t *testing.T, spec Spec, ema bool) *checkpoint.Checkpoint {
	t.Helper()
	backend.ManualSeed(4)
	tr, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c := checkpoint.New(Kind)
	if err := tr.Spec.Put(c); err != nil {
		t.Fatal(err)
	}
	if err := backend.SaveVars(c, tr.VS); err != nil {
		t.Fatal(err)
	}
	if ema {
		for name, a := range c.WithPrefix("model/") {
			v, _ := a.Float32s()
			for i := range v {
				v[i] += 0.01
			}
			c.Tensors["ema/"+name] = checkpoint.Float32Array(v, a.Shape...)
		}
	}
	return c
}

// forwardIO runs the network of checkpoint c (as Load builds it: EMA
// weights when present) on a random input at timestep 7 and writes input
// and output to path.
func forwardIO(t *testing.T, c *checkpoint.Checkpoint, path string) {
	t.Helper()
	tr, err := FromCheckpoint(c)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	v := make([]float32, 9*16*12)
	for i := range v {
		v[i] = float32(i%23)/11 - 1
	}
	err = backend.NoGrad(func() error {
		s := backend.NewScope()
		defer s.Close()
		x := s.Add(backend.MustFromFloat32(v, 1, 9, 16, 12))
		y := s.Add(tr.Net.Forward(x, []int64{7}, false))
		return backend.SaveStateDict(path, map[string]*ts.Tensor{"x": x, "y": y})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// officialScript builds the official NoisePred with the configuration in
// the checkpoint's header (read with docs/pytorch's load_header), loads the
// export into it strictly and, when that works, compares its output with
// Go's.
const officialScript = `
import sys, torch
official, refdir, ckpt, sdpath, iopath = sys.argv[1:6]
sys.path.insert(0, official)
sys.path.insert(0, refdir)
from cnp.UNet import NoisePred
from siamese_ref import load_header
m = load_header(ckpt)["states"]["model_spec"]["model"]
try:
    net = NoisePred(m["InChannels"], m["OutChannels"], m["ModelChannels"], m["NumResBlocks"],
                    m["Dropout"], m["TimeEmbedDimMult"], m["ChannelMult"]).eval()
    res = net.load_state_dict(torch.load(sdpath), strict=True)
except Exception as e:
    print("strict load: failed:", str(e).replace("\n", " ")[:300])
    sys.exit(0)
print("strict load: ok; missing keys:", res.missing_keys, "unexpected keys:", res.unexpected_keys)
io = torch.load(iopath)
with torch.no_grad():
    y = net(io["x"], torch.tensor([7]))
print("max abs diff: %.3g" % (y - io["y"]).abs().max().item())
`

func TestWriteStateDictOfficial(t *testing.T) {
	cases := []struct {
		name string
		edit func(s *Spec)
		ema  bool
		// diff is a substring of Model.OfficialDifferences ("" none);
		// load whether strict loading into NoisePred works.
		diff string
		load bool
	}{
		{"live", func(*Spec) {}, false, "", true},
		{"ema", func(*Spec) {}, true, "", true},
		{"one-res-block", func(s *Spec) { s.Model.NumResBlocks = 1 }, false, "", true},
		{"16-groups", func(s *Spec) { s.Model.Groups = 16 }, false, "groups 16", true},
		{"narrow", func(s *Spec) { s.Model.ModelChannels, s.Model.Groups = 8, 8 }, false, "cannot be built", false},
		{"mult-1-2-2", func(s *Spec) { s.Model.ChannelMult = []int{1, 2, 2} }, false, "down_sample_mult [1 2 2]", false},
		{"mult-1-2-4", func(s *Spec) { s.Model.ChannelMult = []int{1, 2, 4} }, true, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := exportSpec()
			tc.edit(&spec)
			diffs := strings.Join(spec.Model.OfficialDifferences(), "; ")
			if tc.diff == "" && diffs != "" || tc.diff != "" && !strings.Contains(diffs, tc.diff) {
				t.Errorf("OfficialDifferences = %q, want %q", diffs, tc.diff)
			}
			c := exportCheckpoint(t, spec, tc.ema)
			dir := t.TempDir()
			ckpt, out, io := filepath.Join(dir, "fd.ckpt"), filepath.Join(dir, "fd.pt"), filepath.Join(dir, "io.pt")
			if err := c.Save(ckpt); err != nil {
				t.Fatal(err)
			}
			n, err := WriteStateDict(c, out)
			if err != nil {
				t.Fatal(err)
			}
			if want := len(c.WithPrefix("model/")); n != want {
				t.Fatalf("wrote %d tensors, the model has %d", n, want)
			}
			checkExported(t, out, c, tc.ema)

			// The export is a usable network for mfif too: Load takes .pt
			// files with a spec.
			tr, err := Load(out, &spec)
			if err != nil {
				t.Fatalf("reload export: %v", err)
			}
			tr.Close()

			official := testshared.Dir(t, "bench", "fusiondiff_official")
			forwardIO(t, c, io)
			got := strings.TrimSpace(torchpy.Run(t, officialScript, official, "../../docs/pytorch", ckpt, out, io))
			t.Logf("python: %s", got)
			if ok := strings.Contains(got, "missing keys: [] unexpected keys: []"); ok != tc.load {
				t.Fatalf("strict load into the official NoisePred: ok=%v, want %v:\n%s", ok, tc.load, got)
			}
			if !tc.load {
				return
			}
			d := pyFloat(t, got, "max abs diff")
			if same := d <= 1e-5; same != (tc.diff == "") {
				t.Errorf("official forward differs from Go's by %g (configuration differences: %q)", d, diffs)
			}
		})
	}
}

// checkExported reads the export back and compares every tensor with the
// checkpoint's weights (the EMA copy when ema).
func checkExported(t *testing.T, path string, c *checkpoint.Checkpoint, ema bool) {
	t.Helper()
	want := c.WithPrefix("model/")
	if ema {
		want = c.WithPrefix("ema/")
	}
	sd, err := backend.LoadStateDict(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(sd) != len(want) {
		t.Errorf("export holds %d tensors, checkpoint %d", len(sd), len(want))
	}
	for k, x := range sd {
		got, err := backend.Float32s(x)
		backend.Drop(x)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := want[k].Float32s()
		if len(got) != len(w) {
			t.Fatalf("%s: %d values, checkpoint %d", k, len(got), len(w))
		}
		for i := range w {
			if got[i] != w[i] {
				t.Fatalf("%s[%d] = %g, checkpoint holds %g", k, i, got[i], w[i])
			}
		}
	}
}

func pyFloat(t *testing.T, out, key string) float64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(key) + `: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("python printed no %q:\n%s", key, out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return v
}

func TestWriteStateDictErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(c *checkpoint.Checkpoint)
		want string
	}{
		{"other kind", func(c *checkpoint.Checkpoint) { c.Kind = "siamese" }, "another model kind"},
		{"no spec", func(c *checkpoint.Checkpoint) { delete(c.States, SpecState) }, "neither a model spec nor a config"},
		{"wrong shape", func(c *checkpoint.Checkpoint) {
			c.Tensors["model/inBlock.bias"] = checkpoint.Float32Array(make([]float32, 3), 3)
		}, "inBlock.bias"},
		{"ema of unknown variable", func(c *checkpoint.Checkpoint) {
			c.Tensors["ema/nope"] = checkpoint.Float32Array([]float32{1}, 1)
		}, "ema holds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := exportCheckpoint(t, exportSpec(), false)
			tc.edit(c)
			out := filepath.Join(t.TempDir(), "x.pt")
			_, err := WriteStateDict(c, out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.name == "other kind" && !errors.Is(err, checkpoint.ErrKind) {
				t.Errorf("error %v does not wrap checkpoint.ErrKind", err)
			}
			if _, err := backend.CheckTorchLoadable(out); err == nil {
				t.Error("a failed export left a file")
			}
		})
	}
}

// refScript builds docs/pytorch/fusiondiff_ref.py's NoisePred (the network
// the Go-against-PyTorch timings use) with the configuration in the
// checkpoint's header, loads the export strictly and compares its output
// with Go's.
const refScript = `
import sys, torch
refdir, ckpt, sdpath, iopath = sys.argv[1:5]
sys.path.insert(0, refdir)
from fusiondiff_ref import NoisePred
from siamese_ref import load_header
m = load_header(ckpt)["states"]["model_spec"]["model"]
net = NoisePred(m["InChannels"], m["OutChannels"], m["ModelChannels"], m["NumResBlocks"], m["Dropout"],
                m["TimeEmbedDimMult"], m["ChannelMult"], m["Groups"]).eval()
res = net.load_state_dict(torch.load(sdpath), strict=True)
print("missing keys:", res.missing_keys, "unexpected keys:", res.unexpected_keys)
io = torch.load(iopath)
with torch.no_grad():
    y = net(io["x"], torch.tensor([7]))
print("max abs diff: %.3g" % (y - io["y"]).abs().max().item())
print("largest value: %.3g" % io["y"].abs().max().item())
`

// TestPyTorchReference: docs/pytorch/fusiondiff_ref.py is the Go network,
// parameter for parameter and output for output, for every configuration
// (also those the official code cannot build), so the PyTorch side of the
// speed comparisons times the same network.
func TestPyTorchReference(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(s *Spec)
	}{
		{"default", func(*Spec) {}},
		{"one-res-block", func(s *Spec) { s.Model.NumResBlocks = 1 }},
		{"16-groups", func(s *Spec) { s.Model.Groups = 16 }},
		{"mult-1-2-2", func(s *Spec) { s.Model.ChannelMult = []int{1, 2, 2} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := exportSpec()
			tc.edit(&spec)
			c := exportCheckpoint(t, spec, false)
			dir := t.TempDir()
			ckpt, out, io := filepath.Join(dir, "fd.ckpt"), filepath.Join(dir, "fd.pt"), filepath.Join(dir, "io.pt")
			if err := c.Save(ckpt); err != nil {
				t.Fatal(err)
			}
			if _, err := WriteStateDict(c, out); err != nil {
				t.Fatal(err)
			}
			forwardIO(t, c, io)
			got := strings.TrimSpace(torchpy.Run(t, refScript, "../../docs/pytorch", ckpt, out, io))
			t.Logf("python: %s", got)
			if !strings.Contains(got, "missing keys: [] unexpected keys: []") {
				t.Fatalf("strict load into fusiondiff_ref.NoisePred failed:\n%s", got)
			}
			if d := pyFloat(t, got, "max abs diff"); !(d <= 1e-5*math.Max(1, pyFloat(t, got, "largest value"))) {
				t.Errorf("fusiondiff_ref forward differs from Go's by %g", d)
			}
		})
	}
}
