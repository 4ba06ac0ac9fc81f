package main

import (
	"os"
	"testing"

	"github.com/mfif/mfif/internal/browsertest"
	"github.com/mfif/mfif/internal/testshared"
	"github.com/mfif/mfif/report"
)

// TestMFFWReportInBrowser writes the report of the 7 published methods on
// MFFW (two fast metrics) and checks its page in headless Chromium: every
// image of the 13 pairs loads, sorting works, the crop is shared. It skips
// without the shared data or a Chromium.
func TestMFFWReportInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	pairs := testshared.Dir(t, "data", "mffw")
	fused := testshared.Dir(t, "data", "mffw-published")
	out := t.TempDir()
	if _, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G,Q_SF", "--out", out); err != nil {
		t.Fatal(err)
	}
	r, err := report.ReadResults(out + "/results.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Methods) != 7 || len(r.Images) != 13 || r.Stats == nil || len(r.Stats.Correlations) != 1 {
		t.Fatalf("results: %d methods, %d images, stats %+v", len(r.Methods), len(r.Images), r.Stats)
	}
	shots := os.Getenv("MFIF_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	res := browsertest.Check(t, out, shots)
	// Per pair: 2 sources, 7 results, 7 difference and 7 decision maps,
	// and the flick panel.
	if res.Pairs != 13 || res.Panels != 2+3*7+1 {
		t.Errorf("checked %+v", res)
	}
	t.Logf("%d images loaded, %d panels share crop %.2f", res.Images, res.Panels, res.Crop)
}
