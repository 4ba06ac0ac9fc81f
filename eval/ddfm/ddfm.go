// Package ddfm registers the fusion method "ddfm" in the eval registry:
// DDFM (Zhao et al., "DDFM: Denoising Diffusion Model for Multi-Modality
// Image Fusion", ICCV 2023) fuses infrared-visible or two medical
// modalities zero-shot by steering an unconditional diffusion prior
// (nets/adm) with one EM step per reverse step (nets/ddfm).
//
// Sources: source 0 is the infrared image (or the first modality), source
// 1 the visible image (or the second modality, whose chroma the optional
// chroma output keeps). Both are converted to gray in [-1, 1]. Unlike the
// reference code, which crops to a multiple of 32, the images are padded
// by mirror reflection to a multiple of the prior's stride and the result
// is cropped back, so the fused image has the sources' size. The output is
// the luma of the final sample min-max normalised to [0, 255] (official
// behaviour), replicated to the visible source's plane count, or with
// option chroma the visible image's Cb/Cr around it.
//
// Defaults come from configs/ddfm.yaml (official settings); registry
// options override them by key. Blank import this package to register it.
package ddfm

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"

	"github.com/mfif/mfif/data/padding"

	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/internal/progress"
	"github.com/mfif/mfif/nets/adm"
	"github.com/mfif/mfif/nets/backend"
	netddfm "github.com/mfif/mfif/nets/ddfm"
	"github.com/mfif/mfif/nets/diffusion"
)

func init() {
	eval.Register(eval.Info{
		Name:        "ddfm",
		Description: "DDFM zero-shot IR-visible/medical fusion with an unconditional diffusion prior (options prior=<.pt or ddfm-prior checkpoint>, steps, seed, sampler ddim|ddpm, chroma)",
		Citation:    "Z. Zhao, H. Bai, Y. Zhu, J. Zhang, S. Xu, Y. Zhang, K. Zhang, D. Meng, R. Timofte, L. Van Gool, DDFM: Denoising Diffusion Model for Multi-Modality Image Fusion, ICCV 2023",
		Progress:    true,
		CheckOptions: func(opts eval.Options) error {
			o, err := LoadOptions(opts)
			if err != nil {
				return err
			}
			_, hasPrior := opts["prior"]
			_, hasModel := opts["model"]
			return o.Validate(hasPrior || hasModel)
		},
	}, func(opts eval.Options) (eval.Method, error) { return New(opts) })
}

// Options configure a Method; yaml keys are the registry option names.
type Options struct {
	// Prior is the official guided-diffusion state_dict (.pt, 256x256
	// unconditional configuration) or a prior checkpoint (`mfif train
	// ddfm-prior-cpu`).
	Prior string `yaml:"prior"`
	// Sampler is "ddim" (eta = 0, official) or "ddpm" (paper Alg. 1).
	Sampler string `yaml:"sampler"`
	// Steps is the number of respaced steps (100).
	Steps int `yaml:"steps"`
	// Lambda and Rho are the EM hyper-parameters (0.5, 0.001).
	Lambda float64 `yaml:"lambda"`
	Rho    float64 `yaml:"rho"`
	// Seed draws x_T (and the DDPM noise).
	Seed uint64 `yaml:"seed"`
	// Chroma re-inserts the visible source's chroma (off: gray output).
	Chroma bool `yaml:"chroma"`
	// PaperRoles passes infrared as I and visible as V (the paper); off
	// follows the released code (visible as I, infrared as V).
	PaperRoles bool `yaml:"paper_roles"`
	// Threads is libtorch's thread count (0: unchanged).
	Threads int `yaml:"threads"`
	// Progress shows a per-step bar on stderr.
	Progress bool `yaml:"progress"`
}

// LoadOptions returns configs/ddfm.yaml with the registry options applied
// ("model" is accepted as an alias of "prior"); string values are parsed
// as YAML scalars, unknown keys are errors.
func LoadOptions(opts eval.Options) (Options, error) {
	ov := map[string]any{}
	for k, v := range opts {
		if k == "model" {
			k = "prior"
		}
		if s, ok := v.(string); ok && k != "prior" {
			var parsed any
			if err := yaml.Unmarshal([]byte(s), &parsed); err == nil && parsed != nil {
				v = parsed
			}
		}
		ov[k] = v
	}
	var o Options
	if err := configs.Load("ddfm", ov, &o); err != nil {
		return o, fmt.Errorf("ddfm options: %w", err)
	}
	return o, nil
}

// Validate reports the first invalid option without loading the prior
// (whose file must exist when checkPrior is set).
func (o Options) Validate(checkPrior bool) error {
	switch {
	case o.Sampler != "ddim" && o.Sampler != "ddpm":
		return fmt.Errorf("ddfm: option sampler %q: want ddim or ddpm", o.Sampler)
	case o.Steps < 1:
		return fmt.Errorf("ddfm: option steps = %d: want at least 1 (100 in the paper)", o.Steps)
	case !(o.Lambda > 0) || math.IsInf(o.Lambda, 0):
		return fmt.Errorf("ddfm: option lambda = %g: want finite and > 0", o.Lambda)
	case !(o.Rho > 0) || math.IsInf(o.Rho, 0):
		return fmt.Errorf("ddfm: option rho = %g: want finite and > 0", o.Rho)
	case o.Threads < 0:
		return fmt.Errorf("ddfm: option threads = %d: want >= 0", o.Threads)
	case o.Seed > 1<<62:
		return fmt.Errorf("ddfm: option seed %d too large", o.Seed)
	}
	if !checkPrior {
		return nil
	}
	if o.Prior == "" {
		return errors.New("ddfm: option prior: want the official 256x256_diffusion_uncond.pt or a checkpoint of `mfif train ddfm-prior-cpu`")
	}
	if _, err := os.Stat(o.Prior); err != nil {
		return fmt.Errorf("ddfm: option prior: %w (download OpenAI's 256x256_diffusion_uncond.pt or train one with `mfif train ddfm-prior-cpu`)", err)
	}
	return nil
}

// New builds the method from registry options (see Options).
func New(opts eval.Options) (*Method, error) {
	o, err := LoadOptions(opts)
	if err != nil {
		return nil, err
	}
	return Open(o)
}

// Method fuses two sources with DDFM. It is safe for concurrent use
// (fusions are serialized).
type Method struct {
	mu      sync.Mutex
	p       *adm.Model
	own     bool
	sampler *netddfm.Sampler
	opts    Options
}

// Open loads the prior named by o.Prior and prepares the sampler.
func Open(o Options) (*Method, error) {
	if err := o.Validate(true); err != nil {
		return nil, err
	}
	if o.Threads > 0 {
		if err := backend.SetThreads(o.Threads); err != nil {
			return nil, err
		}
	}
	p, err := adm.Load(o.Prior, nil)
	if err != nil {
		return nil, err
	}
	m, err := NewWithPrior(p, o)
	if err != nil {
		p.Close()
		return nil, err
	}
	m.own = true
	return m, nil
}

// NewWithPrior wraps an already loaded prior (which Close then leaves
// alone).
func NewWithPrior(p *adm.Model, o Options) (*Method, error) {
	if p.Config.InChannels != 3 && p.Config.InChannels != 1 {
		return nil, fmt.Errorf("ddfm: prior has %d image channels, want 1 or 3", p.Config.InChannels)
	}
	if err := o.Validate(false); err != nil {
		return nil, err
	}
	s, err := netddfm.NewSampler(p.Schedule, o.Sampler, o.Steps, o.Lambda, o.Rho)
	if err != nil {
		return nil, fmt.Errorf("ddfm: %w", err)
	}
	return &Method{p: p, sampler: s, opts: o}, nil
}

// Close frees the prior if Open loaded it.
func (m *Method) Close() error {
	if m.own {
		m.p.Close()
	}
	return nil
}

// Sampler returns the sampler in use.
func (m *Method) Sampler() *netddfm.Sampler { return m.sampler }

// Fuse fuses [infrared, visible] (or two medical modalities).
func (m *Method) Fuse(sources []*data.Image) (*eval.Result, error) {
	if len(sources) != 2 {
		return nil, fmt.Errorf("ddfm: needs exactly 2 sources, got %d", len(sources))
	}
	for i, s := range sources {
		if s == nil || s.W < 2 || s.H < 2 || s.C() < 1 {
			return nil, fmt.Errorf("ddfm: source %d is empty or smaller than 2x2", i)
		}
	}
	if sources[0].W != sources[1].W || sources[0].H != sources[1].H {
		return nil, fmt.Errorf("ddfm: sources are %dx%d and %dx%d", sources[0].W, sources[0].H, sources[1].W, sources[1].H)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	w, h := sources[0].W, sources[0].H
	ir, err := grayPlane(sources[0])
	if err != nil {
		return nil, err
	}
	vis, err := grayPlane(sources[1])
	if err != nil {
		return nil, err
	}
	st := m.p.Config.Stride()
	irP, pw, ph := padding.Reflect(ir, w, h, st)
	visP, _, _ := padding.Reflect(vis, w, h, st)
	i, v := visP, irP // the released code's roles
	if m.opts.PaperRoles {
		i, v = irP, visP
	}
	c := m.p.Config.InChannels
	pred := m.p.Predictor(pw, ph)
	var out io.Writer
	if m.opts.Progress {
		out = os.Stderr
	}
	bar := progress.New(out, m.sampler.Steps(), "ddfm "+m.sampler.Name(), progress.Unit("step"))
	x, err := m.sampler.Sample(i, v, pw, ph, diffusion.GaussianNoise(c*pw*ph, m.opts.Seed), pred, m.opts.Seed+1, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return nil, err
	}
	y := netddfm.Luma(x, pw*ph)
	fused := netddfm.MinMax255(padding.Crop(y, pw, ph, w, h))
	return &eval.Result{Fused: m.output(fused, sources[1], w, h)}, nil
}

// output builds the result image from the fused luma (0..255, rounded to
// 8 bits as the reference code saves it).
func (m *Method) output(y []float64, visible *data.Image, w, h int) *data.Image {
	for k, v := range y {
		y[k] = data.RoundSat255(v)
	}
	if m.opts.Chroma && visible.C() >= 3 {
		return withChroma(y, visible)
	}
	out := data.NewImage(w, h, visible.C())
	for c := range out.Planes {
		copy(out.Planes[c], y)
	}
	return out
}
