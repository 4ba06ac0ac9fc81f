package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ManifestFile is the list of files WriteReport wrote into a report
// folder, one base name per line, so the next WriteReport into the same
// folder removes them (and nothing else) first.
const ManifestFile = ".mfif-report-files"

// fixedOutputs are the names WriteAll writes whatever the metrics are;
// box plots (box_<metric>.<ext>) depend on the metrics.
var fixedOutputs = []string{
	"results.json", "results_per_image.csv", "table.md", "table.csv", "table.tex",
	"bars.png", "bars.svg", "bars.pdf", HTMLFile,
}

// boxExts are the formats box plots may have been written in.
var boxExts = []string{"png", "svg", "pdf", "eps"}

// WriteReport is WriteAll into a folder that may hold an earlier report:
// it first removes the files an earlier WriteReport recorded in
// ManifestFile, and the names WriteAll writes (for folders from before
// manifests: results.json, the tables, the bar plots and the box plots of
// the metrics listed in the old results.json), so no plot of an earlier run
// sits beside the new results. Other files are never touched, and neither
// are folders or links. It returns the paths written, and records them in
// ManifestFile even when WriteAll fails half-way.
func WriteReport(dir, caption string, r *Results, opts ...Option) ([]string, error) {
	if err := RemoveReport(dir); err != nil {
		return nil, err
	}
	paths, err := WriteAll(dir, caption, r, opts...)
	if merr := writeManifest(dir, paths); merr != nil && err == nil {
		err = merr
	}
	return paths, err
}

// RemoveReport removes from dir what an earlier report wrote there (see
// WriteReport), and the gallery folder an earlier report marked as its
// own. A missing dir is not an error.
func RemoveReport(dir string) error {
	if err := removeGallery(dir); err != nil {
		return err
	}
	names, err := earlierOutputs(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		p := filepath.Join(dir, n)
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("report %s: %w", dir, err)
		}
		if !st.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("report %s: remove earlier output: %w", dir, err)
		}
	}
	return nil
}

// earlierOutputs lists the base names an earlier report may have written
// in dir: the manifest's entries, the fixed names and the box plots of the
// metrics in the old results.json.
func earlierOutputs(dir string) ([]string, error) {
	set := map[string]bool{}
	for _, n := range fixedOutputs {
		set[n] = true
	}
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("report %s: %w", dir, err)
	default:
		for _, line := range strings.Split(string(b), "\n") {
			if n := strings.TrimSpace(line); safeBase(n) {
				set[n] = true
			}
		}
	}
	if old, err := ReadResults(filepath.Join(dir, "results.json")); err == nil {
		for _, m := range old.Metrics {
			for _, ext := range boxExts {
				set["box_"+fileSafe(m.Name)+"."+ext] = true
			}
		}
	}
	delete(set, ManifestFile)
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// safeBase accepts a plain file name: no separators, not "." or "..".
func safeBase(n string) bool {
	return n != "" && n != "." && n != ".." && !strings.ContainsAny(n, `/\`) && n == filepath.Base(n)
}

// writeManifest records the base names of paths (those inside dir).
func writeManifest(dir string, paths []string) error {
	var b strings.Builder
	for _, p := range paths {
		if filepath.Dir(p) == filepath.Clean(dir) && safeBase(filepath.Base(p)) {
			b.WriteString(filepath.Base(p) + "\n")
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	return writeBytes(filepath.Join(dir, ManifestFile), []byte(b.String()))
}
