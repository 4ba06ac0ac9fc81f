package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/internal/dirlock"
)

func init() { extraCommands = append(extraCommands, (*app).synthCmd) }

func (a *app) synthCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "synth KIND --out DIR [--n N] [--seed S] [--root DIR --split SPLIT]",
		Short: "Write a synthetic multi-focus set with known masks and references",
		Long: `Write a pair folder with ground truth: source_1/, source_2/, full_clear/ (the
all-in-focus image) and mask/ (255 where source_1 is in focus), which fuse,
metrics and experiments read as a dataset. With true masks, metrics also
scores every method's decision map (MapAcc, BoundaryF).

KIND is one of
  bsds    photos and region maps of a BSDS500 tree (--root, --split; default
          test): per photo a focus region from the segments covering
          --cover-min..--cover-max of it, each source defocused outside its
          side by a Gaussian (sigma --sigma-min..--sigma-max) or a disk
          (radius --radius-min..--radius-max), at native resolution, plus
          manifest.csv with each pair's photo, coverage and blurs;
  scenes  procedural scenes (--size; see mfif demo).
The set depends only on --seed (and the photos).

--out must be new or empty: the set is written into a temporary folder
beside it and moved in only when complete, with .mfif-synth listing its
files. --force replaces an earlier synth's set, deleting exactly the files
of that list; a folder holding anything else is refused even then.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"bsds", "scenes"},
		RunE:      func(cmd *cobra.Command, args []string) error { return a.runSynth(cmd.Context(), args[0]) },
	}
	f := cmd.Flags()
	f.String("out", "", "output folder")
	f.Int("n", 30, "number of pairs")
	f.Int64("seed", 1, "random seed")
	f.String("root", "", "bsds: the BSDS500 folder (images/SPLIT/*.jpg, segments/SPLIT/*.png)")
	f.String("split", "test", "bsds: the split to draw photos from")
	f.Float64("cover-min", 0.25, "bsds: smallest share of the photo in focus in source_1")
	f.Float64("cover-max", 0.75, "bsds: largest share of the photo in focus in source_1")
	f.Float64("sigma-min", 1, "bsds: smallest Gaussian defocus sigma (pixels)")
	f.Float64("sigma-max", 3, "bsds: largest Gaussian defocus sigma (pixels)")
	f.Float64("radius-min", 2, "bsds: smallest disk defocus radius (pixels)")
	f.Float64("radius-max", 6, "bsds: largest disk defocus radius (pixels)")
	f.Int("size", 256, "scenes: image side in pixels (width x height at most --max-pixels)")
	f.Bool("force", false, "replace the set an earlier synth wrote into --out (only the files its manifest lists; anything else in the folder is refused)")
	return cmd
}

func (a *app) runSynth(ctx context.Context, kind string) error {
	out, n, seed := a.v.GetString("synth.out"), a.v.GetInt("synth.n"), a.v.GetInt64("synth.seed")
	if err := required(map[string]string{"--out": out}); err != nil {
		return err
	}
	if n < 1 {
		return fmt.Errorf("synth --n %d: want at least 1 pair", n)
	}
	var write func(dir string) ([]data.Pair, error)
	switch kind {
	case "bsds":
		root := a.v.GetString("synth.root")
		if err := required(map[string]string{"--root": root}); err != nil {
			return err
		}
		cfg := data.BSDSBenchConfig{
			CoverMin: a.v.GetFloat64("synth.cover-min"), CoverMax: a.v.GetFloat64("synth.cover-max"),
			SigmaMin: a.v.GetFloat64("synth.sigma-min"), SigmaMax: a.v.GetFloat64("synth.sigma-max"),
			RadiusMin: a.v.GetFloat64("synth.radius-min"), RadiusMax: a.v.GetFloat64("synth.radius-max"),
		}
		write = func(dir string) ([]data.Pair, error) {
			return data.WriteBSDSBenchmarkContext(ctx, root, a.v.GetString("synth.split"), dir, n, cfg, seed)
		}
	case "scenes":
		size := a.v.GetInt("synth.size")
		if size < 1 {
			return fmt.Errorf("synth --size %d: want at least 1 pixel", size)
		}
		if px := int64(size) * int64(size); px > int64(data.MaxPixels) {
			return fmt.Errorf("synth --size %d: %dx%d is %d pixels, over the limit of %d (raise it with --max-pixels)",
				size, size, size, px, data.MaxPixels)
		}
		if a.v.GetBool("quiet") {
			prev := data.ProgressOutput
			data.ProgressOutput = io.Discard
			defer func() { data.ProgressOutput = prev }()
		}
		write = func(dir string) ([]data.Pair, error) {
			return data.WriteSyntheticSetContext(ctx, dir, n, data.SynthConfig{W: size, H: size}, seed)
		}
	default:
		return fmt.Errorf("synth: unknown kind %q (known: bsds, scenes)", kind)
	}
	unlock, err := lockOut("synth --out", out)
	if err != nil {
		return err
	}
	defer unlock()
	if err := clearSynthOut(out, a.v.GetBool("synth.force")); err != nil {
		return err
	}
	pairs, err := writeSynthSet(out, write)
	if err != nil {
		return err
	}
	a.infof("wrote %d %s pairs with masks to %s", len(pairs), kind, out)
	return nil
}

// synthManifest, in a synth --out folder, lists every file synth wrote
// there (slash-separated paths relative to the folder, one a line), so
// --force can remove exactly those.
const synthManifest = ".mfif-synth"

// clearSynthOut makes sure out (locked, so it exists) holds nothing but the
// lock: an empty folder is used as is; one that holds an earlier synth set
// (its manifest) and nothing else is emptied with force; anything else is
// refused, force or not, so a real dataset or the user's files are never
// deleted or mixed with synthetic pairs.
func clearSynthOut(out string, force bool) error {
	var files, dirs []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
		case d.IsDir():
			dirs = append(dirs, rel)
		case rel != dirlock.Name:
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("synth --out: %w", err)
	}
	if len(files)+len(dirs) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("synth --out %s is not empty (%s): give a new or empty folder, or --force to replace the set an earlier synth wrote there",
			out, listSome(append(dirs, files...)))
	}
	b, err := os.ReadFile(filepath.Join(out, synthManifest))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("synth --out %s holds files no synth wrote (no %s manifest: %s): refusing to delete them, even with --force; give a new or empty folder",
			out, synthManifest, listSome(files))
	}
	if err != nil {
		return fmt.Errorf("synth --force: %w", err)
	}
	owned := map[string]bool{synthManifest: true}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			owned[l] = true
		}
	}
	var foreign []string
	for _, f := range files {
		if !owned[f] {
			foreign = append(foreign, f)
		}
	}
	if len(foreign) > 0 {
		return fmt.Errorf("synth --out %s holds %d file(s) that the earlier synth did not write (%s): refusing to delete or mix them, even with --force; move them away or give a new folder",
			out, len(foreign), listSome(foreign))
	}
	for _, f := range files {
		if f != synthManifest {
			if err := os.Remove(filepath.Join(out, filepath.FromSlash(f))); err != nil {
				return fmt.Errorf("synth --force: %w", err)
			}
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- { // deepest first
		if err := os.Remove(filepath.Join(out, filepath.FromSlash(dirs[i]))); err != nil {
			return fmt.Errorf("synth --force: %w", err)
		}
	}
	return os.Remove(filepath.Join(out, synthManifest)) // last: an interrupted --force can be repeated
}

// writeSynthSet has write generate the set in a temporary folder beside out
// and moves it into out only when it is complete: first the manifest of
// the files, then each top-level entry by a rename. A failing or
// interrupted synth removes the temporary folder and leaves out as it was.
func writeSynthSet(out string, write func(dir string) ([]data.Pair, error)) (pairs []data.Pair, err error) {
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(out)), "."+filepath.Base(filepath.Clean(out))+".synth-tmp-")
	if err != nil {
		return nil, fmt.Errorf("synth --out: %w", err)
	}
	defer os.RemoveAll(tmp)
	pairs, err = write(tmp)
	if err != nil {
		return nil, err
	}
	var files []string
	err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(tmp, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(out, synthManifest), []byte(strings.Join(files, "\n")+"\n")); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(tmp, e.Name()), filepath.Join(out, e.Name())); err != nil {
			return nil, fmt.Errorf("synth: move the set into %s: %w", out, err)
		}
	}
	for i := range pairs {
		p := &pairs[i]
		for j := range p.Sources {
			p.Sources[j] = movedPath(p.Sources[j], tmp, out)
		}
		p.Reference, p.Mask = movedPath(p.Reference, tmp, out), movedPath(p.Mask, tmp, out)
	}
	return pairs, nil
}

// movedPath rewrites a path under from to the same path under to.
func movedPath(p, from, to string) string {
	if rel, err := filepath.Rel(from, p); err == nil && p != "" && !strings.HasPrefix(rel, "..") {
		return filepath.Join(to, rel)
	}
	return p
}

// listSome names up to five entries and how many more there are.
func listSome(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}
