package data

import (
	"fmt"
	"hash/fnv"
	"math"
	"path/filepath"
	"sort"
	"strings"
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

// SampleFiles implements FileSource: the photo and its region map.
func (d *bsdsDataset) SampleFiles(i int) []string {
	s := d.stems[i/d.cfg.Variants]
	return []string{fileOfStem(d.imgDir, s, ".jpg"), fileOfStem(d.segDir, s, ".png")}
}

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
	box := BoxFilter(fg, r, BorderReplicate)
	out := NewImage(fg.W, fg.H, 1)
	for i, v := range box.Planes[0] {
		if v > 1e-9 && v < 1-1e-9 {
			out.Planes[0][i] = 1
		}
	}
	return out
}
