// Package fusiondiff registers the fusion method "fusiondiff" in the eval
// registry: FusionDiff (Li et al., ESWA 238 (2024) 121664) generates the
// fused image with a conditional DDPM whose noise predictor sees [S1, S2,
// x_t]. Inference runs at native resolution with batch 1: the sources are
// padded by mirror reflection to a multiple of the U-Net stride and the
// result is cropped back (the reference code fails on sides that are odd
// or not a multiple of the stride). Large images can be processed in
// overlapping tiles: every sampler step predicts the noise tile by tile
// and blends the predictions, so one consistent x_t is denoised.
//
// x_T is drawn from a seeded Go generator, so a fusion is reproducible;
// Repeat runs several seeds and summarizes the spread of the metrics.
//
// Blank import this package to register the method.
package fusiondiff

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mfif/mfif/data/padding"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/internal/progress"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/diffusion"
	netfd "github.com/mfif/mfif/nets/fusiondiff"
	"github.com/mfif/mfif/nets/layout"
)

func init() {
	eval.Register(eval.Info{
		Name:        "fusiondiff",
		Description: "FusionDiff conditional DDPM (needs option model=<checkpoint or .pt state_dict>; sampler, steps, seed, tile)",
		Citation:    "M. Li, R. Pei, T. Zheng, Y. Zhang, W. Fu, FusionDiff: Multi-focus image fusion using denoising diffusion probabilistic models, Expert Systems with Applications 238 (2024) 121664",
		Progress:    true,
	}, func(opts eval.Options) (eval.Method, error) { return New(opts) })
}

// Options configure a Method. A reference state dict (.pt/.pth) is fed
// BGR planes, as the reference code was trained on OpenCV's channel order;
// checkpoints of train/fusiondiff are RGB end to end.
type Options struct {
	// Model is a checkpoint written by train/fusiondiff or a reference
	// PyTorch state_dict (.pt, paper configuration).
	Model string
	// Sampler is "fusiondiff" or "ddim"; empty takes the model's default.
	Sampler string
	// Steps is the DDIM step count (0: the model's default, else T).
	Steps int
	// Seed draws x_T.
	Seed uint64
	// Tile, if > 0, processes images larger than Tile x Tile in tiles of
	// that side (rounded up to the stride) overlapping by Overlap pixels.
	Tile, Overlap int
	// Threads is libtorch's thread count (0: unchanged).
	Threads int
	// Clip overrides the model's clamp of x0 estimates (its spec's
	// diffusion.clip): "unit" ([-1, 1]), "sources" (between the two
	// sources) or "none"; empty keeps the model's.
	Clip string
	// Progress receives a per-step progress bar (nil: silent).
	Progress io.Writer
}

var optionKeys = []string{"clip", "model", "overlap", "progress", "sampler", "seed", "steps", "threads", "tile"}

// New builds the method from registry options: model (required), sampler,
// steps, seed (0), tile (0: off), overlap (32), threads (0), progress
// (true: bar on stderr), clip (true).
func New(opts eval.Options) (*Method, error) {
	for k := range opts {
		if !slices.Contains(optionKeys, k) {
			return nil, fmt.Errorf("unknown option %q (known: %s)", k, strings.Join(optionKeys, ", "))
		}
	}
	o := Options{Overlap: 32, Progress: os.Stderr}
	var err error
	get := func(key string, dst *int) {
		if v, ok := opts[key]; ok && err == nil {
			*dst, err = toInt(key, v)
		}
	}
	o.Model, _ = opts["model"].(string)
	if s, ok := opts["sampler"]; ok {
		if o.Sampler, ok = s.(string); !ok {
			return nil, fmt.Errorf("option sampler: %v is not a string", s)
		}
	}
	var seed int
	get("steps", &o.Steps)
	get("seed", &seed)
	get("tile", &o.Tile)
	get("overlap", &o.Overlap)
	get("threads", &o.Threads)
	if err != nil {
		return nil, err
	}
	if seed < 0 {
		return nil, fmt.Errorf("option seed: must be >= 0 (got %d)", seed)
	}
	o.Seed = uint64(seed)
	if c, ok := opts["clip"]; ok {
		v := strings.ToLower(strings.TrimSpace(fmt.Sprint(c)))
		switch v {
		case "true":
			v = ""
		case "false":
			v = netfd.ClipNone
		case netfd.ClipUnit, netfd.ClipSources, netfd.ClipNone:
		default:
			return nil, fmt.Errorf("option clip: %v: want unit, sources, none (or true = the model's, false = none)", c)
		}
		o.Clip = v
	}
	if p, ok := opts["progress"]; ok {
		b, err := strconv.ParseBool(fmt.Sprint(p))
		if err != nil {
			return nil, fmt.Errorf("option progress: %v is not a boolean", p)
		}
		if !b {
			o.Progress = nil
		}
	}
	return Open(o)
}

func toInt(key string, v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case uint64:
		return int(x), nil
	case float64:
		if x == float64(int(x)) {
			return int(x), nil
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("option %s: %v (%T) is not an integer", key, v, v)
}

// Method fuses two sources with a trained FusionDiff model. It is safe for
// concurrent use (fusions are serialized).
type Method struct {
	mu      sync.Mutex
	tr      *netfd.Model
	sampler diffusion.Sampler
	opts    Options
}

// Open loads the model and prepares the sampler.
func Open(o Options) (*Method, error) {
	if o.Model == "" {
		return nil, errors.New("option model: want the path of a fusiondiff checkpoint (train one with `mfif train fusiondiff-cpu`) or a reference .pt state_dict")
	}
	switch {
	case o.Steps < 0:
		return nil, fmt.Errorf("option steps: must be >= 0 (got %d)", o.Steps)
	case o.Tile < 0 || o.Overlap < 0:
		return nil, fmt.Errorf("options tile %d and overlap %d must be >= 0", o.Tile, o.Overlap)
	case o.Tile > 0 && o.Overlap >= o.Tile:
		return nil, fmt.Errorf("option overlap %d must be smaller than tile %d", o.Overlap, o.Tile)
	}
	if o.Threads > 0 {
		if err := backend.SetThreads(o.Threads); err != nil {
			return nil, err
		}
	}
	tr, err := netfd.Load(o.Model, nil)
	if err != nil {
		return nil, err
	}
	name, steps := o.Sampler, o.Steps
	if name == "" {
		name = tr.Spec.Sample.Sampler
		if steps == 0 {
			steps = tr.Spec.Sample.Steps
		}
	}
	s, err := diffusion.NewSampler(name, tr.Schedule, steps)
	if err != nil {
		tr.Close()
		return nil, fmt.Errorf("option sampler: %w", err)
	}
	if o.Clip != "" {
		tr.Spec.Diffusion.Clip = o.Clip
	}
	clip := tr.Spec.Diffusion.ClipMode() != netfd.ClipNone
	switch smp := s.(type) {
	case *diffusion.FusionDiff:
		smp.Clip = clip
	case *diffusion.DDIM:
		smp.Clip = clip
	}
	return &Method{tr: tr, sampler: s, opts: o}, nil
}

// Close frees the model.
func (m *Method) Close() error {
	m.tr.Close()
	return nil
}

// Sampler returns the sampler in use.
func (m *Method) Sampler() diffusion.Sampler { return m.sampler }

// Fuse fuses two sources with the configured seed.
func (m *Method) Fuse(sources []*data.Image) (*eval.Result, error) {
	f, err := m.FuseSeed(sources, m.opts.Seed)
	if err != nil {
		return nil, err
	}
	return &eval.Result{Fused: f}, nil
}

// FuseSeed fuses two sources starting from x_T drawn with seed.
func (m *Method) FuseSeed(sources []*data.Image, seed uint64) (*data.Image, error) {
	if len(sources) != 2 {
		return nil, fmt.Errorf("fusiondiff: needs exactly 2 sources, got %d", len(sources))
	}
	for i, s := range sources {
		if s == nil || s.W < 2 || s.H < 2 || s.C() < 1 {
			return nil, fmt.Errorf("fusiondiff: source %d is empty or smaller than 2x2", i)
		}
	}
	if err := data.SameSize(sources[0], sources[1]); err != nil {
		return nil, fmt.Errorf("fusiondiff: %w", err)
	}
	sources, err := eval.MatchPlanes(sources)
	if err != nil {
		return nil, fmt.Errorf("fusiondiff: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	w, h := sources[0].W, sources[0].H
	stride := m.tr.Spec.Model.Stride()
	s1, pw, ph := padding.Reflect(m.toCHW(sources[0]), w, h, stride)
	s2, _, _ := padding.Reflect(m.toCHW(sources[1]), w, h, stride)
	cond := append(s1, s2...)
	pred, done, err := m.tr.Predictor(cond, pw, ph, m.opts.Tile, m.opts.Overlap)
	if err != nil {
		return nil, fmt.Errorf("fusiondiff: %w", err)
	}
	defer done()
	dc := m.tr.Spec.Diffusion
	var base []float32
	if dc.Residual > 0 {
		base = dc.BaseOf(s1, s2, pw, ph)
	}
	var bounds *diffusion.Bounds
	if dc.ClipMode() == netfd.ClipSources {
		bounds = dc.Bounds(s1, s2, base)
	}
	switch smp := m.sampler.(type) {
	case *diffusion.FusionDiff:
		smp.Bounds = bounds
	case *diffusion.DDIM:
		smp.Bounds = bounds
	}
	bar := progress.New(m.opts.Progress, m.sampler.Steps(), "fusiondiff "+m.sampler.Name(), progress.Unit("step"))
	x0, err := m.sampler.Sample(diffusion.GaussianNoise(3*pw*ph, seed), pred, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return nil, fmt.Errorf("fusiondiff: %w", err)
	}
	if r := dc.Residual; r > 0 {
		for i, b := range base {
			x0[i] = float32(float64(x0[i])/r + float64(b))
		}
	}
	out := layout.Image(padding.Crop(x0, pw, ph, w, h), w, h)
	if m.tr.BGR {
		out.Planes[0], out.Planes[2] = out.Planes[2], out.Planes[0]
	}
	return out, nil
}

// toCHW converts a source to the network's planar [-1, 1] layout in the
// channel order the model was trained on.
func (m *Method) toCHW(img *data.Image) []float32 {
	if m.tr.BGR && img.C() >= 3 {
		sw := *img
		sw.Planes = append([][]float64(nil), img.Planes...)
		sw.Planes[0], sw.Planes[2] = sw.Planes[2], sw.Planes[0]
		img = &sw
	}
	return layout.Signed(img, 3)
}
