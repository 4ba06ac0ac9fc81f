package data

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/mfif/mfif/internal/progress"
)

// SynthConfig controls the procedural multi-focus scene generator. Zero
// fields take the defaults noted on each.
type SynthConfig struct {
	// W and H are the image size in pixels (default 256 each).
	W int `yaml:"w"`
	H int `yaml:"h"`
	// Gray makes one-plane scenes instead of RGB.
	Gray bool `yaml:"gray"`
	// SigmaMin and SigmaMax bound the defocus blur sigma, drawn uniformly
	// and independently for each source (defaults 1 and 4).
	SigmaMin float64 `yaml:"sigma_min"`
	SigmaMax float64 `yaml:"sigma_max"`
	// EdgeSigma, when positive, blurs the focus mask with this sigma before
	// compositing so the focus boundary is soft as in real defocus; 0 keeps
	// a hard boundary (as the FusionDiff and DRPL synthesis do).
	EdgeSigma float64 `yaml:"edge_sigma"`
	// CoverMin and CoverMax bound the fraction of pixels where source 1 is
	// in focus (defaults 0.3 and 0.7).
	CoverMin float64 `yaml:"cover_min"`
	CoverMax float64 `yaml:"cover_max"`
	// Shapes is the number of objects drawn over the background (default:
	// random 4..10).
	Shapes int `yaml:"shapes"`
}

// maxSynthSide bounds W and H so a bad configuration cannot exhaust memory.
const maxSynthSide = 1 << 14

// withDefaults fills zero fields and validates the result.
func (c SynthConfig) withDefaults() (SynthConfig, error) {
	if c.W == 0 {
		c.W = 256
	}
	if c.H == 0 {
		c.H = 256
	}
	if c.SigmaMin == 0 && c.SigmaMax == 0 {
		c.SigmaMin, c.SigmaMax = 1, 4
	}
	if c.CoverMin == 0 && c.CoverMax == 0 {
		c.CoverMin, c.CoverMax = 0.3, 0.7
	}
	switch {
	case c.W < 1 || c.H < 1 || c.W > maxSynthSide || c.H > maxSynthSide:
		return c, fmt.Errorf("synth: size %dx%d outside 1..%d", c.W, c.H, maxSynthSide)
	case int64(c.W)*int64(c.H) > int64(MaxPixels):
		return c, fmt.Errorf("synth: size %dx%d is %d pixels, over the limit of %d (raise it with --max-pixels or data.MaxPixels)",
			c.W, c.H, int64(c.W)*int64(c.H), MaxPixels)
	case !(c.SigmaMin > 0 && c.SigmaMin <= c.SigmaMax) || math.IsInf(c.SigmaMax, 0):
		return c, fmt.Errorf("synth: blur sigma range [%g, %g] must satisfy 0 < min <= max < inf", c.SigmaMin, c.SigmaMax)
	case !(c.CoverMin > 0 && c.CoverMin <= c.CoverMax && c.CoverMax < 1):
		return c, fmt.Errorf("synth: coverage range [%g, %g] must satisfy 0 < min <= max < 1", c.CoverMin, c.CoverMax)
	case !(c.EdgeSigma >= 0) || math.IsInf(c.EdgeSigma, 0):
		return c, fmt.Errorf("synth: edge sigma %g must be finite and >= 0", c.EdgeSigma)
	case c.Shapes < 0:
		return c, fmt.Errorf("synth: negative shape count %d", c.Shapes)
	}
	return c, nil
}

// Scene is one synthetic multi-focus sample.
type Scene struct {
	// Name is "synth_<seed>".
	Name string
	// Sources are the two differently focused images: source 1 is sharp
	// where Mask is 1, source 2 where it is 0.
	Sources []*Image
	// Truth is the all-in-focus image.
	Truth *Image
	// Mask is the one-plane binary focus map with values 0 and 1 (not
	// 0..255): 1 where source 1 is in focus.
	Mask *Image
}

// Synthesize generates the scene for seed: a procedural all-in-focus image
// (fractal value noise, stripes, checkerboards, disks, rectangles and
// triangles in random colours), a blob-shaped focus mask covering a random
// fraction in [CoverMin, CoverMax], and two sources made by Gaussian
// blurring the complementary regions. The output depends only on cfg and
// seed; all images are rounded to 8-bit values.
func Synthesize(cfg SynthConfig, seed int64) (*Scene, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := newRNG(seed, 0x5eed)
	truth := synthTruth(cfg, r)
	mask := synthMask(cfg.W, cfg.H, r.uniform(cfg.CoverMin, cfg.CoverMax), r)
	soft := mask
	if cfg.EdgeSigma > 0 {
		soft = GaussianBlur(mask, cfg.EdgeSigma, 0)
	}
	s1, s2 := r.uniform(cfg.SigmaMin, cfg.SigmaMax), r.uniform(cfg.SigmaMin, cfg.SigmaMax)
	a := composite(truth, GaussianBlur(truth, s1, 0), soft, false)
	b := composite(truth, GaussianBlur(truth, s2, 0), soft, true)
	return &Scene{
		Name:    fmt.Sprintf("synth_%d", seed),
		Sources: []*Image{a, b},
		Truth:   truth,
		Mask:    mask,
	}, nil
}

// composite returns sharp*w + blurred*(1-w) rounded to 8 bits, with w the
// mask (or 1-mask when invert).
func composite(sharp, blurred, mask *Image, invert bool) *Image {
	out := NewImage(sharp.W, sharp.H, sharp.C())
	out.Depth = 8
	m := mask.Planes[0]
	for c := range out.Planes {
		s, b, o := sharp.Planes[c], blurred.Planes[c], out.Planes[c]
		for i := range o {
			w := m[i]
			if invert {
				w = 1 - w
			}
			o[i] = RoundSat255(s[i]*w + b[i]*(1-w))
		}
	}
	return out
}

// palette draws a random colour (or gray level) on the 0..255 scale.
func randColor(r *rng, c int) [3]float64 {
	var col [3]float64
	g := r.uniform(0, 255)
	for k := 0; k < 3; k++ {
		col[k] = g
		if c == 3 {
			col[k] = r.uniform(0, 255)
		}
	}
	return col
}

// texture fills pixels with a random pattern between two colours.
type texture struct {
	kind       int // 0 fractal noise, 1 stripes, 2 checker, 3 flat + grain
	c0, c1     [3]float64
	cell       float64
	ca, sa     float64 // stripe direction
	seed       uint64
	grain      float64
	grainScale float64
}

func newTexture(r *rng, c, w, h int) texture {
	side := float64(min(w, h))
	t := texture{
		kind:       r.intn(4),
		c0:         randColor(r, c),
		c1:         randColor(r, c),
		cell:       r.uniform(0.02, 0.25) * side,
		seed:       r.next(),
		grain:      r.uniform(10, 40),
		grainScale: r.uniform(1.5, 4),
	}
	if t.kind == 1 || t.kind == 2 {
		t.cell = r.uniform(3, 16)
	}
	a := r.uniform(0, math.Pi)
	t.ca, t.sa = math.Cos(a), math.Sin(a)
	return t
}

// at returns the mixing weight in [0, 1] and the grain offset at (x, y).
func (t *texture) at(x, y float64) (float64, float64) {
	var w float64
	switch t.kind {
	case 0:
		w = fractalNoise(x, y, t.cell, 5, t.seed)
	case 1:
		u := (x*t.ca + y*t.sa) / t.cell
		w = 0.5 + 0.5*math.Sin(2*math.Pi*u)
	case 2:
		u := (x*t.ca + y*t.sa) / t.cell
		v := (-x*t.sa + y*t.ca) / t.cell
		if (int(math.Floor(u))+int(math.Floor(v)))&1 == 0 {
			w = 1
		}
	default:
		w = 0.5
	}
	// Fine grain keeps every region textured, so focus is visible in it.
	g := t.grain * (valueNoise(x, y, t.grainScale, t.seed^0xa5a5) - 0.5)
	return w, g
}

func (t *texture) paint(m *Image, x, y int, alpha float64) {
	w, g := t.at(float64(x), float64(y))
	i := y*m.W + x
	for c := range m.Planes {
		v := t.c0[c]*(1-w) + t.c1[c]*w + g
		m.Planes[c][i] = m.Planes[c][i]*(1-alpha) + v*alpha
	}
}

// synthTruth draws the all-in-focus image: a textured background and
// cfg.Shapes textured objects.
func synthTruth(cfg SynthConfig, r *rng) *Image {
	c := 3
	if cfg.Gray {
		c = 1
	}
	m := NewImage(cfg.W, cfg.H, c)
	m.Depth = 8
	bg := newTexture(r, c, cfg.W, cfg.H)
	for y := 0; y < cfg.H; y++ {
		for x := 0; x < cfg.W; x++ {
			bg.paint(m, x, y, 1)
		}
	}
	n := cfg.Shapes
	if n == 0 {
		n = 4 + r.intn(7)
	}
	for k := 0; k < n; k++ {
		drawShape(m, r)
	}
	for _, p := range m.Planes {
		for i, v := range p {
			p[i] = RoundSat255(v)
		}
	}
	return m
}

// shape is a random disk, rotated rectangle or triangle: sd is its signed
// distance (negative inside) in pixels, and it lies within rad of (cx, cy).
type shape struct {
	cx, cy, rad float64
	sd          func(x, y float64) float64
}

// randomShape draws a shape centred in the w x h frame whose size is a
// fraction in [lo, hi) of the shorter side.
func randomShape(r *rng, w, h int, lo, hi float64) shape {
	cx, cy := r.uniform(0, float64(w)), r.uniform(0, float64(h))
	size := r.uniform(lo, hi) * float64(min(w, h))
	s := shape{cx: cx, cy: cy, rad: size}
	switch r.intn(3) {
	case 0:
		s.sd = func(x, y float64) float64 { return math.Hypot(x-cx, y-cy) - size }
	case 1:
		hw, hh := size, r.uniform(0.3, 1)*size
		a := r.uniform(0, math.Pi)
		ca, sa := math.Cos(a), math.Sin(a)
		s.rad = math.Hypot(hw, hh)
		s.sd = func(x, y float64) float64 {
			u, v := (x-cx)*ca+(y-cy)*sa, -(x-cx)*sa+(y-cy)*ca
			return math.Max(math.Abs(u)-hw, math.Abs(v)-hh)
		}
	default:
		var px, py [3]float64
		for i := range px {
			a := r.uniform(0, 2*math.Pi)
			d := r.uniform(0.5, 1) * size
			px[i], py[i] = cx+d*math.Cos(a), cy+d*math.Sin(a)
		}
		s.sd = triangleSD(px, py)
	}
	return s
}

// box returns the pixel range [x0, x1) x [y0, y1) that can be inside.
func (s shape) box(w, h int) (x0, x1, y0, y1 int) {
	return clampInt(int(s.cx-s.rad-2), 0, w), clampInt(int(s.cx+s.rad+3), 0, w),
		clampInt(int(s.cy-s.rad-2), 0, h), clampInt(int(s.cy+s.rad+3), 0, h)
}

// drawShape paints one random shape with its own texture; edges are
// anti-aliased over one pixel.
func drawShape(m *Image, r *rng) {
	t := newTexture(r, m.C(), m.W, m.H)
	s := randomShape(r, m.W, m.H, 0.06, 0.3)
	x0, x1, y0, y1 := s.box(m.W, m.H)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			d := s.sd(float64(x), float64(y))
			if d >= 0.5 {
				continue
			}
			t.paint(m, x, y, math.Min(1, 0.5-d))
		}
	}
}

// triangleSD returns an approximate signed distance to a triangle: the
// largest signed distance to its three edge lines.
func triangleSD(px, py [3]float64) func(x, y float64) float64 {
	// Orient counter-clockwise so "inside" is the negative side of all edges.
	if (px[1]-px[0])*(py[2]-py[0])-(py[1]-py[0])*(px[2]-px[0]) < 0 {
		px[1], px[2] = px[2], px[1]
		py[1], py[2] = py[2], py[1]
	}
	var nx, ny, off [3]float64
	for i := 0; i < 3; i++ {
		j := (i + 1) % 3
		ex, ey := px[j]-px[i], py[j]-py[i]
		l := math.Hypot(ex, ey)
		if l == 0 {
			l = 1
		}
		nx[i], ny[i] = ey/l, -ex/l
		off[i] = nx[i]*px[i] + ny[i]*py[i]
	}
	return func(x, y float64) float64 {
		d := math.Inf(-1)
		for i := 0; i < 3; i++ {
			d = math.Max(d, nx[i]*x+ny[i]*y-off[i])
		}
		return d
	}
}

func clampInt(v, lo, hi int) int { return max(lo, min(v, hi)) }

// synthMask builds a binary mask covering the given fraction of pixels:
// low-frequency fractal noise plus a few random bumps and up to two
// hard-edged shapes, thresholded at the
// matching quantile so coverage is exact up to ties.
func synthMask(w, h int, cover float64, r *rng) *Image {
	side := float64(min(w, h))
	seed := r.next()
	cell := r.uniform(0.25, 0.6) * side
	type bump struct{ x, y, rad, amp float64 }
	bumps := make([]bump, 1+r.intn(4))
	for i := range bumps {
		bumps[i] = bump{r.uniform(0, float64(w)), r.uniform(0, float64(h)),
			r.uniform(0.1, 0.3) * side, r.uniform(-0.6, 0.6)}
	}
	field := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := fractalNoise(float64(x), float64(y), cell, 3, seed)
			for _, b := range bumps {
				dx, dy := float64(x)-b.x, float64(y)-b.y
				v += b.amp * math.Exp(-(dx*dx+dy*dy)/(2*b.rad*b.rad))
			}
			field[y*w+x] = v
		}
	}
	// Hard-edged shapes give the mask straight edges and corners as well
	// as smooth blobs.
	for n := r.intn(3); n > 0; n-- {
		s := randomShape(r, w, h, 0.1, 0.35)
		amp := r.uniform(-0.8, 0.8)
		x0, x1, y0, y1 := s.box(w, h)
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				if s.sd(float64(x), float64(y)) < 0 {
					field[y*w+x] += amp
				}
			}
		}
	}
	k := clampInt(int(math.Round((1-cover)*float64(len(field)))), 0, len(field)-1)
	th := KthSmallest(append([]float64(nil), field...), k)
	m := NewImage(w, h, 1)
	for i, v := range field {
		if v >= th {
			m.Planes[0][i] = 1
		}
	}
	return m
}

// KthSmallest returns the k-th smallest value (0-based) of v, reordering v
// so that v[:k] holds values no larger than v[k] and v[k+1:] values no
// smaller (Hoare's quickselect with a median-of-three pivot).
func KthSmallest(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		a, b, c := v[lo], v[mid], v[hi]
		p := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// ProgressOutput receives the progress of long loops (WriteSyntheticSet): a
// bar on a terminal, else a plain line every 10 % (see internal/progress);
// set it to nil or io.Discard to silence them.
var ProgressOutput io.Writer = os.Stderr

// sceneSeed derives scene i's seed from a set seed.
func sceneSeed(seed int64, i int) int64 {
	return int64(mix64(uint64(seed)^mix64(uint64(i)+0x51ed)) >> 1)
}

// WriteSyntheticSet writes n scenes to dir as source_1/, source_2/,
// full_clear/ and mask/ (mask 0/255) PNG files named synth_00000.png, ...,
// each written atomically, so DiscoverPairs(dir) finds them. Scene i uses a
// seed derived from (seed, i), so a set is reproducible and scene i does not
// depend on n.
func WriteSyntheticSet(dir string, n int, cfg SynthConfig, seed int64) ([]Pair, error) {
	return WriteSyntheticSetContext(context.Background(), dir, n, cfg, seed)
}

// WriteSyntheticSetContext is WriteSyntheticSet that stops before the next
// scene once ctx is done, returning context.Cause(ctx); the scenes written
// before stay whole.
func WriteSyntheticSetContext(ctx context.Context, dir string, n int, cfg SynthConfig, seed int64) ([]Pair, error) {
	if n <= 0 {
		return nil, fmt.Errorf("write synthetic set %s: scene count %d must be positive", dir, n)
	}
	if _, err := cfg.withDefaults(); err != nil {
		return nil, fmt.Errorf("write synthetic set %s: %w", dir, err)
	}
	sub := []string{"source_1", "source_2", "full_clear", "mask"}
	for _, s := range sub {
		if err := os.MkdirAll(filepath.Join(dir, s), 0o755); err != nil {
			return nil, fmt.Errorf("write synthetic set: %w", err)
		}
	}
	bar := progress.New(ProgressOutput, n, "synthesising scenes", progress.Unit("scene"))
	defer bar.Finish()
	pairs := make([]Pair, n)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		sc, err := Synthesize(cfg, sceneSeed(seed, i))
		if err != nil {
			return nil, fmt.Errorf("write synthetic set %s: %w", dir, err)
		}
		name := fmt.Sprintf("synth_%05d", i)
		mask := sc.Mask.Clone()
		for j, v := range mask.Planes[0] {
			mask.Planes[0][j] = 255 * v
		}
		imgs := []*Image{sc.Sources[0], sc.Sources[1], sc.Truth, mask}
		paths := make([]string, len(sub))
		for k, s := range sub {
			paths[k] = filepath.Join(dir, s, name+".png")
			if err := WriteImage(paths[k], imgs[k], 8); err != nil {
				return nil, fmt.Errorf("write synthetic set: %w", err)
			}
		}
		pairs[i] = Pair{Name: name, Sources: paths[:2], Reference: paths[2], Mask: paths[3]}
		bar.Add(1)
	}
	return pairs, nil
}
