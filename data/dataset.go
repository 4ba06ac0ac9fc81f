package data

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Sample is one training example for the decision-map network.
type Sample struct {
	// Sources are the differently focused inputs (usually two).
	Sources []*Image
	// Target is the one-plane decision map in [0, 1]: 1 where source 1 is
	// the in-focus (or better-matching) one.
	Target *Image
	// Ignore is a one-plane mask, 1 where the loss must ignore the pixel;
	// nil when every pixel counts.
	Ignore *Image
	// Truth is the all-in-focus image, or nil when unknown.
	Truth *Image
}

// Dataset is an indexable collection of samples. Get must be safe for
// concurrent use and return the same sample for the same index.
type Dataset interface {
	Len() int
	Get(i int) (Sample, error)
}

// checkIndex reports an out-of-range index as an error rather than a panic.
func checkIndex(i, n int) error {
	if i < 0 || i >= n {
		return fmt.Errorf("sample index %d out of range [0, %d)", i, n)
	}
	return nil
}

// VOCBlur lists the three Gaussian blurs applied to every VOC image
// (sigma, kernel size): the Siamese MSA paper (Zhai et al., DSP 168, 2025,
// §4.1.1) blurs each resized image with three kernel sizes but does not
// give them; these use MATLAB imgaussfilt's size 2*ceil(2*sigma)+1.
var VOCBlur = [3]struct {
	Sigma float64
	KSize int
}{{1, 5}, {2, 9}, {3, 13}}

// VOCDefaultN is the subset size of the Siamese MSA paper (§4.1.1).
const VOCDefaultN = 2900

// vocDataset synthesises pairs from VOC2012 segmentation images.
type vocDataset struct {
	root  string
	stems []string
	size  int
}

// NewVOCDataset indexes a VOC2012 tree (JPEGImages/*.jpg with
// SegmentationClass/*.png palette labels) and picks a random subset of n
// segmented images (n <= 0 means VOCDefaultN; more than available means
// all), chosen by seed. Each image gives three samples (Len = 3 x subset),
// one per VOCBlur level: the image resized to size x size (Pillow's
// bilinear, see resizeTrain), source 1 sharp on the foreground (label != 0, including the
// 255 boundary) and blurred elsewhere, source 2 the complement, Target the
// foreground mask and Ignore the 255 boundary (labels resized by nearest
// neighbour).
func NewVOCDataset(root string, n int, size int, seed int64) (Dataset, error) {
	if size <= 0 {
		return nil, fmt.Errorf("voc %s: size %d must be positive", root, size)
	}
	segDir := filepath.Join(root, "SegmentationClass")
	files, err := listImages(segDir)
	if err != nil {
		return nil, fmt.Errorf("voc %s: %w", root, err)
	}
	var stems []string
	for _, f := range files {
		if strings.EqualFold(filepath.Ext(f), ".png") {
			stems = append(stems, stem(f))
		}
	}
	if len(stems) == 0 {
		return nil, fmt.Errorf("voc %s: %w: no PNG labels in %s", root, ErrNoPairs, segDir)
	}
	for _, s := range stems {
		jp := filepath.Join(root, "JPEGImages", s+".jpg")
		if _, err := os.Stat(jp); err != nil {
			return nil, fmt.Errorf("voc %s: %w: label %s.png has no image %s", root, ErrUnmatched, s, jp)
		}
	}
	if n <= 0 {
		n = VOCDefaultN
	}
	perm := newRNG(seed, 0x0c).perm(len(stems))
	if n > len(perm) {
		n = len(perm)
	}
	pick := make([]string, n)
	for i := range pick {
		pick[i] = stems[perm[i]]
	}
	sort.Strings(pick)
	return &vocDataset{root: root, stems: pick, size: size}, nil
}

func (d *vocDataset) Len() int { return 3 * len(d.stems) }

// SampleFiles implements FileSource: the photo and its label map.
func (d *vocDataset) SampleFiles(i int) []string {
	s := d.stems[i/3]
	return []string{filepath.Join(d.root, "JPEGImages", s+".jpg"), filepath.Join(d.root, "SegmentationClass", s+".png")}
}

func (d *vocDataset) Get(i int) (Sample, error) {
	if err := checkIndex(i, d.Len()); err != nil {
		return Sample{}, fmt.Errorf("voc: %w", err)
	}
	s, level := d.stems[i/3], VOCBlur[i%3]
	img, err := ReadImage(filepath.Join(d.root, "JPEGImages", s+".jpg"))
	if err != nil {
		return Sample{}, fmt.Errorf("voc: %w", err)
	}
	lab, err := ReadLabels(filepath.Join(d.root, "SegmentationClass", s+".png"))
	if err != nil {
		return Sample{}, fmt.Errorf("voc: %w", err)
	}
	if err := SameSize(img, lab); err != nil {
		return Sample{}, fmt.Errorf("voc: %s image vs label: %w", s, err)
	}
	img = resizeTrain(img, d.size, d.size)
	lab = ResizeNearest(lab, d.size, d.size)
	fg, ign := NewImage(d.size, d.size, 1), NewImage(d.size, d.size, 1)
	for k, v := range lab.Planes[0] {
		if v != 0 {
			fg.Planes[0][k] = 1
		}
		if v == 255 {
			ign.Planes[0][k] = 1
		}
	}
	blur := Blur{Kind: BlurGaussian, Sigma: level.Sigma, KSize: level.KSize}
	return regionSample(img, fg, ign, blur, blur, false), nil
}

// resizeTrain resizes training images as torchvision's Resize does on PIL
// images (ResizePIL8, bit-exact for 8-bit data); 16-bit images keep their
// precision through the float Resize.
func resizeTrain(m *Image, w, h int) *Image {
	if m.W == w && m.H == h {
		return m
	}
	if m.Depth == 16 {
		return Resize(m, w, h)
	}
	return ResizePIL8(m, w, h)
}

// Triplet target derivation parameters (see NewTripletDataset).
const (
	// TripletWindow is the radius of the box window over which source
	// errors are averaged.
	TripletWindow = 3
	// TripletTie is the smallest difference of mean absolute errors (8-bit
	// levels) that decides a pixel; smaller differences are ignored.
	TripletTie = 0.5
)

// tripletDataset serves source_1/source_2/full_clear folders.
type tripletDataset struct {
	pairs []Pair
	size  int
}

// NewTripletDataset serves the pairs of a source_1/ source_2/ full_clear/
// folder (every pair needs a reference), the first limit pairs in
// DiscoverPairs order (limit <= 0: all), resized to size x size with
// Pillow's bilinear (size <= 0 keeps the native size). The target is derived from the data: per pixel
// the mean absolute difference to the reference over a
// (2*TripletWindow+1)^2 box is computed for each source; Target is 1 where
// source 1 is closer, 0 where source 2 is, and pixels whose two errors
// differ by less than TripletTie are marked in Ignore.
func NewTripletDataset(dir string, size int, limit int) (Dataset, error) {
	pairs, err := DiscoverPairs(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if p.Reference == "" {
			return nil, fmt.Errorf("triplets %s: pair %q (%s) has no full_clear reference", dir, p.Name, p.Sources[0])
		}
		if len(p.Sources) != 2 {
			return nil, fmt.Errorf("triplets %s: pair %q has %d sources, want 2", dir, p.Name, len(p.Sources))
		}
	}
	if limit > 0 && limit < len(pairs) {
		pairs = pairs[:limit]
	}
	return &tripletDataset{pairs: pairs, size: size}, nil
}

func (d *tripletDataset) Len() int { return len(d.pairs) }

// SampleFiles implements FileSource: the sources and the reference.
func (d *tripletDataset) SampleFiles(i int) []string {
	p := d.pairs[i]
	return append(append([]string(nil), p.Sources...), p.Reference)
}

func (d *tripletDataset) Get(i int) (Sample, error) {
	if err := checkIndex(i, d.Len()); err != nil {
		return Sample{}, fmt.Errorf("triplets: %w", err)
	}
	src, ref, err := LoadPair(d.pairs[i])
	if err != nil {
		return Sample{}, err
	}
	if d.size > 0 {
		for k := range src {
			src[k] = resizeTrain(src[k], d.size, d.size)
		}
		ref = resizeTrain(ref, d.size, d.size)
	}
	target, ignore := TargetFromTruth(src[0], src[1], ref, TripletWindow, TripletTie)
	return Sample{Sources: src, Target: target, Ignore: ignore, Truth: ref}, nil
}

// TargetFromTruth derives a decision map from two sources and their
// all-in-focus reference: the mean absolute error of each source against
// ref (averaged over planes and a (2r+1)^2 box) decides each pixel, 1 for
// source a, 0 for b; pixels whose errors differ by less than tie get
// target 0.5 and ignore 1. All three images must have the same shape.
func TargetFromTruth(a, b, ref *Image, r int, tie float64) (target, ignore *Image) {
	ea, eb := absErr(a, ref), absErr(b, ref)
	ea, eb = BoxFilter(ea, r, BorderReplicate), BoxFilter(eb, r, BorderReplicate)
	target, ignore = NewImage(a.W, a.H, 1), NewImage(a.W, a.H, 1)
	for i, va := range ea.Planes[0] {
		vb := eb.Planes[0][i]
		switch {
		case vb-va >= tie:
			target.Planes[0][i] = 1
		case va-vb >= tie:
		default:
			target.Planes[0][i] = 0.5
			ignore.Planes[0][i] = 1
		}
	}
	return target, ignore
}

// absErr is the per-pixel absolute difference averaged over planes.
func absErr(a, ref *Image) *Image {
	out := NewImage(a.W, a.H, 1)
	o := out.Planes[0]
	for c := range a.Planes {
		for i, v := range a.Planes[c] {
			d := v - ref.Planes[c][i]
			if d < 0 {
				d = -d
			}
			o[i] += d / float64(a.C())
		}
	}
	return out
}

// synthDataset generates procedural scenes on demand.
type synthDataset struct {
	n    int
	cfg  SynthConfig
	seed int64
}

// NewSynthDataset serves n procedural scenes of size x size (see
// Synthesize with default settings), scene i generated from (seed, i) on
// each Get; Target is the scene's mask, Ignore nil.
func NewSynthDataset(n int, size int, seed int64) Dataset {
	return NewSynthDatasetConfig(n, SynthConfig{W: size, H: size}, seed)
}

// NewSynthDatasetConfig is NewSynthDataset with a full configuration.
func NewSynthDatasetConfig(n int, cfg SynthConfig, seed int64) Dataset {
	return &synthDataset{n: max(n, 0), cfg: cfg, seed: seed}
}

func (d *synthDataset) Len() int { return d.n }

func (d *synthDataset) Get(i int) (Sample, error) {
	if err := checkIndex(i, d.n); err != nil {
		return Sample{}, fmt.Errorf("synth: %w", err)
	}
	sc, err := Synthesize(d.cfg, sceneSeed(d.seed, i))
	if err != nil {
		return Sample{}, err
	}
	return Sample{Sources: sc.Sources, Target: sc.Mask, Truth: sc.Truth}, nil
}

// subset is a view of a dataset through an index list.
type subset struct {
	ds  Dataset
	idx []int
}

func (s *subset) Len() int { return len(s.idx) }

// SampleFiles implements FileSource for a dataset that does (nil for
// others).
func (s *subset) SampleFiles(i int) []string {
	if fs, ok := s.ds.(FileSource); ok {
		return fs.SampleFiles(s.idx[i])
	}
	return nil
}

func (s *subset) Get(i int) (Sample, error) {
	if err := checkIndex(i, len(s.idx)); err != nil {
		return Sample{}, fmt.Errorf("subset: %w", err)
	}
	return s.ds.Get(s.idx[i])
}

// Subset returns the samples of ds at the given indices, in that order.
func Subset(ds Dataset, idx []int) (Dataset, error) {
	for _, i := range idx {
		if err := checkIndex(i, ds.Len()); err != nil {
			return nil, fmt.Errorf("subset: %w", err)
		}
	}
	return &subset{ds: ds, idx: append([]int(nil), idx...)}, nil
}
