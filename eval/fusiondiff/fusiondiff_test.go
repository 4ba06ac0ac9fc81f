package fusiondiff

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/nets/layout"
)

// tinyCheckpoint writes an untrained small FusionDiff checkpoint.
func tinyCheckpoint(t *testing.T) string {
	t.Helper()
	return tinyCheckpointObjective(t, "", 0)
}

// tinyCheckpointObjective is tinyCheckpoint for a network predicting obj,
// optionally of a residual model.
func tinyCheckpointObjective(t *testing.T, obj string, residual float64) string {
	t.Helper()
	spec := netfd.Spec{
		Model: netfd.Config{InChannels: 9, OutChannels: 3, ModelChannels: 8, NumResBlocks: 1,
			TimeEmbedDimMult: 2, ChannelMult: []int{1, 2, 2}, Groups: 4},
		Diffusion: netfd.DiffusionConfig{Timesteps: 2000, MaxBeta: 0.999, LossScale: 128, Objective: obj, Residual: residual},
		Sample:    netfd.SampleConfig{Sampler: "ddim", Steps: 3},
	}
	backend.ManualSeed(1)
	tr, err := netfd.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c := checkpoint.New(netfd.Kind)
	if err := spec.Put(c); err != nil {
		t.Fatal(err)
	}
	if err := backend.SaveVars(c, tr.VS); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.ckpt")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func gradientImage(w, h int, phase float64) *data.Image {
	m := data.NewImage(w, h, 3)
	for c := 0; c < 3; c++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.Planes[c][y*w+x] = 127 + 120*math.Sin(float64(x+2*y+c)*0.3+phase)
			}
		}
	}
	return m
}

func TestFuseOddSizeDeterministicAndTiled(t *testing.T) {
	path := tinyCheckpoint(t)
	m, err := eval.New("fusiondiff", eval.Options{"model": path, "progress": false, "seed": 5})
	if err != nil {
		t.Fatal(err)
	}
	fm := m.(*Method)
	defer fm.Close()
	if fm.Sampler().Name() != "ddim" || fm.Sampler().Steps() != 3 {
		t.Errorf("default sampler from checkpoint: %s/%d", fm.Sampler().Name(), fm.Sampler().Steps())
	}
	srcs := []*data.Image{gradientImage(37, 29, 0), gradientImage(37, 29, 1)}
	r1, err := m.Fuse(srcs)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Fused.W != 37 || r1.Fused.H != 29 || r1.Fused.C() != 3 {
		t.Fatalf("fused %dx%dx%d, want 37x29x3", r1.Fused.W, r1.Fused.H, r1.Fused.C())
	}
	r2, _ := m.Fuse(srcs)
	other, err := fm.FuseSeed(srcs, 6)
	if err != nil {
		t.Fatal(err)
	}
	same, diff := true, false
	for c := range r1.Fused.Planes {
		for i, v := range r1.Fused.Planes[c] {
			same = same && v == r2.Fused.Planes[c][i]
			diff = diff || v != other.Planes[c][i]
			if v < 0 || v > 255 || v != math.Trunc(v) {
				t.Fatalf("pixel %v not an 8-bit level", v)
			}
		}
	}
	if !same {
		t.Error("same seed gave different results")
	}
	if !diff {
		t.Error("different seeds gave identical results from an untrained model")
	}

	tiled, err := Open(Options{Model: path, Sampler: "ddim", Steps: 2, Tile: 16, Overlap: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer tiled.Close()
	f, err := tiled.FuseSeed(srcs, 1)
	if err != nil {
		t.Fatal(err)
	}
	if f.W != 37 || f.H != 29 {
		t.Errorf("tiled result %dx%d", f.W, f.H)
	}

	// Different x_T seeds give different fusions.
	a, err := fm.FuseSeed(srcs, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fm.FuseSeed(srcs, 11)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Planes, b.Planes) {
		t.Error("seeds 10 and 11 gave the same fusion")
	}
}

func TestOptionErrors(t *testing.T) {
	cases := []eval.Options{
		{},
		{"model": "x.ckpt", "bogus": 1},
		{"model": "x.ckpt", "steps": "many"},
		{"model": "x.ckpt", "clip": "sometimes"},
		{"model": "x.ckpt", "tile": 16, "overlap": 16},
		{"model": "/nonexistent/x.ckpt"},
	}
	for _, o := range cases {
		if _, err := eval.New("fusiondiff", o); err == nil {
			t.Errorf("options %v accepted", o)
		}
	}
}

// With one DDIM step the sample is the clamped x0 estimate at t = T-1,
// which for an x0 network is its output and for a v network is sqrt(abar)
// x_T - sqrt(1-abar) v: the objective stored in the checkpoint must be used.
// A residual model divides that by its scale and adds the source mean;
// clip none drops the clamp, clip sources clamps to the interval between
// the sources.
func TestFuseUsesStoredObjective(t *testing.T) {
	srcs := []*data.Image{gradientImage(16, 16, 0), gradientImage(16, 16, 1)}
	for _, c := range []struct {
		obj      string
		residual float64
		clip     string
	}{{"x0", 0, ""}, {"v", 0, ""}, {"x0", 4, ""}, {"x0", 4, "none"}, {"x0", 4, "sources"}, {"x0", 0, "sources"}} {
		m, err := Open(Options{Model: tinyCheckpointObjective(t, c.obj, c.residual), Sampler: "ddim", Steps: 1, Clip: c.clip})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.FuseSeed(srcs, 3)
		if err != nil {
			t.Fatal(err)
		}
		s1, s2 := layout.Signed(srcs[0], 3), layout.Signed(srcs[1], 3)
		net, done, err := m.tr.NetPredictor(append(append([]float32(nil), s1...), s2...), 16, 16, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		xT := diffusion.GaussianNoise(3*16*16, 3)
		out, err := net(xT, 1999)
		done()
		if err != nil {
			t.Fatal(err)
		}
		sa, sb := m.tr.Schedule.QSampleCoeffs(1999)
		x0 := make([]float32, len(out))
		for i, v := range out {
			e := float64(v)
			if c.obj == "v" {
				e = sa*float64(xT[i]) - sb*float64(v)
			}
			lo, hi := -1.0, 1.0
			if c.clip == "sources" {
				lo, hi = float64(min(s1[i], s2[i])), float64(max(s1[i], s2[i]))
				if c.residual > 0 {
					m := (float64(s1[i]) + float64(s2[i])) / 2
					lo, hi = c.residual*(lo-m), c.residual*(hi-m)
				}
			}
			if c.clip != "none" {
				e = math.Max(lo, math.Min(hi, e))
			}
			if c.residual > 0 {
				e = e/c.residual + (float64(s1[i])+float64(s2[i]))/2
			}
			x0[i] = float32(e)
		}
		want := layout.Image(x0, 16, 16)
		for p := range want.Planes {
			for i, v := range want.Planes[p] {
				// Truncation to 8 bits may flip one level.
				if math.Abs(got.Planes[p][i]-v) > 1 {
					t.Fatalf("%+v: plane %d pixel %d = %v, want %v", c, p, i, got.Planes[p][i], v)
				}
			}
		}
		m.Close()
	}
}

// A gray source beside a colour one is fused into a colour image (the gray
// source fills the three conditioning planes).
func TestMixedGrayColour(t *testing.T) {
	m, err := Open(Options{Model: tinyCheckpoint(t), Sampler: "ddim", Steps: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	gray := data.NewImage(16, 16, 1)
	copy(gray.Planes[0], gradientImage(16, 16, 0).Planes[1])
	res, err := m.Fuse([]*data.Image{gray, gradientImage(16, 16, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fused.C() != 3 {
		t.Errorf("fused image has %d planes, want 3", res.Fused.C())
	}
}
