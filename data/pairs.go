package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Pair is one multi-focus sample on disk: two or more source images of the
// same scene and an optional all-in-focus reference.
type Pair struct {
	// Name identifies the scene (file stem without the source suffix).
	Name string
	// Sources are the source image paths in source order (A, B, ... or
	// source_1, source_2, ...).
	Sources []string
	// Reference is the all-in-focus image path, or "" if there is none.
	Reference string
	// Mask is the true decision mask (mask/ folder beside source_1/,
	// 1 = source 1 in focus; see ReadMask), or "" if there is none.
	Mask string
}

// ErrNoPairs reports a folder without any recognisable pair.
var ErrNoPairs = errors.New("no image pairs found")

// ErrUnmatched reports a source file without its partner(s).
var ErrUnmatched = errors.New("unmatched file")

// imageExt lists the extensions DiscoverPairs considers; other files
// (notes, thumbnails) are ignored.
var imageExt = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".bmp": true, ".tif": true, ".tiff": true}

// refDirs are the reference folder names accepted beside source_k.
var refDirs = []string{"full_clear", "ground_truth", "gt"}

// DiscoverPairs finds the pairs in dir. These layouts are recognised:
//
//   - parallel folders source_1/, source_2/ [, source_3/ ...] and optionally
//     full_clear/ (or ground_truth/, gt/) and mask/ (the true decision
//     mask, Pair.Mask): files are matched by stem, where a
//     trailing _A/-A in source_1 (_B/-B in source_2, ...) is ignored, so both
//     nyud_001.jpg and mffw_01_A.jpg/mffw_01_B.jpg layouts work; the
//     infrared-visible layout ir/ + vi/ is read the same way (ir first);
//   - one flat folder of NAME_A.ext, NAME_B.ext [, NAME_C.ext ...] (or
//     NAME-A/NAME-B) files; other files (e.g. fused results NAME_CNN.ext)
//     are ignored.
//
// Pairs are sorted by name in natural order (numbers compare by value).
// A source without all its partners, a missing or extra reference, two
// files claiming the same slot, and a folder without pairs are errors that
// name the file.
func DiscoverPairs(dir string) ([]Pair, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("discover pairs: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("discover pairs: %s is not a folder", dir)
	}
	var pairs []Pair
	if srcDirs := sourceFolders(dir); srcDirs != nil {
		pairs, err = discoverFolders(dir, srcDirs)
	} else {
		pairs, err = discoverFlat(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("discover pairs in %s: %w", dir, err)
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("discover pairs in %s: %w", dir, ErrNoPairs)
	}
	sort.Slice(pairs, func(i, j int) bool { return naturalLess(pairs[i].Name, pairs[j].Name) })
	return pairs, nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// listImages returns the image files of dir (by extension), sorted.
func listImages(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !imageExt[strings.ToLower(filepath.Ext(n))] {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

func stem(name string) string { return strings.TrimSuffix(name, filepath.Ext(name)) }

// sourceLetter is the suffix letter of source k (0-based): A, B, C, ...
func sourceLetter(k int) byte { return byte('A' + k) }

// splitSuffix splits "name_A" or "name-b" into ("name", 'A'); ok is false
// when the stem has no single-letter suffix.
func splitSuffix(s string) (string, byte, bool) {
	n := len(s)
	if n < 3 || (s[n-2] != '_' && s[n-2] != '-') {
		return "", 0, false
	}
	c := s[n-1]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	if c < 'A' || c > 'Z' {
		return "", 0, false
	}
	return s[:n-2], c, true
}

// sourceFolders returns the parallel source folders of dir in source order:
// source_1/, source_2/, ... or, for infrared-visible sets laid out as the
// DDFM and MSRS releases are, ir/ then vi/. It returns nil for a flat folder.
func sourceFolders(dir string) []string {
	if isDir(filepath.Join(dir, "source_1")) {
		var srcDirs []string
		for k := 1; ; k++ {
			d := filepath.Join(dir, fmt.Sprintf("source_%d", k))
			if !isDir(d) {
				return srcDirs
			}
			srcDirs = append(srcDirs, d)
		}
	}
	ir, vi := filepath.Join(dir, "ir"), filepath.Join(dir, "vi")
	if isDir(ir) && isDir(vi) {
		return []string{ir, vi}
	}
	return nil
}

func discoverFolders(dir string, srcDirs []string) ([]Pair, error) {
	if len(srcDirs) < 2 {
		return nil, fmt.Errorf("%w: source_1/ without source_2/", ErrUnmatched)
	}
	byName := map[string]*Pair{}
	var order []string
	for k, d := range srcDirs {
		files, err := listImages(d)
		if err != nil {
			return nil, err
		}
		seen := map[string]string{}
		for _, f := range files {
			key := stem(f)
			if base, c, ok := splitSuffix(key); ok && c == sourceLetter(k) {
				key = base
			}
			path := filepath.Join(d, f)
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("%s and %s both give pair %q", prev, path, key)
			}
			seen[key] = path
			p := byName[key]
			if p == nil {
				if k > 0 {
					return nil, fmt.Errorf("%w: %s has no partner in %s", ErrUnmatched, path, srcDirs[0])
				}
				p = &Pair{Name: key, Sources: make([]string, len(srcDirs))}
				byName[key] = p
				order = append(order, key)
			}
			p.Sources[k] = path
		}
	}
	for _, key := range order {
		p := byName[key]
		for k, s := range p.Sources {
			if s == "" {
				return nil, fmt.Errorf("%w: %s has no partner in %s", ErrUnmatched, p.Sources[0], srcDirs[k])
			}
		}
	}
	if err := attachRefs(dir, byName, order); err != nil {
		return nil, err
	}
	if err := attachMasks(dir, byName, order); err != nil {
		return nil, err
	}
	pairs := make([]Pair, 0, len(order))
	for _, key := range order {
		pairs = append(pairs, *byName[key])
	}
	return pairs, nil
}

// attachRefs fills Reference from the first reference folder present;
// every pair then needs exactly one reference and every reference a pair.
func attachRefs(dir string, byName map[string]*Pair, order []string) error {
	for _, rd := range refDirs {
		if d := filepath.Join(dir, rd); isDir(d) {
			return attachFiles(d, "reference", byName, order, func(p *Pair) *string { return &p.Reference })
		}
	}
	return nil
}

// attachFiles gives every pair the image of folder d named like the pair
// (the field that field returns: a reference or a mask). Each pair needs
// exactly one such image and each image a pair; what names the file in
// errors.
func attachFiles(d, what string, byName map[string]*Pair, order []string, field func(*Pair) *string) error {
	files, err := listImages(d)
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(d, f)
		p := byName[stem(f)]
		if p == nil {
			return fmt.Errorf("%w: %s %s has no source images", ErrUnmatched, what, path)
		}
		dst := field(p)
		if *dst != "" {
			return fmt.Errorf("%s and %s both give the %s of pair %q", *dst, path, what, p.Name)
		}
		*dst = path
	}
	for _, key := range order {
		if p := byName[key]; *field(p) == "" {
			return fmt.Errorf("%w: %s has no %s in %s", ErrUnmatched, p.Sources[0], what, d)
		}
	}
	return nil
}

func discoverFlat(dir string) ([]Pair, error) {
	files, err := listImages(dir)
	if err != nil {
		return nil, err
	}
	type group struct {
		byLetter map[byte]string
		max      byte
	}
	groups := map[string]*group{}
	for _, f := range files {
		base, c, ok := splitSuffix(stem(f))
		if !ok {
			continue
		}
		g := groups[base]
		if g == nil {
			g = &group{byLetter: map[byte]string{}}
			groups[base] = g
		}
		path := filepath.Join(dir, f)
		if prev, dup := g.byLetter[c]; dup {
			return nil, fmt.Errorf("%s and %s are both source %c of %q", prev, path, c, base)
		}
		g.byLetter[c] = path
		g.max = max(g.max, c)
	}
	bases := make([]string, 0, len(groups))
	for b := range groups {
		bases = append(bases, b)
	}
	sort.Strings(bases) // deterministic choice of the reported error
	var pairs []Pair
	for _, base := range bases {
		g := groups[base]
		if g.byLetter['A'] == "" && g.byLetter['B'] == "" {
			continue // e.g. NAME_X.png: not a source naming
		}
		n := int(g.max-'A') + 1
		if n < 2 {
			return nil, fmt.Errorf("%w: %s has no matching %s_B (or -B) file", ErrUnmatched, g.byLetter['A'], base)
		}
		p := Pair{Name: base, Sources: make([]string, n)}
		for k := 0; k < n; k++ {
			s, ok := g.byLetter[sourceLetter(k)]
			if !ok {
				var any string
				for _, v := range g.byLetter {
					if any == "" || v < any {
						any = v
					}
				}
				return nil, fmt.Errorf("%w: %s has no matching source %c", ErrUnmatched, any, sourceLetter(k))
			}
			p.Sources[k] = s
		}
		pairs = append(pairs, p)
	}
	return pairs, nil
}

// naturalLess orders strings with digit runs compared by numeric value, so
// "img2" sorts before "img10"; ties fall back to plain comparison.
func naturalLess(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			continue
		}
		if ca != cb {
			return ca < cb
		}
		i++
		j++
	}
	if len(a)-i != len(b)-j {
		return len(a)-i < len(b)-j
	}
	return a < b
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// LoadPair reads a pair's sources and reference (nil when the pair has
// none) and checks that all have the same size; errors name the offending
// file. Plane counts may differ: a gray infrared image beside a colour
// visible one is the usual infrared-visible pair. Metrics work on gray
// anyway; the classical fusion methods replicate gray sources across the
// colour planes (eval.MatchPlanes).
func LoadPair(p Pair) (sources []*Image, ref *Image, err error) {
	if len(p.Sources) == 0 {
		return nil, nil, fmt.Errorf("load pair %q: no sources", p.Name)
	}
	for _, path := range p.Sources {
		m, err := ReadImage(path)
		if err != nil {
			return nil, nil, fmt.Errorf("load pair %q: %w", p.Name, err)
		}
		if len(sources) > 0 {
			if err := SameSize(sources[0], m); err != nil {
				return nil, nil, fmt.Errorf("load pair %q: %s vs %s: %w", p.Name, path, p.Sources[0], err)
			}
		}
		sources = append(sources, m)
	}
	if p.Reference != "" {
		ref, err = ReadImage(p.Reference)
		if err != nil {
			return nil, nil, fmt.Errorf("load pair %q: %w", p.Name, err)
		}
		if err := SameSize(sources[0], ref); err != nil {
			return nil, nil, fmt.Errorf("load pair %q: reference %s vs %s: %w", p.Name, p.Reference, p.Sources[0], err)
		}
	}
	return sources, ref, nil
}

// FindFused locates the fused result of pair pairName by method in dir,
// accepting the MFIFB convention <pair>_<method>.ext in dir and one folder
// per method, <method>/<pair>.ext (or <method>/<pair>_<method>.ext). The
// method name matches case-insensitively. No match, or more than one, is an
// error.
func FindFused(dir, pairName, method string) (string, error) {
	if pairName == "" || method == "" {
		return "", fmt.Errorf("find fused in %s: empty pair or method name", dir)
	}
	var found []string
	collect := func(d string, stems ...string) {
		files, err := listImages(d)
		if err != nil {
			return
		}
		for _, f := range files {
			s := stem(f)
			for _, want := range stems {
				if strings.EqualFold(s, want) {
					found = append(found, filepath.Join(d, f))
					break
				}
			}
		}
	}
	if !isDir(dir) {
		return "", fmt.Errorf("find fused %s/%s: %s is not a folder", pairName, method, dir)
	}
	collect(dir, pairName+"_"+method)
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if e.IsDir() && strings.EqualFold(e.Name(), method) {
				collect(filepath.Join(dir, e.Name()), pairName, pairName+"_"+method)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("find fused in %s: no %s_%s.* or %s/%s.* image", dir, pairName, method, method, pairName)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("find fused in %s: %d candidates for %s by %s: %s", dir, len(found), pairName, method, strings.Join(found, ", "))
}
