package pipeline

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

// imageExts are the file extensions recognised as fused images.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".bmp": true, ".tif": true, ".tiff": true, ".gif": true}

// Source is one method's fused images: the folder they are in.
type Source struct {
	Method string
	Dir    string
}

// DiscoverMethods lists the methods whose fused images are in dir, from
// file names <pair>_<method>.<ext> for the given pairs (MFIFB layout; one
// folder may hold several methods), and from subfolders <method>/ holding
// <pair>.<ext> or <pair>_<method>.<ext> (one folder per method). Decision
// maps (<pair>_map.*, *_map.*) are ignored. A folder whose own files are
// named <pair>.<ext> holds one method named after the folder.
//
// The pairs' own images are never taken for fused results: when dir is the
// pair folder (or a copy of it), NAME_A.png is source A, not method "A",
// and source_1/, ir/ or full_clear/ are not methods. A folder holding
// nothing but source images is an error that says so.
func DiscoverMethods(dir string, pairs []data.Pair) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fused folder: %w", err)
	}
	names := make([]string, len(pairs))
	for i, p := range pairs {
		names[i] = p.Name
	}
	sort.Slice(names, func(a, b int) bool { return len(names[a]) > len(names[b]) }) // longest prefix wins
	own := pairImages(pairs)
	found := map[string]bool{}
	sources := 0
	for _, e := range entries {
		if e.IsDir() {
			sub, err := os.ReadDir(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			holds, srcs := holdsMethod(sub, names, e.Name(), own)
			if holds {
				found[e.Name()] = true
			}
			sources += srcs
			continue
		}
		if own.flat[e.Name()] {
			sources++
			continue
		}
		if bare, method := matchFused(e.Name(), names); bare {
			found[filepath.Base(filepath.Clean(dir))] = true
		} else if method != "" {
			found[method] = true
		}
	}
	if len(found) == 0 && sources > 0 {
		return nil, fmt.Errorf("fused folder %s holds only the source or reference images of the pairs (%d files), no fused results: give the folder that mfif fuse --out wrote", dir, sources)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("fused folder %s: no <pair>_<method>.<ext> image (nor <method>/<pair>.<ext>) for any of the %d pairs", dir, len(pairs))
	}
	return report.SortedKeys(found), nil
}

// ownImages identifies the pairs' source and reference files by name, so
// they are recognised in the pair folder itself and in copies of it.
type ownImages struct {
	// flat holds file names that carry a source suffix (NAME_A.png).
	flat map[string]bool
	// nested holds "folder/file" of images in parallel folders
	// (source_1/NAME.png, ir/NAME.png, full_clear/NAME.png, mask/NAME.png).
	nested map[string]bool
}

func pairImages(pairs []data.Pair) ownImages {
	own := ownImages{flat: map[string]bool{}, nested: map[string]bool{}}
	for _, p := range pairs {
		for _, f := range append(append([]string(nil), p.Sources...), p.Reference, p.Mask) {
			if f == "" {
				continue
			}
			base := filepath.Base(f)
			if stem := strings.TrimSuffix(base, filepath.Ext(base)); stem != p.Name {
				own.flat[base] = true
			}
			own.nested[filepath.Base(filepath.Dir(f))+"/"+base] = true
		}
	}
	return own
}

// matchFused parses an image file name against the pair names (longest
// first): bare is true for <pair>.<ext>, method is set for
// <pair>_<method>.<ext> unless it names a decision map.
func matchFused(file string, pairs []string) (bare bool, method string) {
	ext := filepath.Ext(file)
	if !imageExts[strings.ToLower(ext)] {
		return false, ""
	}
	base := strings.TrimSuffix(file, ext)
	for _, pair := range pairs {
		if base == pair {
			return true, ""
		}
		if m, ok := strings.CutPrefix(base, pair+"_"); ok {
			if m == "map" || strings.HasSuffix(m, "_map") {
				return false, ""
			}
			return false, m
		}
	}
	return false, ""
}

// holdsMethod reports whether a subfolder named method holds fused images
// of that method for at least one pair, and how many of its files are the
// pairs' own images (which do not count).
func holdsMethod(entries []os.DirEntry, pairs []string, method string, own ownImages) (holds bool, sources int) {
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if own.nested[method+"/"+e.Name()] || own.flat[e.Name()] {
			sources++
			continue
		}
		if bare, m := matchFused(e.Name(), pairs); bare || strings.EqualFold(m, method) {
			holds = true
		}
	}
	return holds, sources
}

// DiscoverSources runs DiscoverMethods on every folder. A method found in
// two folders is an error, since its scores would be ambiguous. If only is
// not empty, methods not listed are dropped and listed methods that are not
// found are an error.
func DiscoverSources(dirs []string, pairs []data.Pair, only []string) ([]Source, error) {
	var out []Source
	where := map[string]string{}
	for _, dir := range dirs {
		methods, err := DiscoverMethods(dir, pairs)
		if err != nil {
			return nil, err
		}
		for _, m := range methods {
			if len(only) > 0 && !contains(only, m) {
				continue
			}
			if prev, dup := where[m]; dup {
				return nil, fmt.Errorf("method %s has fused images in both %s and %s", m, prev, dir)
			}
			where[m] = dir
			out = append(out, Source{Method: m, Dir: dir})
		}
	}
	for _, m := range only {
		if _, ok := where[m]; !ok {
			return nil, fmt.Errorf("method %s: no fused images in %s", m, strings.Join(dirs, ", "))
		}
	}
	return out, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// EvalOptions selects what Evaluate computes.
type EvalOptions struct {
	// Metrics are registry names; empty means metrics.Primary().
	Metrics []string
	// SkipMissing leaves out a (pair, method) whose fused image is absent
	// instead of failing. The skipped pairs of each method are listed on
	// Log and recorded in the provenance ("skipped"); unless RankAll is set
	// the results are then restricted to the pairs every method has, so
	// every mean and every best/second mark compares the same images.
	SkipMissing bool
	// RankAll keeps, with SkipMissing, each method's scores on all the
	// pairs it has: means (and ranks) are then over different pair sets,
	// and report tables show each method's n.
	RankAll bool
	// Log, when not nil, receives what SkipMissing left out.
	Log io.Writer
	// Dataset and Config are recorded in the provenance.
	Dataset string
	Config  map[string]any
}

// MetricInfos describes registry metrics for report.Results.
func MetricInfos(names []string) ([]report.MetricInfo, error) {
	var out []report.MetricInfo
	for _, n := range names {
		m, err := metrics.Lookup(n)
		if err != nil {
			return nil, err
		}
		out = append(out, report.MetricInfo{Name: m.Name, Description: m.Description, Citation: m.Citation,
			Better: Direction(m.Better)})
	}
	return out, nil
}

// Direction converts a metric's Better to the report's ranking direction.
func Direction(b metrics.Better) report.Direction {
	switch b {
	case metrics.HigherIsBetter:
		return report.Higher
	case metrics.LowerIsBetter:
		return report.Lower
	case metrics.CloserToZero:
		return report.CloserToZero
	}
	return report.NoRank
}

// Evaluate scores the fused images of every source on every pair, in
// parallel over pairs (each pair's sources are loaded once for all
// methods). A missing fused image is an error naming the pair, method and
// folder unless opt.SkipMissing is set. When the pairs have true masks
// (data.Pair.Mask), the decision map of every method that left one
// (MethodMapName, or MapName in a folder of its own; see findMap) is
// scored too, in the columns of MapMetricInfos; methods without a map have
// no entry there.
func Evaluate(pairs []data.Pair, sources []Source, opt EvalOptions, o Options) (*report.Results, error) {
	names := opt.Metrics
	if len(names) == 0 {
		names = metrics.Primary()
	}
	infos, err := MetricInfos(names)
	if err != nil {
		return nil, err
	}
	if hasMasks(pairs) {
		infos = append(infos, MapMetricInfos()...)
	}
	res := report.NewResults(report.NewProvenance(opt.Dataset, opt.Config), infos)
	for _, s := range sources { // fix method order before the parallel part
		res.Methods = append(res.Methods, s.Method)
		res.PerImage[s.Method] = map[string]map[string]float64{}
	}
	for _, p := range pairs {
		res.Images = append(res.Images, p.Name)
	}
	var mu sync.Mutex
	err = parallel(len(pairs), o, "evaluate", func(_, i int) error {
		scores, err := evaluatePair(pairs[i], sources, names, opt.SkipMissing, opt.Log)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for method, s := range scores {
			res.PerImage[method][pairs[i].Name] = s
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := applySkips(res, sources, opt); err != nil {
		return nil, err
	}
	if err := res.Summarize(); err != nil {
		return nil, err
	}
	return res, nil
}

// applySkips reports the pairs SkipMissing left out for each method on
// opt.Log, records them in the provenance and, unless opt.RankAll is set,
// restricts res to the pairs every method has.
func applySkips(res *report.Results, sources []Source, opt EvalOptions) error {
	skipped := map[string][]string{}
	var common, dropped []string
	for _, img := range res.Images {
		all := true
		for _, s := range sources {
			if _, ok := res.PerImage[s.Method][img]; !ok {
				skipped[s.Method] = append(skipped[s.Method], img)
				all = false
			}
		}
		if all {
			common = append(common, img)
		} else {
			dropped = append(dropped, img)
		}
	}
	if len(skipped) == 0 {
		return nil
	}
	for _, s := range sources {
		if ps := skipped[s.Method]; len(ps) > 0 {
			logf(opt.Log, "skipped for method %s: %d of %d pairs have no fused image in %s: %s",
				s.Method, len(ps), len(res.Images), s.Dir, strings.Join(ps, ", "))
		}
	}
	cfg := maps.Clone(res.Provenance.Config)
	if cfg == nil {
		cfg = map[string]any{}
	}
	cfg["skipped"] = skipped
	res.Provenance.Config = cfg
	if opt.RankAll {
		logf(opt.Log, "each method is averaged and ranked over its own pairs (n per method in the table)")
		return nil
	}
	if len(common) == 0 {
		return fmt.Errorf("no pair has fused images of every method, so no mean compares the same images: evaluate the methods separately, or average each over its own pairs (--rank-all)")
	}
	logf(opt.Log, "means and ranks are over the %d of %d pairs every method has (--rank-all averages each method over its own pairs); left out: %s",
		len(common), len(res.Images), strings.Join(dropped, ", "))
	for _, s := range sources {
		for _, img := range dropped {
			delete(res.PerImage[s.Method], img)
		}
	}
	res.Images = common
	return nil
}

// logf writes one line to w when w is not nil.
func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// evaluatePair scores every method's fused image of pair p. A suite metric
// that is undefined on an image (the toolkit's NaN, ErrDegenerate) is left
// out for that image with a note on log, so the means are over the images
// where the toolkit gives a number; any other failure is an error.
func evaluatePair(p data.Pair, sources []Source, names []string, skipMissing bool, log io.Writer) (map[string]map[string]float64, error) {
	srcs, ref, err := data.LoadPair(p)
	if err != nil {
		return nil, errf(p.Name, err)
	}
	mask, err := pairMask(p)
	if err != nil {
		return nil, errf(p.Name, err)
	}
	out := map[string]map[string]float64{}
	for _, s := range sources {
		path, err := findFused(s, p.Name)
		if err != nil {
			if skipMissing {
				continue
			}
			return nil, errf(p.Name, err)
		}
		fused, err := data.ReadImage(path)
		if err != nil {
			return nil, errf(p.Name, err)
		}
		scores, err := metrics.Evaluate(names, metrics.Inputs{Sources: srcs, Fused: fused, Reference: ref})
		if err != nil && scores != nil && metrics.OnlyDegenerate(err) && onlySuiteKeysMissing(names, scores) {
			logf(log, "pair %s, method %s: undefined here (NaN in the toolkit), left out of the means: %v", p.Name, s.Method, strings.ReplaceAll(err.Error(), "\n", "; "))
			err = nil
		}
		if err != nil {
			return nil, errf(p.Name, fmt.Errorf("%s: %w", path, err))
		}
		if err := addMapScores(scores, s, p.Name, mask, sources); err != nil {
			return nil, errf(p.Name, err)
		}
		out[s.Method] = scores
	}
	return out, nil
}

// onlySuiteKeysMissing reports whether every metric of names that scores
// lacks is a suite metric.
func onlySuiteKeysMissing(names []string, scores map[string]float64) bool {
	for _, n := range names {
		if _, ok := scores[n]; !ok && !metrics.IsSuiteKey(n) {
			return false
		}
	}
	return true
}

// findFused locates <pair>_<method>.<ext>, or <pair>.<ext> in a folder
// named after the method.
func findFused(s Source, pair string) (string, error) {
	path, err := data.FindFused(s.Dir, pair, s.Method)
	if err == nil {
		return path, nil
	}
	if filepath.Base(filepath.Clean(s.Dir)) == s.Method {
		for ext := range imageExts {
			p := filepath.Join(s.Dir, pair+ext)
			if _, serr := os.Stat(p); serr == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("no fused image of method %s in %s (want %s_%s.<ext>): %w", s.Method, s.Dir, pair, s.Method, err)
}
