package pipeline

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

// MethodMapName is the file name FuseFolder gives a method's decision map:
// <pair>_<method>_map.png, so the maps of several methods can share one
// output folder as their fused images do.
func MethodMapName(pair, method string) string { return pair + "_" + method + "_map.png" }

// MapMetricInfos describes the decision-map scores that Evaluate adds when
// the pairs have true masks (data.Pair.Mask): metrics.MapAccuracy and the F
// of metrics.BoundaryF at metrics.DefaultBoundaryTolerance.
func MapMetricInfos() []report.MetricInfo {
	return []report.MetricInfo{
		{Name: metrics.MapAccuracyName, Better: report.Higher,
			Description: "share of pixels where the binarised decision map agrees with the true mask"},
		{Name: metrics.BoundaryFName, Better: report.Higher,
			Description: fmt.Sprintf("F-score of the decision map's focus boundary against the true one, %d px tolerance", metrics.DefaultBoundaryTolerance),
			Citation:    "boundary benchmark of Martin, Fowlkes and Malik, IEEE TPAMI 26(5), 2004; tolerance matching as the DAVIS boundary measure, Perazzi et al., CVPR 2016"},
	}
}

// hasMasks reports whether any pair has a true decision mask.
func hasMasks(pairs []data.Pair) bool {
	for _, p := range pairs {
		if p.Mask != "" {
			return true
		}
	}
	return false
}

// pairMask reads the pair's true mask, or returns nil when it has none.
func pairMask(p data.Pair) (*data.Image, error) {
	if p.Mask == "" {
		return nil, nil
	}
	return data.ReadMask(p.Mask)
}

// mapExts are the extensions tried for decision maps, in order.
var mapExts = []string{".png", ".tif", ".tiff", ".bmp", ".jpg", ".jpeg"}

// findMap locates the decision map of source s for a pair: in s.Dir
// <pair>_<method>_map.<ext> (MethodMapName), then <pair>_map.<ext>
// (MapName, as the experiment runner writes into one folder per method)
// unless another source shares s.Dir, then the same two names in a
// <method>/ subfolder. It returns "" when there is none.
func findMap(s Source, pair string, sources []Source) string {
	shared := false
	for _, o := range sources {
		if o.Method != s.Method && filepath.Clean(o.Dir) == filepath.Clean(s.Dir) {
			shared = true
		}
	}
	try := func(dir string, bare bool) string {
		stems := []string{pair + "_" + s.Method + "_map"}
		if bare {
			stems = append(stems, pair+"_map")
		}
		for _, st := range stems {
			for _, ext := range mapExts {
				p := filepath.Join(dir, st+ext)
				if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
					return p
				}
			}
		}
		return ""
	}
	if p := try(s.Dir, !shared); p != "" {
		return p
	}
	return try(filepath.Join(s.Dir, s.Method), true)
}

// readMap reads a decision map file as one plane in [0, 1] (gray value /
// 255; colour maps go through rgb2gray).
func readMap(path string) (*data.Image, error) {
	m, err := data.ReadImage(path)
	if err != nil {
		return nil, err
	}
	g, err := m.Gray()
	if err != nil {
		return nil, fmt.Errorf("decision map %s: %w", path, err)
	}
	out := data.NewImage(g.W, g.H, 1)
	for i, v := range g.Planes[0] {
		out.Planes[0][i] = v / 255
	}
	return out, nil
}

// addMapScores adds the decision-map scores of source s on a pair to
// scores when mask is not nil and s has a decision map for the pair;
// methods without a map get no entry.
func addMapScores(scores map[string]float64, s Source, pair string, mask *data.Image, sources []Source) error {
	if mask == nil {
		return nil
	}
	path := findMap(s, pair, sources)
	if path == "" {
		return nil
	}
	m, err := readMap(path)
	if err != nil {
		return err
	}
	acc, err := metrics.MapAccuracy(m, mask)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	bf, err := metrics.BoundaryF(m, mask, metrics.DefaultBoundaryTolerance)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	scores[metrics.MapAccuracyName] = acc
	scores[metrics.BoundaryFName] = bf.F
	return nil
}
