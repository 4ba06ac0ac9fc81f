package pipeline

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

// FusedName is the MFIFB file name of a fused image: <pair>_<method>.png.
func FusedName(pair, method string) string { return pair + "_" + method + ".png" }

// MapName is the file name of a decision map: <pair>_map.png. Maps are not
// tagged with the method, so write each method to its own folder when maps
// matter.
func MapName(pair string) string { return pair + "_map.png" }

// FuseFolder fuses every pair with the method registered under name and
// writes FusedName and, when the method produces one, MapName (the map
// scaled from [0,1] to 0..255) into outDir. Each worker builds its own
// method instance with eval.New, so methods need not be safe for concurrent
// use (deep models registered from their own packages work unchanged).
// It returns the fused paths in pair order.
func FuseFolder(pairs []data.Pair, name string, opts eval.Options, outDir string, o Options) ([]string, error) {
	if _, err := eval.New(name, opts); err != nil { // fail on bad options before any work
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("fuse %s: %w", name, err)
	}
	methods := make([]eval.Method, o.workers(len(pairs)))
	out := make([]string, len(pairs))
	err := parallel(len(pairs), o, "fuse "+name, func(w, i int) error {
		if methods[w] == nil {
			m, err := eval.New(name, opts)
			if err != nil {
				return err
			}
			methods[w] = m
		}
		path, err := fuseOne(methods[w], pairs[i], name, outDir)
		out[i] = path
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func fuseOne(m eval.Method, p data.Pair, name, outDir string) (string, error) {
	srcs, _, err := data.LoadPair(p)
	if err != nil {
		return "", errf(p.Name, err)
	}
	res, err := m.Fuse(srcs)
	if err != nil {
		return "", errf(p.Name, fmt.Errorf("fuse with %s: %w", name, err))
	}
	if res == nil || res.Fused == nil {
		return "", errf(p.Name, fmt.Errorf("method %s returned no fused image", name))
	}
	depth := srcs[0].Depth
	if depth != 16 {
		depth = 8
	}
	path := filepath.Join(outDir, FusedName(p.Name, name))
	if err := data.WriteImage(path, res.Fused, depth); err != nil {
		return "", errf(p.Name, err)
	}
	if res.Map != nil {
		if err := data.WriteImage(filepath.Join(outDir, MapName(p.Name)), scaleMap(res.Map), 8); err != nil {
			return "", errf(p.Name, err)
		}
	}
	return path, nil
}

// scaleMap maps a decision map in [0,1] to the 0..255 image scale.
func scaleMap(m *data.Image) *data.Image {
	out := m.Clone()
	for _, p := range out.Planes {
		for i, v := range p {
			p[i] = data.RoundSat255(255 * v)
		}
	}
	return out
}
