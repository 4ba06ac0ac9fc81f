package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/internal/browsertest"
)

// galleryResults writes a small gallery on disk: n pairs of two synthetic
// sources with a reference, three methods (one with its own decision map,
// one missing on the last pair, one stored as TIFF-free PNG), and scores.
func galleryResults(t *testing.T, n int) (*Results, *Gallery) {
	t.Helper()
	dir := t.TempDir()
	r := NewResults(Provenance{Tool: "mfif", Dataset: dir}, []MetricInfo{{Name: "vifb.Psnr", Better: Higher}, {Name: "Q_SF", Better: CloserToZero}})
	g := &Gallery{}
	for i := 0; i < n; i++ {
		sc, err := data.Synthesize(data.SynthConfig{W: 48, H: 40}, int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("p%02d", i)
		gp := GalleryPair{Name: name, Fused: map[string]string{}, Maps: map[string]string{}}
		write := func(base string, m *data.Image) string {
			p := filepath.Join(dir, base+".png")
			if err := data.WriteImage(p, m, 8); err != nil {
				t.Fatal(err)
			}
			return p
		}
		gp.Sources = []string{write(name+"_A", sc.Sources[0]), write(name+"_B", sc.Sources[1])}
		gp.Reference = write(name+"_ref", sc.Truth)
		for k, method := range []string{"pick-a", "truth", "mean"} {
			if method == "mean" && i == n-1 {
				continue
			}
			f := sc.Sources[0]
			if method == "truth" {
				f = sc.Truth
			}
			gp.Fused[method] = write(name+"_"+method, f)
			r.Add(method, name, map[string]float64{"vifb.Psnr": 20 + 3*float64(k) + 0.1*float64(i), "Q_SF": -0.1 + 0.04*float64(k) + 0.001*float64(i)})
		}
		mask := data.NewImage(48, 40, 1)
		for p := range mask.Planes[0] {
			mask.Planes[0][p] = 255
		}
		gp.Maps["pick-a"] = write(name+"_pick-a_map", mask)
		g.Pairs = append(g.Pairs, gp)
	}
	return r, g
}

func TestWriteAllGallery(t *testing.T) {
	r, g := galleryResults(t, 3)
	dir := t.TempDir()
	paths, err := WriteReport(dir, "gallery test", r, WithGallery(g))
	if err != nil {
		t.Fatal(err)
	}
	if last := paths[len(paths)-1]; filepath.Base(last) != HTMLFile {
		t.Errorf("last path %s, want the page", last)
	}
	page, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="results.json"`, `href="table.csv"`, `href="results_per_image.csv"`, `src="bars.png"`,
		`"kind":"map","method":"pick-a","label":"pick-a decision map"`, `decision map (estimated)`, "vifb.Psnr", "<style>", "<script>"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"http://", "https://", `src="/`} {
		if strings.Contains(string(page), bad) {
			t.Errorf("page refers outside its folder: %s", bad)
		}
	}
	// pair 0: 2 sources, reference, 3 methods x (fused, diff, map) = 12
	// files; pair 2 lacks "mean".
	for i, want := range []int{12, 12, 9} {
		sub := filepath.Join(dir, GalleryDir, fmt.Sprintf("%03d_p%02d", i, i))
		entries, err := os.ReadDir(sub)
		if err != nil || len(entries) != want {
			t.Errorf("%s: %d files (%v), want %d", sub, len(entries), err, want)
		}
	}
	// A second report into the folder removes the old gallery.
	r2, _ := galleryResults(t, 1)
	if _, err := WriteReport(dir, "again", r2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, GalleryDir)); !os.IsNotExist(err) {
		t.Errorf("old gallery left behind: %v", err)
	}
}

func TestEstimateDecisionMap(t *testing.T) {
	a, b := data.NewImage(3, 1, 1), data.NewImage(3, 1, 1)
	copy(a.Planes[0], []float64{200, 100, 50})
	copy(b.Planes[0], []float64{100, 100, 150})
	f := data.NewImage(3, 1, 1)
	copy(f.Planes[0], []float64{200, 100, 150}) // a, undecided, b
	m, err := EstimateDecisionMap(f, a, b)
	if err != nil {
		t.Fatal(err)
	}
	w := 100 / (100 + estimateSoftness)
	want := []float64{127.5 + 127.5*w, 127.5, 127.5 - 127.5*w}
	for i, v := range m.Planes[0] {
		if v != want[i] {
			t.Errorf("pixel %d: %v, want %v", i, v, want[i])
		}
	}
	if _, err := EstimateDecisionMap(f, a, data.NewImage(2, 1, 1)); err == nil {
		t.Error("size mismatch accepted")
	}
}

// TestHTMLInBrowser opens the page of a report with a gallery in headless
// Chromium (skipped without one). Set MFIF_SCREENSHOTS to keep the
// screenshots.
func TestHTMLInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	r, g := galleryResults(t, 3)
	dir := t.TempDir()
	if _, err := WriteAll(dir, "browser test", r, WithGallery(g)); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("MFIF_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	res := browsertest.Check(t, dir, shots)
	// 3 plot images + box plots, then per pair: 3 sources/reference, 3
	// methods x 3 panels (2 on the last pair) and the flick panel.
	if res.Pairs != 3 || res.Panels < 12 || len(res.Screenshots) != 2 {
		t.Errorf("checked %+v", res)
	}
	t.Logf("%d images loaded, %d panels share crop %.2f", res.Images, res.Panels, res.Crop)
}
