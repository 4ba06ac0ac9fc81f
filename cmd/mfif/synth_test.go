package main

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/report"
)

// bsdsTree writes n 64x48 photos with 8x8-tile region maps as a BSDS500
// test split.
func bsdsTree(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"images/test", "segments/test"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for k := 0; k < n; k++ {
		photo := image.NewRGBA(image.Rect(0, 0, 64, 48))
		seg := image.NewGray(photo.Rect)
		for y := 0; y < 48; y++ {
			for x := 0; x < 64; x++ {
				photo.Set(x, y, color.RGBA{uint8(x*4 + k), uint8((x * y) % 251), uint8(255 * ((x/3 + y/3) % 2)), 255})
				seg.SetGray(x, y, color.Gray{uint8(1 + x/8 + 8*(y/8))})
			}
		}
		for _, f := range []struct {
			path string
			enc  func(*os.File) error
		}{
			{filepath.Join(root, "images/test", fmt.Sprint(100+k)+".jpg"), func(w *os.File) error { return jpeg.Encode(w, photo, nil) }},
			{filepath.Join(root, "segments/test", fmt.Sprint(100+k)+".png"), func(w *os.File) error { return png.Encode(w, seg) }},
		} {
			w, err := os.Create(f.path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.enc(w); err != nil {
				t.Fatal(err)
			}
			w.Close()
		}
	}
	return root
}

// TestSynthFuseMetrics writes a BSDS benchmark with mfif synth, fuses it
// with a map method and a method without maps, and checks that metrics
// scores the decision maps.
func TestSynthFuseMetrics(t *testing.T) {
	set := filepath.Join(t.TempDir(), "bench")
	if _, _, err := run(t, "--quiet", "synth", "bsds", "--root", bsdsTree(t, 3), "--n", "3", "--seed", "2", "--out", set); err != nil {
		t.Fatal(err)
	}
	pairs, err := data.DiscoverPairs(set)
	if err != nil || len(pairs) != 3 || pairs[0].Mask == "" || pairs[0].Reference == "" {
		t.Fatalf("benchmark set: %v %v", pairs, err)
	}
	fused := t.TempDir()
	for _, m := range []string{"average", "sf-map"} {
		if _, _, err := run(t, "--quiet", "fuse", "--method", m, "--pairs", set, "--out", fused); err != nil {
			t.Fatalf("fuse %s: %v", m, err)
		}
	}
	if _, err := os.Stat(filepath.Join(fused, pairs[0].Name+"_sf-map_map.png")); err != nil {
		t.Errorf("decision map: %v", err)
	}
	out := t.TempDir()
	stdout, _, err := run(t, "--quiet", "metrics", "--pairs", set, "--fused", fused, "--metrics", "PSNR,SSIM", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "| Method | PSNR ↑ | SSIM ↑ | MapAcc ↑ | BoundaryF ↑ |") {
		t.Errorf("table:\n%s", stdout)
	}
	res, err := report.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Summary["sf-map"]["MapAcc"]; st.N != 3 || st.Mean <= 0.5 {
		t.Errorf("sf-map MapAcc %+v", st)
	}
	if _, ok := res.Summary["average"]["MapAcc"]; ok {
		t.Error("average has no decision map but got MapAcc")
	}
}

func TestSynthErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"synth", "bsds", "--out", t.TempDir()}, "--root"},
		{[]string{"synth", "bsds", "--root", t.TempDir()}, "--out"},
		{[]string{"synth", "clouds", "--out", t.TempDir()}, "unknown kind"},
		{[]string{"synth", "scenes", "--n", "0", "--out", t.TempDir()}, "--n 0"},
		{[]string{"synth", "bsds", "--root", t.TempDir(), "--out", t.TempDir()}, filepath.Join("images", "test")},
	} {
		if _, _, err := run(t, append([]string{"--quiet"}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
	dir := filepath.Join(t.TempDir(), "scenes")
	if _, _, err := run(t, "--quiet", "synth", "scenes", "--n", "2", "--size", "24", "--out", dir); err != nil {
		t.Fatal(err)
	}
	if pairs, err := data.DiscoverPairs(dir); err != nil || len(pairs) != 2 || pairs[1].Mask == "" {
		t.Errorf("scenes: %v %v", pairs, err)
	}
}

// synthFiles lists the files under dir (slash paths), without the lock.
func synthFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != ".mfif.lock" {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSynthOutRules: a used --out is refused; --force replaces exactly the
// earlier synth's files, so the new set (and the bsds manifest) hold the
// new pairs only; a real dataset or a stranger's file is never deleted; a
// failing synth leaves nothing.
func TestSynthOutRules(t *testing.T) {
	root := bsdsTree(t, 4)
	out := filepath.Join(t.TempDir(), "bench")
	synth := func(extra ...string) error {
		_, _, err := run(t, append([]string{"--quiet", "synth", "bsds", "--root", root, "--out", out}, extra...)...)
		return err
	}
	if err := synth("--n", "4", "--seed", "1"); err != nil {
		t.Fatal(err)
	}
	if err := synth("--n", "2", "--seed", "5"); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second synth into a used --out: %v, want a not-empty error", err)
	}
	if err := synth("--n", "2", "--seed", "5", "--force"); err != nil {
		t.Fatalf("--force: %v", err)
	}
	pairs, err := data.DiscoverPairs(out)
	if err != nil || len(pairs) != 2 {
		t.Fatalf("after --force: %d pairs (%v), want the 2 of the new set", len(pairs), err)
	}
	b, err := os.ReadFile(filepath.Join(out, data.BSDSBenchManifest))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	if len(lines) != len(pairs) {
		t.Errorf("manifest lists %d pairs, the folder holds %d", len(lines), len(pairs))
	}
	var listed, held []string
	for i, l := range lines {
		name, _, _ := strings.Cut(l, ",")
		listed, held = append(listed, name), append(held, pairs[i].Name)
	}
	slices.Sort(listed)
	slices.Sort(held)
	if !slices.Equal(listed, held) {
		t.Errorf("manifest lists %v, the folder holds %v", listed, held)
	}
	// A stranger's file beside the set: refused with --force, and kept.
	own := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(own, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := synthFiles(t, out)
	if err := synth("--n", "1", "--force"); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("--force beside a stranger's file: %v, want a refusal naming it", err)
	}
	if after := synthFiles(t, out); !slices.Equal(before, after) {
		t.Errorf("refused --force changed the folder:\n%v\n%v", before, after)
	}
	// A real dataset (no synth manifest): refused, even with --force.
	real := tinySet(t, 1)
	out = real
	before = synthFiles(t, real)
	for _, extra := range [][]string{nil, {"--force"}} {
		if err := synth(append([]string{"--n", "1"}, extra...)...); err == nil {
			t.Errorf("synth %v into a real dataset: no error", extra)
		}
	}
	if after := synthFiles(t, real); !slices.Equal(before, after) {
		t.Errorf("synth changed a real dataset:\n%v\n%v", before, after)
	}
	// A failing synth (asks for more pairs than the photos allow: no photo
	// reaches coverage 0.99) leaves no folder and no temporary one.
	parent := t.TempDir()
	out = filepath.Join(parent, "fail")
	if err := synth("--n", "3", "--cover-min", "0.98", "--cover-max", "0.99"); err == nil {
		t.Fatal("impossible coverage: no error")
	}
	if left, _ := os.ReadDir(parent); len(left) != 0 {
		t.Errorf("a failed synth left %v", left)
	}
}

func TestSynthSizeLimits(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"synth", "scenes", "--size", "0"}, "--size 0"},
		{[]string{"synth", "scenes", "--size", "-3"}, "--size -3"},
		{[]string{"--max-pixels", "10000", "synth", "scenes", "--size", "101"}, "over the limit of 10000"},
	} {
		out := filepath.Join(t.TempDir(), "s")
		_, _, err := run(t, append(append([]string{"--quiet"}, tc.args...), "--n", "1", "--out", out)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: wrote %s", tc.args, out)
		}
	}
}
