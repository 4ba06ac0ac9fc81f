package adm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/internal/synthweights"
	"github.com/mfif/mfif/internal/torchpy"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

// priorCheckpoint is a checkpoint of a random prior of configuration c, as
// train/prior writes it; with ema it also holds an average that differs
// from the live weights (each value plus 0.25).
func priorCheckpoint(t *testing.T, c Config, ema bool) *checkpoint.Checkpoint {
	t.Helper()
	p, err := Random(c, 50, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ck := checkpoint.New(Kind)
	if err := (Spec{Net: c, Timesteps: 50}).Put(ck); err != nil {
		t.Fatal(err)
	}
	if err := backend.SaveVars(ck, p.VS); err != nil {
		t.Fatal(err)
	}
	if ema {
		for name, a := range ck.WithPrefix("model/") {
			v, _ := a.Float32s()
			for i := range v {
				v[i] += 0.25
			}
			ck.Tensors["ema/"+name] = checkpoint.Float32Array(v, a.Shape...)
		}
	}
	return ck
}

// layoutScript compares the names and shapes of the exported state_dict
// with a list of [name, shape] pairs and, when given, with a second list:
// that of a state_dict saved by guided-diffusion's own UNetModel.
const layoutScript = `
import json, sys, torch
sd = torch.load(sys.argv[1])
got = {k: list(v.shape) for k, v in sd.items()}
def compare(label, want):
    print(label, "missing keys:", sorted(set(want) - set(got)), "unexpected keys:", sorted(set(got) - set(want)),
          "shape mismatches:", sorted(k for k in set(want) & set(got) if want[k] != got[k]))
compare("Params:", {n: s for n, s in json.load(open(sys.argv[2]))})
if len(sys.argv) > 3:
    compare("guided-diffusion:", {n: s for n, s in json.load(open(sys.argv[3]))})
print("tensors:", len(sd), "float32:", all(v.dtype == torch.float32 for v in sd.values()))
`

func TestWritePriorStateDict(t *testing.T) {
	plain := Config{ImageSize: 32, InChannels: 1, NumChannels: 32, NumResBlocks: 1,
		ChannelMult: []int{1, 2}, AttentionResolutions: []int{16}, NumHeads: 2, NumHeadChannels: -1}
	cases := []struct {
		name string
		cfg  Config
		ema  bool
		// official lists the state_dict of guided-diffusion's UNetModel of
		// configuration cfg ("" none): the committed golden fixture's
		// params.tsv, written by PyTorch.
		official string
	}{
		{"golden-small-ema", goldenSmall(), true, "testdata/golden/params.tsv"},
		{"golden-small", goldenSmall(), false, "testdata/golden/params.tsv"},
		{"plain-resampling-heads", plain, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := priorCheckpoint(t, tc.cfg, tc.ema)
			dir := t.TempDir()
			out := filepath.Join(dir, "prior.pt")
			n, err := WritePriorStateDict(c, out)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := Params(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(ps) {
				t.Fatalf("wrote %d tensors, UNetModel has %d", n, len(ps))
			}
			checkExported(t, out, c, tc.ema, ps)

			// Back into mfif: Load takes the file with its config.
			p, err := Load(out, &tc.cfg)
			if err != nil {
				t.Fatalf("reload export: %v", err)
			}
			p.Close()

			list := make([][2]any, len(ps))
			for i, p := range ps {
				list[i] = [2]any{p.Name, p.Shape}
			}
			b, _ := json.Marshal(list)
			params := filepath.Join(dir, "params.json")
			if err := os.WriteFile(params, b, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{out, params}
			if tc.official != "" {
				args = append(args, officialList(t, tc.official, dir))
			}
			got := strings.TrimSpace(torchpy.Run(t, layoutScript, args...))
			t.Logf("python: %s", got)
			clean := "missing keys: [] unexpected keys: [] shape mismatches: []"
			if !strings.Contains(got, "Params: "+clean) || !strings.Contains(got, "float32: True") {
				t.Errorf("export does not match adm.Params:\n%s", got)
			}
			if tc.official != "" && !strings.Contains(got, "guided-diffusion: "+clean) {
				t.Errorf("export does not match guided-diffusion's state_dict:\n%s", got)
			}
		})
	}
}

// officialList writes the names and shapes of a params.tsv as the JSON list
// of [name, shape] pairs layoutScript reads, and returns its path.
func officialList(t *testing.T, tsv, dir string) string {
	t.Helper()
	ps, err := synthweights.Read(tsv)
	if err != nil {
		t.Fatal(err)
	}
	list := make([][2]any, len(ps))
	for i, p := range ps {
		list[i] = [2]any{p.Name, p.Shape}
	}
	b, _ := json.Marshal(list)
	path := filepath.Join(dir, "official.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkExported reads the export back and checks its names and shapes
// against ps and its values against the checkpoint's weights (the EMA copy
// when ema).
func checkExported(t *testing.T, path string, c *checkpoint.Checkpoint, ema bool, ps []Param) {
	t.Helper()
	want := c.WithPrefix("model/")
	if ema {
		want = c.WithPrefix("ema/")
	}
	sd, err := backend.LoadStateDict(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, x := range sd {
			backend.Drop(x)
		}
	}()
	for _, p := range ps {
		x, ok := sd[p.Name]
		if !ok {
			t.Errorf("export lacks %s", p.Name)
			continue
		}
		if got := x.MustSize(); fmt.Sprint(got) != fmt.Sprint(p.Shape) {
			t.Errorf("%s: exported shape %v, UNetModel %v", p.Name, got, p.Shape)
		}
		got, err := backend.Float32s(x)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := want[p.Name].Float32s()
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s[%d] = %g, checkpoint holds %g", p.Name, i, got[i], w[i])
				break
			}
		}
	}
}

func TestWritePriorStateDictErrors(t *testing.T) {
	small := Config{ImageSize: 16, InChannels: 3, NumChannels: 32, NumResBlocks: 1,
		ChannelMult: []int{1}, NumHeads: 1, NumHeadChannels: -1}
	cases := []struct {
		name string
		edit func(c *checkpoint.Checkpoint)
		want string
	}{
		{"other kind", func(c *checkpoint.Checkpoint) { c.Kind = "fusiondiff" }, "another model kind"},
		{"no spec", func(c *checkpoint.Checkpoint) { delete(c.States, SpecState) }, "neither a model spec nor a config"},
		{"foreign tensor", func(c *checkpoint.Checkpoint) {
			c.Tensors["model/extra.weight"] = checkpoint.Float32Array([]float32{1}, 1)
		}, "unexpected: extra.weight"},
		{"wrong shape", func(c *checkpoint.Checkpoint) {
			c.Tensors["model/out.2.bias"] = checkpoint.Float32Array(make([]float32, 4), 4)
		}, "out.2.bias"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := priorCheckpoint(t, small, false)
			tc.edit(c)
			out := filepath.Join(t.TempDir(), "x.pt")
			_, err := WritePriorStateDict(c, out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.name == "other kind" && !errors.Is(err, checkpoint.ErrKind) {
				t.Errorf("error %v does not wrap checkpoint.ErrKind", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a failed export left a file")
			}
		})
	}
}
