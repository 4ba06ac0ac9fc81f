package siamese

import (
	"errors"
	"math"
	"math/rand"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/internal/torchpy"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// perturbed returns a random value for every floating variable of m, so
// that BatchNorm is no identity in eval mode and every bias matters:
// running variances and BN weights in [0.5, 1.5], everything else the
// initial value plus U(-0.1, 0.1).
func perturbed(t *testing.T, m *Model, seed int64) map[string]checkpoint.Array {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	out := map[string]checkpoint.Array{}
	for _, p := range backend.Variables(m.VS) {
		v := values(t, p.Tensor)
		bnScale := strings.HasSuffix(p.Name, ".running_var") || strings.HasSuffix(p.Name, "bn.weight") ||
			strings.HasSuffix(p.Name, "bn1.weight") || strings.HasSuffix(p.Name, "bn2.weight")
		for i := range v {
			if bnScale {
				v[i] = 0.5 + r.Float32()
			} else {
				v[i] += 0.2 * (r.Float32() - 0.5)
			}
		}
		out[p.Name] = checkpoint.Float32Array(v, p.Tensor.MustSize()...)
	}
	return out
}

// exportCase builds a model of cfg with perturbed weights and a checkpoint
// of it. With ema, the perturbed weights go to "ema/" and the checkpoint's
// "model/" tensors keep the initial values, so only an export that prefers
// the average reproduces the forward pass of the returned model, which
// holds the perturbed weights.
func exportCase(t *testing.T, cfg Config, ema bool) (*Model, *checkpoint.Checkpoint) {
	t.Helper()
	m, err := NewModel(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	c := checkpoint.New(Kind)
	if err := m.Put(c); err != nil {
		t.Fatal(err)
	}
	vals := perturbed(t, m, 11)
	for _, p := range backend.Variables(m.VS) {
		if err := backend.CopyArray(p.Tensor, vals[p.Name]); err != nil {
			t.Fatal(err)
		}
		if ema {
			c.Tensors["ema/"+p.Name] = vals[p.Name]
		} else {
			c.Tensors["model/"+p.Name] = vals[p.Name]
		}
	}
	return m, c
}

// forwardIO runs m on two random sources of shape (2,1,h,w) in eval mode
// and writes inputs and outputs to path as a state_dict.
func forwardIO(t *testing.T, m *Model, h, w int64, path string) {
	t.Helper()
	err := backend.NoGrad(func() error {
		s := backend.NewScope()
		defer s.Close()
		a := s.Add(randInput(5, 2, 1, h, w))
		b := s.Add(randInput(6, 2, 1, h, w))
		out := m.Net.Forward(a, b, false)
		out.AddTo(s)
		sd := map[string]*ts.Tensor{"a": a, "b": b, "logits": out.Logits, "clean_a": out.CleanA, "clean_b": out.CleanB}
		// The encoder's features, less attenuated than the logits, so a
		// wiring difference inside a block shows clearly.
		for l, f := range m.Net.encB.fwd(s, out.CleanB, false) {
			sd["feat"+itoa(l)] = f
		}
		return backend.SaveStateDict(path, sd)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// refScript loads the exported state_dict strictly into the reference
// module of docs/pytorch built from the checkpoint's header, checks the
// BatchNorm counters and compares the forward pass with Go's.
const refScript = `
import sys, torch
refdir, ckpt, sdpath, iopath = sys.argv[1:5]
sys.path.insert(0, refdir)
from siamese_ref import SiameseNet, load_header
net = SiameseNet.from_config(load_header(ckpt)["states"]["model_config"]).eval()
sd = torch.load(sdpath)
res = net.load_state_dict(sd, strict=True)
print("missing keys:", res.missing_keys, "unexpected keys:", res.unexpected_keys)
bad = [k for k, v in sd.items() if k.endswith("num_batches_tracked") and (v.dtype != torch.int64 or v.dim() != 0)]
print("bad counters:", bad)
io = torch.load(iopath)
with torch.no_grad():
    logits, ca, cb = net(io["a"], io["b"])
    feats = (net.enc_b if net.enc_b is not None else net.enc_a)(cb)
pairs = [(logits, io["logits"]), (ca, io["clean_a"]), (cb, io["clean_b"])]
pairs += [(f, io["feat%d" % l]) for l, f in enumerate(feats)]
print("max abs diff: %.3g" % max((x - y).abs().max().item() for x, y in pairs))
print("largest value: %.3g" % max(y.abs().max().item() for _, y in pairs))
`

func TestWriteStateDictTorch(t *testing.T) {
	all := append([]string(nil), AllModules...)
	cases := []struct {
		name string
		cfg  Config
		ema  bool
		h, w int64
	}{
		{"all-modules", tiny(), false, 16, 24},
		{"all-modules-ema", tiny(), true, 16, 12},
		{"baseline", Config{Name: "siamese", Width: 4, Levels: 2, ResBlocks: 1, DFEBBlocks: 1,
			GCBDepth: 3, GCBWidth: 4, CGAHidden: 4, CBAMReduction: 2}, false, 16, 16},
		{"two-encoders-no-residual", Config{Name: "siamese", Width: 3, Levels: 3, ResBlocks: 2, DFEBBlocks: 2,
			GCBDepth: 4, GCBWidth: 5, CGAHidden: 3, CBAMReduction: 4, Modules: []string{ModDCA, ModDFEB, ModGCB}}, false, 16, 24},
		{"deep-capped-width", Config{Name: "siamese", Width: 2, Levels: 4, ResBlocks: 0, DFEBBlocks: 1,
			GCBDepth: 2, GCBWidth: 3, CGAHidden: 2, CBAMReduction: 8, Modules: all}, true, 32, 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, c := exportCase(t, tc.cfg, tc.ema)
			dir := t.TempDir()
			ckpt, out, io := filepath.Join(dir, "m.ckpt"), filepath.Join(dir, "m.pt"), filepath.Join(dir, "io.pt")
			if err := c.Save(ckpt); err != nil {
				t.Fatal(err)
			}
			n, err := WriteStateDict(c, out)
			if err != nil {
				t.Fatal(err)
			}
			vars := backend.Variables(m.VS)
			bns := 0
			for _, p := range vars {
				if strings.HasSuffix(p.Name, ".running_var") {
					bns++
				}
			}
			if want := len(vars) + bns; n != want || bns == 0 {
				t.Fatalf("wrote %d tensors, want %d variables + %d BatchNorm counters", n, len(vars), bns)
			}
			if got, err := backend.CheckTorchLoadable(out); err != nil || got != n {
				t.Fatalf("libtorch reads %d tensors (%v), want %d", got, err, n)
			}
			checkExportedValues(t, out, c, tc.ema)

			forwardIO(t, m, tc.h, tc.w, io)
			got := torchpy.Run(t, refScript, "../../docs/pytorch", ckpt, out, io)
			t.Logf("python: %s", strings.TrimSpace(got))
			if !strings.Contains(got, "missing keys: [] unexpected keys: []") || !strings.Contains(got, "bad counters: []") {
				t.Errorf("strict load into the reference module failed:\n%s", got)
			}
			// The same libtorch gives equal values; another build of it may
			// differ by rounding (~1e-7 relative).
			if d := pyFloat(t, got, "max abs diff"); !(d <= 1e-5*math.Max(1, pyFloat(t, got, "largest value"))) {
				t.Errorf("reference forward differs from Go's by %g", d)
			}
		})
	}
}

// checkExportedValues reads the export back and compares every tensor with
// the checkpoint's weights (the EMA copy when ema).
func checkExportedValues(t *testing.T, path string, c *checkpoint.Checkpoint, ema bool) {
	t.Helper()
	sd, err := backend.LoadStateDict(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, x := range sd {
			backend.Drop(x)
		}
	}()
	src := c.WithPrefix("model/")
	if ema {
		src = c.WithPrefix("ema/")
	}
	for name, x := range sd {
		if strings.HasSuffix(name, "."+numBatchesTracked) {
			if v, err := backend.Value(x); err != nil || v != 0 {
				t.Errorf("%s = %v (%v), want 0", name, v, err)
			}
			continue
		}
		a, ok := src[name]
		if !ok {
			t.Errorf("exported %s, which the checkpoint does not hold", name)
			continue
		}
		want, _ := a.Float32s()
		got := values(t, x)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s[%d] = %g, checkpoint holds %g", name, i, got[i], want[i])
				break
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
	out := filepath.Join(t.TempDir(), "x.pt")
	cases := []struct {
		name string
		edit func(c *checkpoint.Checkpoint)
		want string
	}{
		{"other kind", func(c *checkpoint.Checkpoint) { c.Kind = "fusiondiff" }, "another model kind"},
		{"no config", func(c *checkpoint.Checkpoint) { delete(c.States, ConfigState) }, `no "model_config" state`},
		{"bad config", func(c *checkpoint.Checkpoint) { c.States[ConfigState] = []byte(`{"Name":"siamese","Width":0}`) }, "stored architecture"},
		{"missing tensor", func(c *checkpoint.Checkpoint) { delete(c.Tensors, "model/head.bias") }, "head.bias"},
		{"nan weight", func(c *checkpoint.Checkpoint) {
			c.Tensors["model/head.bias"] = checkpoint.Float32Array([]float32{float32(math.NaN())}, 1)
		}, "NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c := exportCase(t, tiny(), false)
			tc.edit(c)
			_, err := WriteStateDict(c, out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.name == "other kind" && !errors.Is(err, checkpoint.ErrKind) {
				t.Errorf("error %v does not wrap checkpoint.ErrKind", err)
			}
		})
	}
	if _, err := backend.CheckTorchLoadable(out); err == nil {
		t.Error("a failed export left a file behind")
	}
}
