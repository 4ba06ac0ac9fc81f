// Package siamese registers the fusion method "siamese" in the eval
// registry: the decision-map network of nets/siamese (Zhai et al., DSP 168,
// 2025) followed by the paper's post-processing (binarise at 0.5, flip
// regions smaller than 1 % of the image, optional guided filter) and the
// weighted blend F = A·D + B·(1−D) of every colour plane.
//
// The network sees one luminance plane per source (data.Image.Gray for
// colour, the plane itself for gray) on the [0,1] scale — the decision of
// which source is sharp does not depend on colour, and one map then blends
// all planes, as in the paper's §3.5.3. Images of any size are padded by
// mirror reflection to a multiple of the network stride and the map is
// cropped back. Three or more sources are fused pairwise from the left
// (the running result is source A of the next pair); Result.Map is then
// the weight source 0 keeps (the product of the pairwise maps).
//
// Blank import this package (`import _ ".../eval/siamese"`) to register it.
package siamese

import (
	"fmt"
	"runtime/debug"
	"slices"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"

	net "github.com/mfif/mfif/nets/siamese"
)

func init() {
	eval.Register(eval.Info{
		Name:        "siamese",
		Description: "Siamese multi-scale-attention decision-map network (needs option model=<checkpoint>)",
		Citation:    "H. Zhai, N. Luo, Y. Yang, Z. Xu, B. Lin, Multi-focus image fusion via multi-scale attention and Siamese networks, Digital Signal Processing 168 (2025) 105493",
		HasMap:      true,
	}, func(opts eval.Options) (eval.Method, error) { return New(opts) })
}

// Method fuses images with a trained siamese checkpoint. It is safe for
// concurrent use (network calls are serialized by the model).
type Method struct {
	model  *net.Model
	post   eval.PostOptions
	mapOpt net.MapOptions
}

// New builds the method from options: model (checkpoint path, required),
// threshold (0.5), min_area_fraction (0.01; the old name min_area is an
// error that names it), guided (guided-filter radius, 0 = off), guided_eps (0.1, 0..255² units) and
// views (1: the plain map; 2, 8 or 16: the soft map averaged over the
// swapped pair, the 8 flips/transposes, or both, before post-processing;
// see nets/siamese.Model.DecisionMapViews).
func New(opts eval.Options) (*Method, error) {
	r := eval.NewOptionReader(opts)
	path := r.String("model", "")
	post := eval.DefaultPostOptions()
	post.Threshold = r.Float("threshold", post.Threshold)
	r.Renamed("min_area", "min_area_fraction")
	post.MinAreaFraction = r.Float("min_area_fraction", post.MinAreaFraction)
	post.GuidedRadius = r.Int("guided", 0)
	post.GuidedEps = r.Float("guided_eps", post.GuidedEps)
	views := r.Int("views", 1)
	exposure := r.Bool("exposure", false)
	r.Check(path != "", "model", path, "the path of a siamese checkpoint (train one with `mfif train siamese-cpu`)")
	r.Check(post.Threshold >= 0 && post.Threshold <= 1, "threshold", post.Threshold, "in [0,1]")
	r.Check(post.MinAreaFraction >= 0 && post.MinAreaFraction <= 1, "min_area_fraction", post.MinAreaFraction, "in [0,1]")
	r.Check(post.GuidedRadius >= 0 && post.GuidedRadius <= 1000, "guided", post.GuidedRadius, "a radius in 0..1000")
	r.Check(slices.Contains(net.ViewCounts, views), "views", views, fmt.Sprint("one of ", net.ViewCounts))
	if err := r.Done(); err != nil {
		return nil, fmt.Errorf("siamese: %w", err)
	}
	m, _, err := net.Load(path)
	if err != nil {
		return nil, fmt.Errorf("option model: %w", err)
	}
	// Reading the checkpoint leaves about twice the weights' size of Go
	// garbage (the file's bytes and their conversion): return it to the
	// system now, not after the first decision map has added its peak to
	// it (85 MiB less peak memory for a 520 x 520 fuse with the paper
	// network, docs/performance.md).
	debug.FreeOSMemory()
	return &Method{model: m, post: post, mapOpt: net.MapOptions{Views: views, EqualExposure: exposure}}, nil
}

// Close frees the model.
func (m *Method) Close() error {
	m.model.Close()
	return nil
}

// Fuse fuses two or more sources of equal size and plane count.
func (m *Method) Fuse(srcs []*data.Image) (*eval.Result, error) {
	if len(srcs) < 2 {
		return nil, fmt.Errorf("siamese: need at least 2 sources, got %d", len(srcs))
	}
	for i, s := range srcs {
		if s == nil || s.W < 1 || s.H < 1 || s.C() < 1 {
			return nil, fmt.Errorf("siamese: source %d is empty", i)
		}
		if err := data.SameSize(srcs[0], s); err != nil {
			return nil, fmt.Errorf("siamese: source %d: %w", i, err)
		}
	}
	srcs, err := eval.MatchPlanes(srcs)
	if err != nil {
		return nil, fmt.Errorf("siamese: %w", err)
	}
	res, err := m.fusePair(srcs[0], srcs[1])
	if err != nil {
		return nil, err
	}
	for k := 2; k < len(srcs); k++ {
		next, err := m.fusePair(res.Fused, srcs[k])
		if err != nil {
			return nil, fmt.Errorf("siamese: fusing source %d: %w", k, err)
		}
		res.Fused = next.Fused
		for i, v := range next.Map.Planes[0] {
			res.Map.Planes[0][i] *= v
		}
	}
	return res, nil
}

// fusePair computes the raw map, post-processes it and blends a and b.
func (m *Method) fusePair(a, b *data.Image) (*eval.Result, error) {
	raw, err := m.RawMap(a, b)
	if err != nil {
		return nil, err
	}
	post := m.post
	var guide *data.Image
	if post.GuidedRadius > 0 {
		// Guide with the image fused by the binary map (SESF-Fuse's choice).
		bin := post
		bin.GuidedRadius = 0
		d, err := eval.PostProcess(raw, nil, bin)
		if err != nil {
			return nil, err
		}
		if guide, err = eval.FuseWithMap(a, b, d); err != nil {
			return nil, err
		}
	}
	d, err := eval.PostProcess(raw, guide, post)
	if err != nil {
		return nil, err
	}
	fused, err := eval.FuseWithMap(a, b, d)
	if err != nil {
		return nil, err
	}
	return &eval.Result{Fused: fused, Map: d, RawMap: raw}, nil
}

// RawMap returns the network's soft decision map for (a, b): one plane in
// [0,1], the probability that a is the in-focus source, at a's size.
func (m *Method) RawMap(a, b *data.Image) (*data.Image, error) {
	return m.model.DecisionMapWith(a, b, m.mapOpt)
}
