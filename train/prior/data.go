package prior

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/layout"
)

// Example is one training image as 3 planes in [-1, 1] (CHW).
type Example struct {
	Name string
	W, H int
	X    []float32
}

var imageExt = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".bmp": true, ".tif": true, ".tiff": true, ".gif": true}

// LoadImages reads the first limit images (0: all) of dir in name order;
// with resize > 0 each is resized so its shorter side is resize pixels.
// Gray images are replicated to three planes. Every image must be at least
// size pixels on each side.
func LoadImages(dir string, limit, size, resize int) ([]Example, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prior images: %w", err)
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && imageExt[strings.ToLower(filepath.Ext(e.Name()))] {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if limit > 0 && limit < len(names) {
		names = names[:limit]
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("prior images: no images in %s", dir)
	}
	out := make([]Example, 0, len(names))
	for _, n := range names {
		p := filepath.Join(dir, n)
		m, err := data.ReadImage(p)
		if err != nil {
			return nil, err
		}
		if resize > 0 {
			s := float64(resize) / float64(min(m.W, m.H))
			m = data.ResizeBilinearCV(m, max(resize, int(float64(m.W)*s+0.5)), max(resize, int(float64(m.H)*s+0.5)))
		}
		if m.W < size || m.H < size {
			return nil, fmt.Errorf("prior images: %s is %dx%d, smaller than the %d crop", p, m.W, m.H, size)
		}
		out = append(out, Example{Name: n, W: m.W, H: m.H, X: layout.Signed(m, 3)})
	}
	return out, nil
}

// batch assembles random size x size crops (flipped left-right with
// probability 1/2) of the given examples.
func batch(ex []Example, idx []int, size int, r *rand.Rand) []float32 {
	out := make([]float32, 0, len(idx)*3*size*size)
	for _, i := range idx {
		e := ex[i]
		x0, y0 := r.IntN(e.W-size+1), r.IntN(e.H-size+1)
		flip := r.IntN(2) == 1
		for c := range 3 {
			for y := y0; y < y0+size; y++ {
				row := e.X[c*e.W*e.H+y*e.W+x0 : c*e.W*e.H+y*e.W+x0+size]
				if !flip {
					out = append(out, row...)
					continue
				}
				for k := size - 1; k >= 0; k-- {
					out = append(out, row[k])
				}
			}
		}
	}
	return out
}
