package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mfif/mfif/metrics"
	"github.com/mfif/mfif/report"
)

// TestMetricsSuite: --suite adds a toolkit's metrics under <suite>.<name>
// keys, in the toolkit's order after the named metrics, to the table and
// results.json; an unknown suite is an error naming the known ones.
func TestMetricsSuite(t *testing.T) {
	pairs := tinySet(t, 2)
	fused := t.TempDir()
	if _, _, err := run(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", fused); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	stdout, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused,
		"--metrics", "Q_G", "--suite", "zhengliu", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "| Method | Q_G ↑ | zhengliu.Q_MI ↑ |") || !strings.Contains(stdout, "zhengliu.Q_CV ↓") {
		t.Errorf("table:\n%s", stdout)
	}
	res, err := report.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := metrics.LookupSuite("zhengliu")
	want := append([]string{"Q_G"}, s.Keys()...)
	var got []string
	for _, m := range res.Metrics {
		got = append(got, m.Name)
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) { // map scores may follow
		t.Errorf("results.json metrics %v, want %v", got, want)
	}
	_, _, err = run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--suite", "zhengliu,nosuch")
	if err == nil || !strings.Contains(err.Error(), `unknown metric suite "nosuch"`) || !strings.Contains(err.Error(), "zhengliu") {
		t.Errorf("unknown suite: %v", err)
	}
}

// TestMetricsListSuites: --metrics list shows mfif's own metrics and then
// each suite with its keys.
func TestMetricsListSuites(t *testing.T) {
	stdout, _, err := run(t, "metrics", "--metrics", "list")
	if err != nil {
		t.Fatal(err)
	}
	own, suite := strings.Index(stdout, "\nQ_NMI "), strings.Index(stdout, "suite zhengliu (--suite zhengliu)")
	if own < 0 || suite < own || !strings.Contains(stdout[suite:], "zhengliu.Q_NCIE") {
		t.Errorf("--metrics list:\n%s", stdout)
	}
}

// TestBenchSuite: bench --suite times the whole suite and each metric, and
// no methods unless asked; the default bench keeps to mfif's own metrics.
func TestBenchSuite(t *testing.T) {
	stdout, _, err := run(t, "bench", "--size", "48", "--min-time", "1ms", "--suite", "zhengliu")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "suite zhengliu (") || !strings.Contains(stdout, "zhengliu.Q_CB") || strings.Contains(stdout, "fuse ") {
		t.Errorf("bench --suite output:\n%s", stdout)
	}
	if strings.Contains(stdout, "error") {
		t.Errorf("a suite metric failed on the bench scene:\n%s", stdout)
	}
	tk := func(s string) string {
		return filepath.Join("..", "..", "metrics", "testdata", "suites", "toolkits", "t4_"+s+".png")
	}
	stdout, _, err = run(t, "bench", "--min-time", "1ms", "--suite", "yuliu", "--images", tk("A")+","+tk("B")+","+tk("F")+","+tk("R"))
	if err != nil || !strings.Contains(stdout, "96x96, 1 planes") || !strings.Contains(stdout, "yuliu.GMSD") || strings.Contains(stdout, "error") {
		t.Errorf("bench --images: %v\n%s", err, stdout)
	}
	if _, _, err := run(t, "bench", "--suite", "nosuch"); err == nil || !strings.Contains(err.Error(), "zhengliu") {
		t.Errorf("bench --suite nosuch: %v", err)
	}
	stdout, _, err = run(t, "bench", "--size", "32", "--min-time", "1ms", "--methods", "average")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdout, "zhengliu.") || !strings.Contains(stdout, "metric Q_G") {
		t.Errorf("default bench should time mfif's own metrics only:\n%s", stdout)
	}
}

// TestMetricsSuiteWithoutGroundTruth: on pairs without a ground truth the
// suite metrics that need one are left out with a note, the rest computed.
func TestMetricsSuiteWithoutGroundTruth(t *testing.T) {
	pairs, fused := toolkitPairs(t, "t4")
	out := t.TempDir()
	_, stderr, err := run(t, "metrics", "--pairs", pairs, "--fused", fused, "--suite", "yuliu", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "left out: yuliu.PSNR, yuliu.SSIM, yuliu.GMSD") {
		t.Errorf("stderr:\n%s", stderr)
	}
	res, err := report.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Metrics); n != 18 || res.Metrics[n-1].Name != "yuliu.QVIFF" {
		t.Errorf("metrics %v", res.Metrics)
	}
}

// toolkitPairs copies the toolkit test triples named into a pair folder
// (no ground truth) and a fused folder (method X).
func toolkitPairs(t *testing.T, triples ...string) (pairs, fused string) {
	t.Helper()
	dir := t.TempDir()
	pairs, fused = filepath.Join(dir, "pairs"), filepath.Join(dir, "fused")
	for _, d := range []string{pairs, fused} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tk := filepath.Join("..", "..", "metrics", "testdata", "suites", "toolkits")
	cp := func(src, dst string) {
		b, err := os.ReadFile(filepath.Join(tk, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tr := range triples {
		cp(tr+"_A.png", filepath.Join(pairs, tr+"_A.png"))
		cp(tr+"_B.png", filepath.Join(pairs, tr+"_B.png"))
		cp(tr+"_F.png", filepath.Join(fused, tr+"_X.png"))
	}
	return pairs, fused
}

// TestMetricsSuiteUndefinedOnOneImage: a suite metric the toolkit leaves
// NaN on one image (zhengliu.Q_C on the flat triple t6) is left out of that
// image with a note; the run succeeds and the mean is over the others.
func TestMetricsSuiteUndefinedOnOneImage(t *testing.T) {
	pairs, fused := toolkitPairs(t, "t4", "t6")
	out := t.TempDir()
	_, stderr, err := run(t, "metrics", "--pairs", pairs, "--fused", fused, "--suite", "zhengliu", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "pair t6, method X: undefined here") || !strings.Contains(stderr, "zhengliu.Q_C") {
		t.Errorf("stderr:\n%s", stderr)
	}
	res, err := report.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, on6 := res.PerImage["X"]["t6"]["zhengliu.Q_C"]
	v4, on4 := res.PerImage["X"]["t4"]["zhengliu.Q_C"]
	if on6 || !on4 || res.Summary["X"]["zhengliu.Q_C"].Mean != v4 {
		t.Errorf("Q_C per image t4 %v (%v), t6 present %v, summary %+v", v4, on4, on6, res.Summary["X"]["zhengliu.Q_C"])
	}
}
