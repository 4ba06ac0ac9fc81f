package data

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mfif/mfif/internal/atomicfile"
)

// BSDSConfig controls NewBSDSDataset. Zero fields take the defaults noted
// on each.
type BSDSConfig struct {
	// Size is the side of the square samples (default 256).
	Size int `yaml:"size"`
	// Resize scales the whole photo to Size x Size as NewVOCDataset does.
	// The default instead cuts a Size x Size window at native resolution,
	// at a seeded position per variant: BSDS photos are 481x321 (3:2), so
	// resizing would stretch them unevenly (x0.53 across, x0.80 down for
	// 256) and shrink texture relative to the test photos, which the
	// networks see at native resolution; crops keep geometry and texture
	// scale and give each variant a different view. The crop needs
	// Size <= 321.
	Resize bool `yaml:"resize"`
	// Variants is the number of samples per photo (default 3): variant v
	// draws its own focus region (and crop) and uses blur level
	// Blurs[v mod len(Blurs)], so the default gives every photo each of
	// the three VOC levels once. Len = photos x Variants.
	Variants int `yaml:"variants"`
	// CoverMin and CoverMax bound the share of the sample covered by the
	// focus region (defaults 0.25 and 0.75). Where the segments cannot
	// reach the range (a view where one segment covers more than CoverMax:
	// about 8 % of 256x256 BSDS train crops, 16 % of resized photos) the
	// closest share is used.
	CoverMin float64 `yaml:"cover_min"`
	CoverMax float64 `yaml:"cover_max"`
	// Blurs are the defocus levels (default: the three VOCBlur
	// Gaussians); one level blurs both sides of a sample, as for VOC.
	Blurs []Blur `yaml:"-"`
	// RandomBlur, when set, replaces Blurs: every sample draws two
	// independent defocus blurs, one for each source's out-of-focus side,
	// each a Gaussian (sigma uniform in Blur.SigmaMin..SigmaMax) or a disk
	// (radius uniform in Blur.RadiusMin..RadiusMax) with probability 1/2,
	// as WriteBSDSBenchmark does; real defocus varies in kind and strength
	// between scenes and between the near and far sides.
	RandomBlur *BSDSBenchConfig `yaml:"-"`
	// IgnoreBand, when positive, marks in Ignore every pixel whose
	// (2*IgnoreBand+1)^2 neighbourhood straddles the focus boundary. The
	// default 0 leaves Ignore nil: the composite is hard, so the target is
	// exact for every pixel (unlike VOC's 255 band, which marks annotator
	// doubt about the object outline, not the synthetic focus boundary),
	// and ignoring the band would withhold supervision exactly where the
	// boundary F-score is measured. Leakage of the blurred side across the
	// boundary is part of what the network must learn to localise.
	IgnoreBand int `yaml:"ignore_band"`
	// Photos, when positive, keeps that many photos of the split, chosen
	// by seed (default: all).
	Photos int `yaml:"photos"`
	// Spread composes the sources as two depth layers, the focus region in
	// front (layeredSources): a blurred focus region spreads over the sharp
	// background beside it, as defocused occluders do in real photographs.
	// The default false is the paper's hard composite.
	Spread bool `yaml:"spread"`
}

// withDefaults fills zero fields and validates the result.
func (c BSDSConfig) withDefaults() (BSDSConfig, error) {
	if c.Size == 0 {
		c.Size = 256
	}
	if c.Variants == 0 {
		c.Variants = 3
	}
	if c.CoverMin == 0 && c.CoverMax == 0 {
		c.CoverMin, c.CoverMax = 0.25, 0.75
	}
	if len(c.Blurs) == 0 {
		for _, l := range VOCBlur {
			c.Blurs = append(c.Blurs, Blur{Kind: BlurGaussian, Sigma: l.Sigma, KSize: l.KSize})
		}
	}
	switch {
	case c.Size < 1 || c.Size > maxSynthSide:
		return c, fmt.Errorf("size %d outside 1..%d", c.Size, maxSynthSide)
	case c.Variants < 1:
		return c, fmt.Errorf("variants %d must be positive", c.Variants)
	case !(c.CoverMin > 0 && c.CoverMin <= c.CoverMax && c.CoverMax < 1):
		return c, fmt.Errorf("coverage range [%g, %g] must satisfy 0 < min <= max < 1", c.CoverMin, c.CoverMax)
	case c.IgnoreBand < 0:
		return c, fmt.Errorf("ignore band %d is negative", c.IgnoreBand)
	case c.Photos < 0:
		return c, fmt.Errorf("photo count %d is negative", c.Photos)
	}
	if c.RandomBlur != nil {
		rb, err := c.RandomBlur.withDefaults()
		if err != nil {
			return c, fmt.Errorf("random blur: %w", err)
		}
		c.RandomBlur = &rb
	}
	return c, nil
}

// bsdsDataset synthesises pairs from photos and region maps.
type bsdsDataset struct {
	imgDir, segDir string
	stems          []string
	cfg            BSDSConfig
	seed           int64
}

// NewBSDSDataset serves training pairs synthesised from the photos and
// region maps of one split ("train", "val" or "test") of a BSDS500 tree:
// root/images/SPLIT/ID.jpg with root/segments/SPLIT/ID.png, an 8-bit map
// whose value is the segment id (any value counts, there is no background
// class). Any folder of photos and region maps laid out this way works.
//
// Sample i is variant i mod Variants of photo i / Variants (photos in file
// name order): a Size x Size view of the photo (a native-resolution crop,
// or the resized photo with cfg.Resize), a focus region made of a seeded
// random subset of the segments covering a share of the view in
// [CoverMin, CoverMax], and the two sources of the VOC synthesis (source 1
// sharp on the region and blurred elsewhere, source 2 the complement,
// Target the region). Everything depends only on (photo stem, variant,
// seed), never on which other photos are present. Group(i) is the photo
// stem; train on split "train" and validate on "val" (disjoint photos), or
// use SplitByGroup within one split.
func NewBSDSDataset(root, split string, cfg BSDSConfig, seed int64) (Dataset, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("bsds %s: %w", root, err)
	}
	imgDir, segDir, stems, err := listRegionPhotos(root, split)
	if err != nil {
		return nil, err
	}
	if cfg.Photos > 0 && cfg.Photos < len(stems) {
		perm := newRNG(seed, 0xb5d5).perm(len(stems))
		pick := make([]string, cfg.Photos)
		for i := range pick {
			pick[i] = stems[perm[i]]
		}
		sort.Strings(pick)
		stems = pick
	}
	return &bsdsDataset{imgDir: imgDir, segDir: segDir, stems: stems, cfg: cfg, seed: seed}, nil
}

// listRegionPhotos returns the photo and segment folders of a split and
// the stems of the photos that have a region map, sorted. A photo without
// its map, or a map without its photo, is an error naming the file.
func listRegionPhotos(root, split string) (imgDir, segDir string, stems []string, err error) {
	if split == "" || strings.ContainsAny(split, `/\`) {
		return "", "", nil, fmt.Errorf("bsds %s: split %q must be one folder name (train, val or test)", root, split)
	}
	imgDir = filepath.Join(root, "images", split)
	segDir = filepath.Join(root, "segments", split)
	files, err := listImages(imgDir)
	if err != nil {
		return "", "", nil, fmt.Errorf("bsds %s: photos: %w", root, err)
	}
	segs, err := listImages(segDir)
	if err != nil {
		return "", "", nil, fmt.Errorf("bsds %s: region maps: %w", root, err)
	}
	hasSeg := map[string]bool{}
	for _, f := range segs {
		if strings.EqualFold(filepath.Ext(f), ".png") {
			hasSeg[stem(f)] = true
		}
	}
	seen := map[string]bool{}
	for _, f := range files {
		s := stem(f)
		if !strings.EqualFold(filepath.Ext(f), ".jpg") {
			continue
		}
		if !hasSeg[s] {
			return "", "", nil, fmt.Errorf("bsds %s: %w: photo %s has no region map %s", root, ErrUnmatched,
				filepath.Join(imgDir, f), filepath.Join(segDir, s+".png"))
		}
		seen[s] = true
		stems = append(stems, s)
	}
	for _, f := range segs {
		if s := stem(f); strings.EqualFold(filepath.Ext(f), ".png") && !seen[s] {
			return "", "", nil, fmt.Errorf("bsds %s: %w: region map %s has no photo %s", root, ErrUnmatched,
				filepath.Join(segDir, f), filepath.Join(imgDir, s+".jpg"))
		}
	}
	if len(stems) == 0 {
		return "", "", nil, fmt.Errorf("bsds %s: %w: no JPEG photos in %s", root, ErrNoPairs, imgDir)
	}
	return imgDir, segDir, stems, nil
}

func (d *bsdsDataset) Len() int { return len(d.stems) * d.cfg.Variants }

// Group of a BSDS sample is the photo's stem.
func (d *bsdsDataset) Group(i int) string { return d.stems[i/d.cfg.Variants] }

func (d *bsdsDataset) Get(i int) (Sample, error) {
	if err := checkIndex(i, d.Len()); err != nil {
		return Sample{}, fmt.Errorf("bsds: %w", err)
	}
	s, v := d.stems[i/d.cfg.Variants], i%d.cfg.Variants
	img, lab, err := readRegionPhoto(d.imgDir, d.segDir, s)
	if err != nil {
		return Sample{}, err
	}
	c := d.cfg
	r := newRNG(d.seed, 0xb5d5, stemHash(s), uint64(v))
	var fg *Image
	if c.Resize {
		img = resizeTrain(img, c.Size, c.Size)
		lab = ResizeNearest(lab, c.Size, c.Size)
		if fg, _ = focusRegion(lab, c.CoverMin, c.CoverMax, r); fg == nil {
			return Sample{}, fmt.Errorf("bsds: %s: region map has a single segment", filepath.Join(d.segDir, s+".png"))
		}
	} else {
		if img.W < c.Size || img.H < c.Size {
			return Sample{}, fmt.Errorf("bsds: photo %s is %dx%d, smaller than the %dx%d crop (set Resize or a smaller Size)",
				filepath.Join(d.imgDir, s+".jpg"), img.W, img.H, c.Size, c.Size)
		}
		img, fg = cropRegion(img, lab, c.Size, c.CoverMin, c.CoverMax, r)
		if fg == nil {
			return Sample{}, fmt.Errorf("bsds: %s: no %dx%d crop holds two segments", filepath.Join(d.segDir, s+".png"), c.Size, c.Size)
		}
	}
	var ign *Image
	if c.IgnoreBand > 0 {
		ign = boundaryBand(fg, c.IgnoreBand)
	}
	if c.RandomBlur != nil {
		return regionSample(img, fg, ign, c.RandomBlur.randomBlur(r), c.RandomBlur.randomBlur(r), c.Spread), nil
	}
	return regionSample(img, fg, ign, c.Blurs[v%len(c.Blurs)], c.Blurs[v%len(c.Blurs)], c.Spread), nil
}

// readRegionPhoto reads a photo and its region map and checks their sizes.
func readRegionPhoto(imgDir, segDir, s string) (img, lab *Image, err error) {
	img, err = ReadImage(fileOfStem(imgDir, s, ".jpg"))
	if err != nil {
		return nil, nil, fmt.Errorf("bsds: %w", err)
	}
	lab, err = ReadSegments(fileOfStem(segDir, s, ".png"))
	if err != nil {
		return nil, nil, fmt.Errorf("bsds: %w", err)
	}
	if lab.W == img.H && lab.H == img.W && img.W != img.H {
		lab = alignQuarterTurn(img, lab)
	}
	if err := SameSize(img, lab); err != nil {
		return nil, nil, fmt.Errorf("bsds: %s vs %s: %w", filepath.Join(imgDir, s+".jpg"), filepath.Join(segDir, s+".png"), err)
	}
	return img, lab, nil
}

// alignQuarterTurn turns a region map whose size is the photo's transposed
// by a quarter turn, clockwise or anticlockwise, whichever puts its segment
// boundaries on the stronger photo edges (mean squared gray gradient over
// the boundary pixels). Some BSDS500 copies store portrait photos turned
// while their maps are not: in the one beside this repository 63 train
// photos are 481x321 with 321x481 maps, and for every one the clockwise
// turn of the map lines up with the photo's edges (1.1x to 21x the
// boundary contrast of the other turn).
func alignQuarterTurn(img, lab *Image) *Image {
	g, err := img.Gray()
	if err != nil {
		return lab
	}
	cw, ccw := quarterTurn(lab, true), quarterTurn(lab, false)
	if boundaryContrast(g, ccw) > boundaryContrast(g, cw) {
		return ccw
	}
	return cw
}

// quarterTurn rotates a one-plane image by 90 degrees, clockwise when cw.
func quarterTurn(m *Image, cw bool) *Image {
	out := &Image{W: m.H, H: m.W, Depth: m.Depth, Planes: [][]float64{make([]float64, m.W*m.H)}}
	p, o := m.Planes[0], out.Planes[0]
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			if cw { // (x, y) -> (H-1-y, x)
				o[x*out.W+m.H-1-y] = p[y*m.W+x]
			} else { // (x, y) -> (y, W-1-x)
				o[(m.W-1-x)*out.W+y] = p[y*m.W+x]
			}
		}
	}
	return out
}

// boundaryContrast is the mean squared forward gradient of g over the
// pixels where lab differs from its right or lower neighbour.
func boundaryContrast(g, lab *Image) float64 {
	gp, lp, w := g.Planes[0], lab.Planes[0], g.W
	sum, n := 0.0, 0
	for y := 0; y < g.H-1; y++ {
		for x := 0; x < w-1; x++ {
			i := y*w + x
			if lp[i] != lp[i+1] || lp[i] != lp[i+w] {
				dx, dy := gp[i+1]-gp[i], gp[i+w]-gp[i]
				sum += dx*dx + dy*dy
				n++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// stemHash maps a file stem to a random-stream id.
func stemHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// cropTries bounds the crop positions tried before giving up on a photo
// whose crops all lie inside one segment.
const cropTries = 8

// cropRegion cuts a size x size window at a random position and picks its
// focus region (focusRegion on the window's labels). A window whose
// region share falls outside [lo, hi] (one segment dominates it) is
// redrawn, up to cropTries windows; then the window whose share came
// closest wins. fg is nil when every window lay inside a single segment.
func cropRegion(img, lab *Image, size int, lo, hi float64, r *rng) (*Image, *Image) {
	var bestFG *Image
	bestX, bestY, bestD := 0, 0, math.Inf(1)
	for t := 0; t < cropTries && bestD > 0; t++ {
		x0, y0 := r.intn(img.W-size+1), r.intn(img.H-size+1)
		fg, share := focusRegion(crop(lab, x0, y0, size, size), lo, hi, r)
		if fg == nil {
			continue
		}
		if d := math.Max(0, math.Max(lo-share, share-hi)); d < bestD {
			bestFG, bestX, bestY, bestD = fg, x0, y0, d
		}
	}
	if bestFG == nil {
		// Every random window lay inside one segment (a photo dominated by
		// one region): centre the window on a segment boundary instead,
		// which always holds two segments.
		x, y, ok := boundaryPixel(lab, r)
		if !ok {
			return nil, nil
		}
		bestX = min(max(x-size/2, 0), img.W-size)
		bestY = min(max(y-size/2, 0), img.H-size)
		if bestFG, _ = focusRegion(crop(lab, bestX, bestY, size, size), lo, hi, r); bestFG == nil {
			return nil, nil
		}
	}
	return crop(img, bestX, bestY, size, size), bestFG
}

// boundaryPixel picks, with r, a pixel whose right or lower neighbour
// belongs to another segment; ok is false when lab has one segment.
func boundaryPixel(lab *Image, r *rng) (x, y int, ok bool) {
	p, w := lab.Planes[0], lab.W
	var cand []int
	for i, v := range p {
		if (i%w+1 < w && p[i+1] != v) || (i+w < len(p) && p[i+w] != v) {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return 0, 0, false
	}
	i := cand[r.intn(len(cand))]
	return i % w, i / w, true
}

// crop returns the w x h window of m at (x0, y0), which must fit.
func crop(m *Image, x0, y0, w, h int) *Image {
	out := &Image{W: w, H: h, Depth: m.Depth, Planes: make([][]float64, m.C())}
	for c, p := range m.Planes {
		o := make([]float64, w*h)
		for y := 0; y < h; y++ {
			copy(o[y*w:(y+1)*w], p[(y0+y)*m.W+x0:])
		}
		out.Planes[c] = o
	}
	return out
}

// regionTries is the number of random segment orders focusRegion tries.
const regionTries = 16

// focusRegion picks a subset of the segments of lab (one plane; each
// integer value 0..255 is one segment) whose union covers a share of the
// pixels in [lo, hi] (16-bit maps: values 0..65535): it draws a target share t in [lo, hi], then, for up
// to regionTries random segment orders, adds segments that keep the union
// within hi until it reaches t. The first order that lands in [lo, hi]
// wins; otherwise the union closest to the range, which must still leave
// both sides non-empty. It returns the region as a 0/1 plane and its
// share, or nil when lab has a single segment.
func focusRegion(lab *Image, lo, hi float64, r *rng) (*Image, float64) {
	area := make([]int, maxSegments)
	p := lab.Planes[0]
	for _, v := range p {
		area[segmentID(v)]++
	}
	var ids []int
	for id, a := range area {
		if a > 0 {
			ids = append(ids, id)
		}
	}
	n := len(p)
	if len(ids) < 2 {
		return nil, 0
	}
	target := r.uniform(lo, hi) * float64(n)
	var best []bool
	bestD, bestSum := math.Inf(1), 0
	for t := 0; t < regionTries && bestD > 0; t++ {
		pick := make([]bool, maxSegments)
		sum := 0
		for _, k := range r.perm(len(ids)) {
			a := area[ids[k]]
			if float64(sum+a) > hi*float64(n) {
				continue
			}
			pick[ids[k]] = true
			sum += a
			if float64(sum) >= target {
				break
			}
		}
		if sum == 0 || sum == n {
			continue
		}
		share := float64(sum) / float64(n)
		d := math.Max(0, math.Max(lo-share, share-hi))
		if d < bestD {
			best, bestD, bestSum = pick, d, sum
		}
	}
	if best == nil {
		// Every segment alone exceeds hi (hi < 1/2): take the smallest.
		best = make([]bool, maxSegments)
		small := ids[0]
		for _, id := range ids {
			if area[id] < area[small] {
				small = id
			}
		}
		best[small], bestSum = true, area[small]
	}
	fg := NewImage(lab.W, lab.H, 1)
	for i, v := range p {
		if best[segmentID(v)] {
			fg.Planes[0][i] = 1
		}
	}
	return fg, float64(bestSum) / float64(n)
}

// boundaryBand marks the pixels whose (2r+1)^2 window holds both values of
// the binary map fg.
func boundaryBand(fg *Image, r int) *Image {
	box := BoxFilter(fg, r)
	out := NewImage(fg.W, fg.H, 1)
	for i, v := range box.Planes[0] {
		if v > 1e-9 && v < 1-1e-9 {
			out.Planes[0][i] = 1
		}
	}
	return out
}

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
