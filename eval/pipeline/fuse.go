package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/internal/dirlock"
)

// FusedName is the MFIFB file name of a fused image: <pair>_<method>.png.
func FusedName(pair, method string) string { return pair + "_" + method + ".png" }

// MapName is the untagged file name of a decision map, <pair>_map.png, as
// the experiment runner writes it into one folder per method; FuseFolder
// writes MethodMapName instead.
func MapName(pair string) string { return pair + "_map.png" }

// FuseFolder fuses every pair with the method registered under name and
// writes FusedName and, when the method produces one, MethodMapName (the
// map scaled from [0,1] to 0..255) into outDir. Each worker builds its own
// method instance with eval.New, so methods need not be safe for concurrent
// use (deep models registered from their own packages work unchanged); the
// first instance, built before any work to check the options, serves the
// first worker, so a model is loaded at most once per worker, and every
// instance is closed (eval.Close) before FuseFolder returns. An outDir that
// is, contains or lies inside a folder of the pairs' images is refused
// (CheckOutDir). While it writes, it holds outDir's lock (dirlock.Acquire),
// so a second writer of the folder fails at once with an error naming this
// one. It returns the fused paths in pair order.
func FuseFolder(pairs []data.Pair, name string, opts eval.Options, outDir string, o Options) (paths []string, err error) {
	return FuseFolderWith(pairs, name, opts, outDir, o, FuseOptions{})
}

// FuseOptions adjusts FuseFolderWith for callers that keep their own
// folder layout (the experiment runner); the zero value is FuseFolder.
type FuseOptions struct {
	// Label names the method in file names, messages and the progress
	// bar; "" means the registered name.
	Label string
	// MapName gives the file name of a pair's decision map; nil means
	// MethodMapName.
	MapName func(pair, method string) string
	// Task is the text of the progress bar; "" means "fuse <label>".
	Task string
	// Timed, when not nil, makes the fusion sequential: one untimed
	// warm-up Fuse of the first pair (caches, lazy initialisation), then
	// each pair in order, with Timed called with the seconds spent in
	// Fuse once that pair's files are written. An error from Timed stops
	// the run.
	Timed func(pair string, seconds float64) error
}

// FuseFolderWith is FuseFolder with the options of f. Each pair's map is
// written before its fused image, so a fused image on disk means the pair
// is complete.
func FuseFolderWith(pairs []data.Pair, name string, opts eval.Options, outDir string, o Options, f FuseOptions) (paths []string, err error) {
	label := f.Label
	if label == "" {
		label = name
	}
	if f.MapName == nil {
		f.MapName = MethodMapName
	}
	if f.Task == "" {
		f.Task = "fuse " + label
	}
	if err := CheckOutDir(outDir, ImageDirs(pairs)...); err != nil {
		return nil, fmt.Errorf("fuse %s: %w", label, err)
	}
	if err := CheckNames(pairs, label); err != nil {
		return nil, fmt.Errorf("fuse %s: %w", label, err)
	}
	first, err := eval.New(name, opts) // fail on bad options before any work
	if err != nil {
		return nil, err
	}
	if f.Timed != nil {
		o.Workers = 1
	}
	if err := CheckMemory(pairs, name, first, o.workers(len(pairs))); err != nil {
		_ = eval.Close(first)
		return nil, fmt.Errorf("fuse %s: %w", label, err)
	}
	methods := make([]eval.Method, o.workers(len(pairs)))
	methods[0] = first
	defer func() {
		for _, m := range methods {
			if cerr := eval.Close(m); cerr != nil && err == nil {
				paths, err = nil, fmt.Errorf("fuse %s: close method: %w", label, cerr)
			}
		}
	}()
	unlock, err := dirlock.Acquire(outDir) // one writer per folder
	if err != nil {
		return nil, fmt.Errorf("fuse %s: %w", label, err)
	}
	defer unlock()
	out := make([]string, len(pairs))
	todo, err := resumable(pairs, label, opts, outDir, o.Resume, out)
	if err != nil {
		return nil, fmt.Errorf("fuse %s: %w", label, err)
	}
	if f.Timed != nil && len(todo) > 0 {
		p := pairs[todo[0]]
		srcs, _, err := data.LoadPair(p)
		if err != nil {
			return nil, errf(p.Name, err)
		}
		if _, err := first.Fuse(srcs); err != nil { // warm-up, not timed
			return nil, errf(p.Name, fmt.Errorf("fuse with %s: %w", label, err))
		}
	}
	err = parallel(len(todo), o, f.Task, func(w, k int) error {
		i := todo[k]
		if methods[w] == nil {
			m, err := eval.New(name, opts)
			if err != nil {
				return err
			}
			methods[w] = m
		}
		path, sec, err := fuseOne(methods[w], pairs[i], label, outDir, f.MapName)
		out[i] = path
		if err == nil && f.Timed != nil {
			err = f.Timed(pairs[i].Name, sec)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// optionsFile records, in a fuse output folder, the options a method was
// run with, so that --resume never mixes images fused with other options.
func optionsFile(outDir, method string) string {
	return filepath.Join(outDir, ".mfif-fuse-"+method+".opts")
}

// canonicalOptions is opts as sorted key=value lines.
func canonicalOptions(opts eval.Options) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		if k != "progress" { // display only
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%v\n", k, opts[k])
	}
	return b.String()
}

// resumable records the options in outDir and returns the indices of the
// pairs to fuse: all of them, or with resume those whose fused image is
// missing, unreadable or not of the pair's size (their paths go into
// done). Resuming a folder fused with other options, or with no record of
// them, is an error.
func resumable(pairs []data.Pair, name string, opts eval.Options, outDir string, resume bool, done []string) ([]int, error) {
	rec := optionsFile(outDir, name)
	want := canonicalOptions(opts)
	var todo []int
	if resume {
		b, err := os.ReadFile(rec)
		if err != nil {
			return nil, fmt.Errorf("--resume: %s has no record of the options %s was run with (%w): fuse again without --resume", outDir, name, err)
		}
		if string(b) != want {
			return nil, fmt.Errorf("--resume: %s was fused with other options of %s (%q, now %q): fuse again without --resume, or into another folder",
				outDir, name, strings.TrimSpace(string(b)), strings.TrimSpace(want))
		}
	}
	for i, p := range pairs {
		path := filepath.Join(outDir, FusedName(p.Name, name))
		if resume && completeImage(path, p.Sources[0]) {
			done[i] = path
			continue
		}
		todo = append(todo, i)
	}
	if err := atomicfile.WriteFile(rec, []byte(want)); err != nil {
		return nil, err
	}
	return todo, nil
}

// completeImage reports whether the image at path decodes completely and
// has the size of the image at like.
func completeImage(path, like string) bool {
	m, err := data.ReadImage(path)
	if err != nil {
		return false
	}
	w, h, err := data.ReadHeader(like)
	return err == nil && w == m.W && h == m.H
}

// ErrOutDir reports an output folder that would mix results with inputs.
var ErrOutDir = errors.New("output folder overlaps the input images")

// ImageDirs returns the folders holding the pairs' source, reference and mask
// images, each once, in first-seen order.
func ImageDirs(pairs []data.Pair) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pairs {
		for _, f := range append(append([]string(nil), p.Sources...), p.Reference, p.Mask) {
			if f == "" {
				continue
			}
			if d := filepath.Dir(f); !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// CheckOutDir refuses an output folder that is one of the input folders,
// lies inside one or contains one: fused images written there would be
// taken for sources (or sources for fused results) by the next discovery.
// Paths are compared after making them absolute and resolving symbolic
// links of the parts that exist.
func CheckOutDir(out string, inputs ...string) error {
	o, err := canonicalPath(out)
	if err != nil {
		return fmt.Errorf("output folder %s: %w", out, err)
	}
	for _, in := range inputs {
		i, err := canonicalPath(in)
		if err != nil {
			return fmt.Errorf("input folder %s: %w", in, err)
		}
		switch {
		case o == i:
			return fmt.Errorf("%w: %s is the input folder %s; write the results to a folder of their own", ErrOutDir, out, in)
		case within(o, i):
			return fmt.Errorf("%w: %s is inside the input folder %s; write the results outside it", ErrOutDir, out, in)
		case within(i, o):
			return fmt.Errorf("%w: %s contains the input folder %s; write the results to a folder of their own", ErrOutDir, out, in)
		}
	}
	return nil
}

// within reports whether path lies strictly inside dir (both canonical).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// canonicalPath makes p absolute and resolves symbolic links in its
// longest existing prefix (the rest may not exist yet).
func canonicalPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest), nil
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// fuseOne fuses one pair, writes its map (when the method gives one) and
// then its fused image, and returns the fused path and the seconds spent in
// Fuse.
func fuseOne(m eval.Method, p data.Pair, name, outDir string, mapName func(pair, method string) string) (string, float64, error) {
	srcs, _, err := data.LoadPair(p)
	if err != nil {
		return "", 0, errf(p.Name, err)
	}
	t0 := time.Now()
	res, err := m.Fuse(srcs)
	sec := time.Since(t0).Seconds()
	if err != nil {
		return "", 0, errf(p.Name, fmt.Errorf("fuse with %s: %w", name, err))
	}
	if res == nil || res.Fused == nil {
		return "", 0, errf(p.Name, fmt.Errorf("method %s returned no fused image", name))
	}
	depth := srcs[0].Depth
	if depth != 16 {
		depth = 8
	}
	// The map first, the fused image last: a fused image on disk means the
	// pair is complete (what --resume relies on).
	if res.Map != nil {
		if err := data.WriteImage(filepath.Join(outDir, mapName(p.Name, name)), scaleMap(res.Map), 8); err != nil {
			return "", 0, errf(p.Name, err)
		}
	}
	path := filepath.Join(outDir, FusedName(p.Name, name))
	if err := data.WriteImage(path, res.Fused, depth); err != nil {
		return "", 0, errf(p.Name, err)
	}
	return path, sec, nil
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
