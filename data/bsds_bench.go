package data

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mfif/mfif/internal/atomicfile"
)

// BSDSBenchConfig controls WriteBSDSBenchmark. Zero fields take the
// defaults noted on each.
type BSDSBenchConfig struct {
	// CoverMin and CoverMax bound the share of the photo where source 1
	// is in focus (defaults 0.25 and 0.75).
	CoverMin float64
	CoverMax float64
	// SigmaMin and SigmaMax bound the Gaussian defocus sigma (defaults 1
	// and 3); RadiusMin and RadiusMax the disk radius (defaults 2 and 6,
	// about the same strengths: a disk of radius R has the per-axis
	// standard deviation R/2).
	SigmaMin, SigmaMax   float64
	RadiusMin, RadiusMax float64
}

func (c BSDSBenchConfig) withDefaults() (BSDSBenchConfig, error) {
	if c.CoverMin == 0 && c.CoverMax == 0 {
		c.CoverMin, c.CoverMax = 0.25, 0.75
	}
	if c.SigmaMin == 0 && c.SigmaMax == 0 {
		c.SigmaMin, c.SigmaMax = 1, 3
	}
	if c.RadiusMin == 0 && c.RadiusMax == 0 {
		c.RadiusMin, c.RadiusMax = 2, 6
	}
	switch {
	case !(c.CoverMin > 0 && c.CoverMin <= c.CoverMax && c.CoverMax < 1):
		return c, fmt.Errorf("coverage range [%g, %g] must satisfy 0 < min <= max < 1", c.CoverMin, c.CoverMax)
	case !(c.SigmaMin > 0 && c.SigmaMin <= c.SigmaMax && c.SigmaMax < 64):
		return c, fmt.Errorf("sigma range [%g, %g] must satisfy 0 < min <= max < 64", c.SigmaMin, c.SigmaMax)
	case !(c.RadiusMin >= 0.5 && c.RadiusMin <= c.RadiusMax && c.RadiusMax < 128):
		return c, fmt.Errorf("disk radius range [%g, %g] must satisfy 0.5 <= min <= max < 128", c.RadiusMin, c.RadiusMax)
	}
	return c, nil
}

// randomBlur draws a Gaussian or a disk (probability 1/2 each) of uniform
// strength in the configured range.
func (c BSDSBenchConfig) randomBlur(r *rng) Blur {
	if r.coin() {
		return Blur{Kind: BlurDisk, Radius: r.uniform(c.RadiusMin, c.RadiusMax)}
	}
	return Blur{Kind: BlurGaussian, Sigma: r.uniform(c.SigmaMin, c.SigmaMax)}
}

// BSDSBenchManifest is the file WriteBSDSBenchmark writes beside the pair
// folders, one CSV row per pair: name, photo, split, cover (share of the
// mask that is 1), blur_1 (the blur of source 1 outside the mask) and
// blur_2 (the blur of source 2 inside it).
const BSDSBenchManifest = "manifest.csv"

// WriteBSDSBenchmark writes n synthetic multi-focus pairs with known
// ground truth, made from the photos and region maps of one split of a
// BSDS500 tree (see NewBSDSDataset), to out as source_1/, source_2/,
// full_clear/ (the photo) and mask/ (255 where source 1 is in focus, 0
// elsewhere) PNG files named bsds_<photo>_<variant>.png, plus
// BSDSBenchManifest. The photos are taken in a seeded order, one pair per
// photo (variant 0) and further variants only when n exceeds the split.
// Each pair keeps the photo's native resolution: a focus region from the
// segments covering [CoverMin, CoverMax] of the photo, and each source
// blurred outside its focus side by its own Gaussian or disk of random
// strength (hard composite, so the mask is exact). Photos whose segments
// cannot reach that coverage (one segment covers more than CoverMax: about
// one BSDS photo in six for 0.25-0.75) are skipped. A pair depends only
// on (seed, photo, variant). DiscoverPairs(out) finds the pairs with their
// masks.
func WriteBSDSBenchmark(root, split, out string, n int, cfg BSDSBenchConfig, seed int64) ([]Pair, error) {
	return WriteBSDSBenchmarkContext(context.Background(), root, split, out, n, cfg, seed)
}

// WriteBSDSBenchmarkContext is WriteBSDSBenchmark that stops before the
// next photo once ctx is done, returning context.Cause(ctx).
func WriteBSDSBenchmarkContext(ctx context.Context, root, split, out string, n int, cfg BSDSBenchConfig, seed int64) ([]Pair, error) {
	if n <= 0 {
		return nil, fmt.Errorf("bsds benchmark %s: pair count %d must be positive", out, n)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("bsds benchmark %s: %w", out, err)
	}
	imgDir, segDir, stems, err := listRegionPhotos(root, split)
	if err != nil {
		return nil, err
	}
	sub := []string{"source_1", "source_2", "full_clear", "mask"}
	for _, s := range sub {
		if err := os.MkdirAll(filepath.Join(out, s), 0o755); err != nil {
			return nil, fmt.Errorf("bsds benchmark: %w", err)
		}
	}
	perm := newRNG(seed, 0xbe7c).perm(len(stems))
	var manifest strings.Builder
	manifest.WriteString("name,photo,split,cover,blur_1,blur_2\n")
	var pairs []Pair
	lastHit := -1
	for k := 0; len(pairs) < n; k++ {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		if k-lastHit > len(stems) {
			return nil, fmt.Errorf("bsds benchmark %s: only %d of %d pairs: no photo of %s has a focus region covering [%g, %g]",
				out, len(pairs), n, imgDir, cfg.CoverMin, cfg.CoverMax)
		}
		s, v := stems[perm[k%len(stems)]], k/len(stems)
		img, lab, err := readRegionPhoto(imgDir, segDir, s)
		if err != nil {
			return nil, err
		}
		r := newRNG(seed, 0xbe7c, stemHash(s), uint64(v))
		fg, cover := focusRegion(lab, cfg.CoverMin, cfg.CoverMax, r)
		if fg == nil || cover < cfg.CoverMin || cover > cfg.CoverMax {
			continue // one segment dominates this photo
		}
		lastHit = k
		b1, b2 := cfg.randomBlur(r), cfg.randomBlur(r)
		smp := regionSample(img, fg, nil, b1, b2, false)
		mask := fg.Clone()
		for j, m := range mask.Planes[0] {
			mask.Planes[0][j] = 255 * m
		}
		name := fmt.Sprintf("bsds_%s_%d", s, v)
		imgs := []*Image{smp.Sources[0], smp.Sources[1], img, mask}
		paths := make([]string, len(sub))
		for j, d := range sub {
			paths[j] = filepath.Join(out, d, name+".png")
			if err := WriteImage(paths[j], imgs[j], 8); err != nil {
				return nil, fmt.Errorf("bsds benchmark: %w", err)
			}
		}
		pairs = append(pairs, Pair{Name: name, Sources: paths[:2], Reference: paths[2], Mask: paths[3]})
		fmt.Fprintf(&manifest, "%s,%s,%s,%.4f,%s,%s\n", name, s, split, cover, b1, b2)
	}
	if err := atomicfile.WriteFile(filepath.Join(out, BSDSBenchManifest), []byte(manifest.String())); err != nil {
		return nil, fmt.Errorf("bsds benchmark: %w", err)
	}
	sort.Slice(pairs, func(i, j int) bool { return naturalLess(pairs[i].Name, pairs[j].Name) })
	return pairs, nil
}
