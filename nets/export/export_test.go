package export

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/nets/siamese"
)

// siameseCheckpoint is a tiny siamese checkpoint with an EMA copy.
func siameseCheckpoint(t *testing.T) (*checkpoint.Checkpoint, int) {
	t.Helper()
	cfg := siamese.Config{Name: "siamese", Width: 2, Levels: 1, ResBlocks: 1, DFEBBlocks: 1,
		GCBDepth: 2, GCBWidth: 2, CGAHidden: 2, CBAMReduction: 2, Modules: siamese.AllModules}
	m, err := siamese.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := checkpoint.New(siamese.Kind)
	if err := m.Put(c); err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, a := range c.WithPrefix("model/") {
		c.Tensors["ema/"+name] = a
		n++
		if strings.HasSuffix(name, ".running_var") {
			n++ // num_batches_tracked
		}
	}
	return c, n
}

// fusiondiffCheckpoint is a tiny FusionDiff checkpoint whose configuration
// differs from what the reference NoisePred can take.
func fusiondiffCheckpoint(t *testing.T) (*checkpoint.Checkpoint, int) {
	t.Helper()
	spec := fusiondiff.Spec{
		Model: fusiondiff.Config{InChannels: 9, OutChannels: 3, ModelChannels: 8, NumResBlocks: 1,
			TimeEmbedDimMult: 2, ChannelMult: []int{1, 2}, Groups: 4},
		Diffusion: fusiondiff.DiffusionConfig{Timesteps: 20, MaxBeta: 0.999, LossScale: 128},
		Sample:    fusiondiff.SampleConfig{Sampler: "ddim", Steps: 2},
	}
	tr, err := fusiondiff.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c := checkpoint.New(fusiondiff.Kind)
	if err := spec.Put(c); err != nil {
		t.Fatal(err)
	}
	if err := backend.SaveVars(c, tr.VS); err != nil {
		t.Fatal(err)
	}
	return c, len(c.Tensors)
}

// priorCheckpoint is a tiny DDFM prior checkpoint.
func priorCheckpoint(t *testing.T) (*checkpoint.Checkpoint, int) {
	t.Helper()
	cfg := adm.Config{ImageSize: 16, InChannels: 3, NumChannels: 32, NumResBlocks: 1,
		ChannelMult: []int{1}, NumHeads: 1, NumHeadChannels: -1}
	p, err := adm.Random(cfg, 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := checkpoint.New(adm.Kind)
	if err := (adm.Spec{Net: cfg, Timesteps: 100}).Put(c); err != nil {
		t.Fatal(err)
	}
	if err := backend.SaveVars(c, p.VS); err != nil {
		t.Fatal(err)
	}
	return c, len(c.Tensors)
}

func TestFile(t *testing.T) {
	cases := []struct {
		kind  string
		make  func(*testing.T) (*checkpoint.Checkpoint, int)
		ema   bool
		notes string // a substring of the joined notes ("" none)
	}{
		{siamese.Kind, siameseCheckpoint, true, ""},
		{fusiondiff.Kind, fusiondiffCheckpoint, false, "GroupNorm(32)"},
		{adm.Kind, priorCheckpoint, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			c, want := tc.make(t)
			dir := t.TempDir()
			path, out := filepath.Join(dir, "m.ckpt"), filepath.Join(dir, "m.pt")
			if err := c.Save(path); err != nil {
				t.Fatal(err)
			}
			r, err := File(path, out)
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != tc.kind || r.Tensors != want || r.EMA != tc.ema {
				t.Errorf("result %+v, want kind %s, %d tensors, EMA %v", r, tc.kind, want, tc.ema)
			}
			notes := strings.Join(r.Notes, "; ")
			if tc.notes == "" && notes != "" || !strings.Contains(notes, tc.notes) {
				t.Errorf("notes %q, want %q", notes, tc.notes)
			}
			if n, err := backend.CheckTorchLoadable(out); err != nil || n != want {
				t.Errorf("libtorch reads %d tensors (%v), want %d", n, err, want)
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.ckpt")
	if err := checkpoint.New("rgb-net").Save(other); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.pt")
	if err := os.WriteFile(junk, []byte("PK\x03\x04 not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	good, _ := siameseCheckpoint(t)
	goodPath := filepath.Join(dir, "good.ckpt")
	if err := good.Save(goodPath); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, out string
		is              error
		want            string
	}{
		{"other kind", other, filepath.Join(dir, "a.pt"), ErrKind, `exported: "rgb-net" (exportable: ddfm-prior, fusiondiff, siamese)`},
		{"missing", filepath.Join(dir, "nope.ckpt"), filepath.Join(dir, "b.pt"), fs.ErrNotExist, "nope.ckpt"},
		{"not a checkpoint", junk, filepath.Join(dir, "c.pt"), nil, "junk.pt: not an mfif checkpoint"},
		{"onto itself", goodPath, filepath.Join(dir, ".", "good.ckpt"), nil, "is the checkpoint itself"},
		{"output folder missing", goodPath, filepath.Join(dir, "no", "d.pt"), nil, "d.pt"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := File(tc.path, tc.out)
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
		})
	}
	if _, err := checkpoint.Load(goodPath, siamese.Kind); err != nil {
		t.Errorf("the checkpoint was damaged: %v", err)
	}
	if got := Kinds(); strings.Join(got, ",") != "ddfm-prior,fusiondiff,siamese" {
		t.Errorf("Kinds() = %v", got)
	}
}
