package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/mfif/mfif/data"
)

// GalleryPair names the image files of one pair for the HTML report's
// gallery. Every image of a pair must have the size of its first source.
type GalleryPair struct {
	Name string
	// Sources are the partially focused inputs, in order (A, B, ...).
	Sources []string
	// Reference is the all-in-focus truth, or "".
	Reference string
	// Fused holds each method's fused image; Maps the decision maps the
	// methods wrote themselves (gray, white = source A), where they did.
	Fused map[string]string
	Maps  map[string]string
}

// Gallery is the set of pairs shown in the HTML report (WithGallery).
type Gallery struct {
	Pairs []GalleryPair
}

// GalleryMaxPairs is how many pairs the gallery shows at most (the first
// ones); the page says how many were left out.
const GalleryMaxPairs = 50

// GalleryDir is the folder of a report that holds the gallery's images;
// galleryMarker inside it marks it as written by report, so that
// RemoveReport may remove it whole.
const (
	GalleryDir    = "gallery"
	galleryMarker = ".mfif-gallery"
)

// galleryImage is one panel of a pair in the page's data.
type galleryImage struct {
	// Kind is "source", "reference", "fused", "diff" or "map".
	Kind   string `json:"kind"`
	Method string `json:"method,omitempty"`
	Label  string `json:"label"`
	Src    string `json:"src"`
}

// galleryEntry is one pair in the page's data.
type galleryEntry struct {
	Name   string         `json:"name"`
	W      int            `json:"w"`
	H      int            `json:"h"`
	Images []galleryImage `json:"images"`
}

// browserExts are formats every browser shows, copied byte for byte; other
// formats (TIFF) are written as PNG.
var browserExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".bmp": true}

// writeGallery writes the images of g for the methods (in that order) into
// dir/GalleryDir: sources, reference and fused images as they are (or as
// PNG), and for every fused image a difference map (DiffMap against the
// reference where there is one, else against source A) and a decision map:
// the method's own, or, for two sources, one estimated from the fused
// image (EstimateDecisionMap). It returns the page data and the number of
// pairs left out beyond GalleryMaxPairs.
func writeGallery(dir string, g *Gallery, methods []string) ([]galleryEntry, int, error) {
	root := filepath.Join(dir, GalleryDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, 0, fmt.Errorf("gallery %s: %w", root, err)
	}
	if err := writeBytes(filepath.Join(root, galleryMarker), []byte("written by mfif; removed with the report\n")); err != nil {
		return nil, 0, err
	}
	pairs := g.Pairs
	left := 0
	if len(pairs) > GalleryMaxPairs {
		pairs, left = pairs[:GalleryMaxPairs], len(pairs)-GalleryMaxPairs
	}
	var out []galleryEntry
	for i, p := range pairs {
		e, err := writeGalleryPair(root, fmt.Sprintf("%03d_%s", i, fileSafe(p.Name)), p, methods)
		if err != nil {
			return nil, 0, fmt.Errorf("gallery: pair %s: %w", p.Name, err)
		}
		out = append(out, e)
	}
	return out, left, nil
}

func writeGalleryPair(root, sub string, p GalleryPair, methods []string) (galleryEntry, error) {
	e := galleryEntry{Name: p.Name}
	if len(p.Sources) == 0 {
		return e, errors.New("no sources")
	}
	dir := filepath.Join(root, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return e, err
	}
	rel := func(name string) string { return GalleryDir + "/" + sub + "/" + name }
	var srcs []*data.Image
	for i, path := range p.Sources {
		m, name, err := copyImage(path, dir, fmt.Sprintf("source_%c", 'A'+i))
		if err != nil {
			return e, err
		}
		if i == 0 {
			e.W, e.H = m.W, m.H
		}
		srcs = append(srcs, m)
		e.Images = append(e.Images, galleryImage{Kind: "source", Label: fmt.Sprintf("source %c", 'A'+i), Src: rel(name)})
	}
	against, againstLabel := srcs[0], "source A"
	if p.Reference != "" {
		ref, name, err := copyImage(p.Reference, dir, "reference")
		if err != nil {
			return e, err
		}
		against, againstLabel = ref, "reference"
		e.Images = append(e.Images, galleryImage{Kind: "reference", Label: "reference (all in focus)", Src: rel(name)})
	}
	for k, method := range methods {
		path, ok := p.Fused[method]
		if !ok {
			continue
		}
		base := fmt.Sprintf("m%02d_%s", k, fileSafe(method))
		fused, name, err := copyImage(path, dir, base)
		if err != nil {
			return e, err
		}
		e.Images = append(e.Images, galleryImage{Kind: "fused", Method: method, Label: method, Src: rel(name)})
		diff, err := DiffMap(fused, against)
		if err != nil {
			return e, fmt.Errorf("%s: %w", path, err)
		}
		if err := data.WriteImage(filepath.Join(dir, base+"_diff.png"), diff, 8); err != nil {
			return e, err
		}
		e.Images = append(e.Images, galleryImage{Kind: "diff", Method: method, Label: method + " − " + againstLabel, Src: rel(base + "_diff.png")})
		dm, label, err := decisionMap(p.Maps[method], fused, srcs)
		if err != nil {
			return e, err
		}
		if dm != nil {
			if err := data.WriteImage(filepath.Join(dir, base+"_map.png"), dm, 8); err != nil {
				return e, err
			}
			e.Images = append(e.Images, galleryImage{Kind: "map", Method: method, Label: method + " " + label, Src: rel(base + "_map.png")})
		}
	}
	return e, nil
}

// copyImage reads the image at path and puts it into dir as base plus its
// extension (byte for byte) when browsers show that format, else as
// base.png. It returns the image and the file name written.
func copyImage(path, dir, base string) (*data.Image, string, error) {
	m, err := data.ReadImage(path)
	if err != nil {
		return nil, "", err
	}
	ext := strings.ToLower(filepath.Ext(path))
	if !browserExts[ext] {
		name := base + ".png"
		return m, name, data.WriteImage(filepath.Join(dir, name), m, 8)
	}
	name := base + ext
	in, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer in.Close()
	err = writeFile(filepath.Join(dir, name), func(w io.Writer) error { _, err := io.Copy(w, in); return err })
	return m, name, err
}

// decisionMap returns the method's own decision map (read from path, any
// size mismatch an error) on 0..255, or, without one and with two sources,
// EstimateDecisionMap; the label says which. It returns nil for neither.
func decisionMap(path string, fused *data.Image, srcs []*data.Image) (*data.Image, string, error) {
	if path != "" {
		m, err := data.ReadImage(path)
		if err != nil {
			return nil, "", err
		}
		g, err := m.Gray()
		if err != nil {
			return nil, "", fmt.Errorf("decision map %s: %w", path, err)
		}
		if err := data.SameSize(g, fused); err != nil {
			return nil, "", fmt.Errorf("decision map %s: %w", path, err)
		}
		return g, "decision map", nil
	}
	if len(srcs) != 2 {
		return nil, "", nil
	}
	m, err := EstimateDecisionMap(fused, srcs[0], srcs[1])
	if err != nil {
		return nil, "", err
	}
	return m, "decision map (estimated)", nil
}

// estimateSoftness is the source difference (gray levels) at which an
// estimated decision-map pixel gets half weight: where the two sources
// differ by less, they carry little evidence of focus and the pixel is
// pulled toward 128.
const estimateSoftness = 4.0

// EstimateDecisionMap estimates, for a method that left no decision map,
// which source each pixel of its fused image f follows, on 0..255 (255:
// source a, 0: source b, 128: undecided), from the gray images: with d =
// |a-b|, the pixel is 127.5 + 127.5 * w * clamp((|f-b| - |f-a|) / d, -1,
// 1), where w = d / (d + 4) fades pixels where the sources agree (and
// which therefore say nothing about focus) toward 128.
func EstimateDecisionMap(f, a, b *data.Image) (*data.Image, error) {
	if err := data.SameSize(f, a); err != nil {
		return nil, fmt.Errorf("estimate decision map: %w", err)
	}
	if err := data.SameSize(a, b); err != nil {
		return nil, fmt.Errorf("estimate decision map: %w", err)
	}
	gs := make([]*data.Image, 3)
	for i, m := range []*data.Image{f, a, b} {
		g, err := m.Gray()
		if err != nil {
			return nil, fmt.Errorf("estimate decision map: %w", err)
		}
		gs[i] = g
	}
	out := data.NewImage(f.W, f.H, 1)
	for i := range out.Planes[0] {
		fv, av, bv := gs[0].Planes[0][i], gs[1].Planes[0][i], gs[2].Planes[0][i]
		d := math.Abs(av - bv)
		v := 0.0
		if d > 0 {
			v = math.Max(-1, math.Min(1, (math.Abs(fv-bv)-math.Abs(fv-av))/d)) * d / (d + estimateSoftness)
		}
		out.Planes[0][i] = 127.5 + 127.5*v
	}
	return out, nil
}

// removeGallery removes dir/GalleryDir when it carries the marker of a
// gallery written by report; any other folder of that name is kept.
func removeGallery(dir string) error {
	root := filepath.Join(dir, GalleryDir)
	if _, err := os.Lstat(filepath.Join(root, galleryMarker)); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("report %s: remove earlier gallery: %w", dir, err)
	}
	return nil
}
