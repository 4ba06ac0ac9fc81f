package ddfm

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/contract"
)

func smallPriorConfig() adm.Config {
	return adm.Config{ImageSize: 64, InChannels: 3, NumChannels: 32, NumResBlocks: 1,
		ChannelMult: []int{1, 2, 2}, AttentionResolutions: []int{16}, NumHeads: 4, NumHeadChannels: 32,
		UseScaleShiftNorm: true, ResblockUpdown: true}
}

// synthPair is an "infrared" blob and a "visible" textured colour scene.
func synthPair(w, h int) []*data.Image {
	ir, vis := data.NewImage(w, h, 3), data.NewImage(w, h, 3)
	for y := range h {
		for x := range w {
			k := y*w + x
			dx, dy := float64(x-w/3), float64(y-h/2)
			hot := 220 * math.Exp(-(dx*dx+dy*dy)/60)
			tex := 120 + 60*math.Sin(float64(x)*0.5)*math.Cos(float64(y)*0.3)
			for c := range 3 {
				ir.Planes[c][k] = data.RoundSat255(20 + hot)
				vis.Planes[c][k] = data.RoundSat255(tex + float64(c)*30)
			}
		}
	}
	return []*data.Image{ir, vis}
}

func sharedPair(t *testing.T) []*data.Image {
	root := os.Getenv("MFIF_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared")
	}
	dir := filepath.Join(root, "data", "irvis")
	ir, err1 := data.ReadImage(filepath.Join(dir, "ir", "FLIR_03952.jpg"))
	vis, err2 := data.ReadImage(filepath.Join(dir, "vi", "FLIR_03952.jpg"))
	if err1 != nil || err2 != nil || ir.W != vis.W || ir.H != vis.H {
		return nil
	}
	// A 64 x 64 window from the middle keeps the test fast.
	cut := func(m *data.Image) *data.Image {
		out := data.NewImage(64, 64, m.C())
		x0, y0 := m.W/2-32, m.H/2-32
		for c := range out.Planes {
			for y := range 64 {
				copy(out.Planes[c][y*64:(y+1)*64], m.Planes[c][(y0+y)*m.W+x0:(y0+y)*m.W+x0+64])
			}
		}
		return out
	}
	return []*data.Image{cut(ir), cut(vis)}
}

func TestLoadOptions(t *testing.T) {
	o, err := LoadOptions(eval.Options{"model": "x.pt", "steps": "7", "chroma": "true", "seed": 3})
	if err != nil {
		t.Fatal(err)
	}
	if o.Prior != "x.pt" || o.Steps != 7 || !o.Chroma || o.Seed != 3 || o.Sampler != "ddim" || o.Lambda != 0.5 || o.Rho != 0.001 {
		t.Errorf("options %+v", o)
	}
	for _, bad := range []eval.Options{{"bogus": 1}, {"steps": "many"}} {
		if _, err := LoadOptions(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := eval.New("ddfm", eval.Options{"prior": filepath.Join(t.TempDir(), "none.pt")}); err == nil {
		t.Error("missing prior accepted")
	}
}

// End to end on a 64 x 64 pair with a random small prior: the fusion
// finishes, has the sources' size and gives finite metrics, for both
// samplers and with chroma.
func TestFuseRandomPrior(t *testing.T) {
	pair := sharedPair(t)
	if pair == nil {
		pair = synthPair(64, 64)
	}
	err := backend.Run(func() error {
		p, err := adm.Random(smallPriorConfig(), 1000, 11)
		if err != nil {
			return err
		}
		defer p.Close()
		for _, tc := range []struct {
			sampler string
			chroma  bool
		}{{"ddim", false}, {"ddpm", true}} {
			o, err := LoadOptions(eval.Options{"prior": "unused", "steps": 4, "sampler": tc.sampler, "chroma": tc.chroma, "progress": false})
			if err != nil {
				return err
			}
			m, err := NewWithPrior(p, o)
			if err != nil {
				return err
			}
			res, err := m.Fuse(pair)
			if err != nil {
				return err
			}
			f := res.Fused
			if f.W != 64 || f.H != 64 || f.C() != pair[1].C() {
				t.Fatalf("%s: fused %dx%dx%d", tc.sampler, f.W, f.H, f.C())
			}
			lo, hi := 255.0, 0.0
			for _, v := range f.Planes[0] {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			if !tc.chroma && (lo != 0 || hi != 255) {
				t.Errorf("%s: gray output spans %g..%g, want 0..255", tc.sampler, lo, hi)
			}
			names := []string{"EN", "SD", "MI", "VIF", "Q_ABF_qabf"}
			ms, err := metrics.Evaluate(names, metrics.Inputs{Sources: pair, Fused: f})
			if err != nil {
				return err
			}
			for _, k := range names {
				if v, ok := ms[k]; !ok || math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s: metric %s = %v", tc.sampler, k, v)
				}
			}
			t.Logf("%s chroma=%v: %v", tc.sampler, tc.chroma, ms)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A prior checkpoint works through the registry, and an odd-sized pair is
// padded and cropped back.
func TestFuseTrainedCheckpoint(t *testing.T) {
	pair := synthPair(50, 38)
	p, err := adm.Random(smallPriorConfig(), 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := checkpoint.New(adm.Kind)
	if err := (adm.Spec{Net: smallPriorConfig(), Timesteps: 1000}).Put(c); err != nil {
		t.Fatal(err)
	}
	if err := backend.SaveVars(c, p.VS); err != nil {
		t.Fatal(err)
	}
	p.Close()
	ckpt := filepath.Join(t.TempDir(), "prior.ckpt")
	if err := c.Save(ckpt); err != nil {
		t.Fatal(err)
	}
	m, err := eval.New("ddfm", eval.Options{"prior": ckpt, "steps": 3, "progress": false, "paper_roles": true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.(*Method).Close()
	res, err := m.Fuse(pair)
	if err != nil {
		t.Fatal(err)
	}
	if res.Fused.W != 50 || res.Fused.H != 38 {
		t.Errorf("fused %dx%d, want 50x38", res.Fused.W, res.Fused.H)
	}
	if _, err := m.Fuse(pair[:1]); err == nil {
		t.Error("one source accepted")
	}
}

// Invalid option values are errors naming the option, found without
// loading the prior; a text file given as the prior fails on reading, with
// no network built.
func TestOptionValues(t *testing.T) {
	for _, tc := range []struct {
		opts eval.Options
		want string
	}{
		{eval.Options{"steps": 0}, "option steps = 0"},
		{eval.Options{"steps": "abc"}, "steps"},
		{eval.Options{"sampler": "euler"}, "euler"},
		{eval.Options{"lambda": -1}, "lambda"},
		{eval.Options{"prior": "/nonexistent/prior.pt"}, "/nonexistent/prior.pt"},
	} {
		if err := eval.CheckOptions("ddfm", tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %q", tc.opts, err, tc.want)
		}
	}
	text := filepath.Join(t.TempDir(), "prior.pt")
	os.WriteFile(text, []byte("hello world\n"), 0o644)
	built := contract.Builds()
	_, err := New(eval.Options{"prior": text, "progress": false})
	if err == nil || !strings.Contains(err.Error(), text) {
		t.Errorf("text file as prior: %v", err)
	}
	if contract.Builds() != built {
		t.Error("a network was built before the prior file was checked")
	}
}
