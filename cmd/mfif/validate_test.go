package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval/pipeline"
	"github.com/mfif/mfif/report"
)

// runV is run with --max-pixels registered even before root.go calls
// addGlobalFlags itself.
func runV(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := newRootCmd(&out, &errb)
	if cmd.PersistentFlags().Lookup("max-pixels") == nil {
		addGlobalFlags(cmd.PersistentFlags())
	}
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errb.String(), err
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mfif.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInvalidSettings: wrong types and ranges from flags, MFIF_* variables
// and the config file are errors that name the setting, the value and its
// origin, before any work is done.
func TestInvalidSettings(t *testing.T) {
	pairs := tinySet(t, 1)
	tests := []struct {
		name   string
		config string // config file body, "" for none
		env    [2]string
		args   []string
		want   []string
	}{
		{"workers: abc in the config", "workers: abc\n", [2]string{}, nil, []string{`workers = "abc"`, "the config file", "not a whole number"}},
		{"MFIF_WORKERS=abc", "", [2]string{"MFIF_WORKERS", "abc"}, nil, []string{`workers = "abc" (from MFIF_WORKERS)`}},
		{"--workers -1", "", [2]string{}, []string{"--workers", "-1"}, []string{"workers = -1 (from --workers)", "at least 0"}},
		{"workers: 2.5", "workers: 2.5\n", [2]string{}, nil, []string{"workers = 2.5", "not a whole number"}},
		{"quiet: maybe", "quiet: maybe\n", [2]string{}, nil, []string{`quiet = "maybe"`, "not true or false"}},
		{"--repeats 0", "", [2]string{}, []string{"--repeats", "0"}, []string{"repeats = 0 (from --repeats)", "at least 1"}},
		{"repeats: two", "fuse:\n  repeats: two\n", [2]string{}, nil, []string{`repeats = "two"`, "the config file"}},
		{"MFIF_FUSE_REPEATS=-3", "", [2]string{"MFIF_FUSE_REPEATS", "-3"}, nil, []string{"MFIF_FUSE_REPEATS", "at least 1"}},
		{"MFIF_MAX_PIXELS=0", "", [2]string{"MFIF_MAX_PIXELS", "0"}, nil, []string{"max-pixels = \"0\" (from MFIF_MAX_PIXELS)", "at least 1"}},
		{"--threads 100000", "", [2]string{}, []string{"--threads", "100000"}, []string{"threads = 100000 (from --threads)", "at most"}},
		{"MFIF_THREADS=100000", "", [2]string{"MFIF_THREADS", "100000"}, nil, []string{"MFIF_THREADS", "at most"}},
		{"model: a list", "fuse:\n  model: [a.ckpt, b.ckpt]\n", [2]string{}, nil, []string{"model = [a.ckpt b.ckpt]", "not a single value"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			var args []string
			if tc.config != "" {
				args = append(args, "--config", writeConfig(t, tc.config))
			}
			if tc.env[0] != "" {
				t.Setenv(tc.env[0], tc.env[1])
			}
			args = append(args, "fuse", "--method", "average", "--pairs", pairs, "--out", out)
			args = append(args, tc.args...)
			_, _, err := runV(t, args...)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("output folder created before the settings were checked: %v", err)
			}
		})
	}
	// The same values given correctly are accepted.
	t.Setenv("MFIF_WORKERS", "1")
	cfg := writeConfig(t, "quiet: true\nfuse:\n  repeats: 1\n")
	if _, _, err := runV(t, "--config", cfg, "fuse", "--method", "average", "--pairs", pairs, "--out", t.TempDir()); err != nil {
		t.Errorf("valid settings: %v", err)
	}
}

// TestValidateGlobalsDirect calls validateGlobals on settings as configure
// leaves them.
func TestValidateGlobalsDirect(t *testing.T) {
	tests := []struct {
		key  string
		val  any
		want string
	}{
		{"workers", "abc", "not a whole number"},
		{"workers", -2, "at least 0"},
		{"quiet", 1, "not true or false"},
		{"max-pixels", 0, "at least 1"},
		{"workers", 3, ""},
		{"max-pixels", "1234", ""},
	}
	for _, tc := range tests {
		a := &app{v: viper.New()}
		a.v.Set(tc.key, tc.val)
		err := a.validateGlobals()
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s=%v: %v", tc.key, tc.val, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%v: error %v, want %q", tc.key, tc.val, err, tc.want)
		}
	}
	if data.MaxPixels != 1234 {
		t.Errorf("max-pixels not applied: data.MaxPixels = %d", data.MaxPixels)
	}
	a := &app{v: viper.New()}
	if err := a.validateGlobals(); err != nil || data.MaxPixels != data.DefaultMaxPixels {
		t.Errorf("unset max-pixels: %v, data.MaxPixels = %d", err, data.MaxPixels)
	}
}

// TestMaxPixelsFlag: --max-pixels lowers (and raises) the decoder's limit.
func TestMaxPixelsFlag(t *testing.T) {
	pairs := tinySet(t, 1) // 40 x 32 = 1280 pixels
	_, _, err := runV(t, "--quiet", "--max-pixels", "1000", "fuse", "--method", "average", "--pairs", pairs, "--out", t.TempDir())
	if !errors.Is(err, data.ErrTooLarge) || !strings.Contains(err.Error(), "40x32") || !strings.Contains(err.Error(), pairs) {
		t.Errorf("--max-pixels 1000: %v", err)
	}
	if _, _, err := runV(t, "--quiet", "--max-pixels", "1280", "fuse", "--method", "average", "--pairs", pairs, "--out", t.TempDir()); err != nil {
		t.Errorf("--max-pixels 1280: %v", err)
	}
	if _, _, err := runV(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", t.TempDir()); err != nil || data.MaxPixels != data.DefaultMaxPixels {
		t.Errorf("default limit after a run with --max-pixels: %v, %d", err, data.MaxPixels)
	}
}

// TestFuseOutOverlapsPairs: --out equal to, inside or containing --pairs
// is refused before anything is written.
func TestFuseOutOverlapsPairs(t *testing.T) {
	pairs := tinySet(t, 1)
	for _, out := range []string{pairs, filepath.Join(pairs, "fused"), filepath.Join(pairs, "source_1"), filepath.Dir(pairs)} {
		before := countFiles(t, filepath.Dir(pairs))
		_, _, err := run(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", out)
		if !errors.Is(err, pipeline.ErrOutDir) || !strings.Contains(err.Error(), out) {
			t.Errorf("--out %s: %v", out, err)
		}
		if after := countFiles(t, filepath.Dir(pairs)); after != before {
			t.Errorf("--out %s: %d files before, %d after", out, before, after)
		}
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMetricsNeverRanksSources: --fused naming the pair folder is an error
// (it holds no fused results), and copies of the source folders beside
// fused results never become rows source_1, source_2 or full_clear.
func TestMetricsNeverRanksSources(t *testing.T) {
	pairs := tinySet(t, 2)
	fused := t.TempDir()
	if _, _, err := run(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", fused); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", pairs, "--metrics", "Q_G")
	if err == nil || !strings.Contains(err.Error(), "holds only the source") {
		t.Errorf("--fused = --pairs: %v", err)
	}
	// A results folder that also holds copies of the source folders.
	for _, sub := range []string{"source_1", "source_2", "full_clear"} {
		if err := os.CopyFS(filepath.Join(fused, sub), os.DirFS(filepath.Join(pairs, sub))); err != nil {
			t.Fatal(err)
		}
	}
	stdout, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"| source_1 |", "| source_2 |", "| full_clear |", "| A |", "| B |"} {
		if strings.Contains(stdout, src) {
			t.Errorf("source row %s in\n%s", src, stdout)
		}
	}
	if !strings.Contains(stdout, "| average |") {
		t.Errorf("no average row:\n%s", stdout)
	}
}

// TestMetricsSkipMissingCLI: skipped pairs are named on stderr; means are
// over the common pairs unless --rank-all, which shows n per method.
func TestMetricsSkipMissingCLI(t *testing.T) {
	pairs := tinySet(t, 3)
	fused := t.TempDir()
	for _, m := range []string{"average", "sf-map"} {
		if _, _, err := run(t, "--quiet", "fuse", "--method", m, "--pairs", pairs, "--out", fused); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(fused, "synth_00001_average.png")); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	stdout, stderr, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G", "--skip-missing", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"skipped for method average", "synth_00001", "over the 2 of 3 pairs every method has"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q (even with --quiet):\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout, "| n |") {
		t.Errorf("equal counts need no n column:\n%s", stdout)
	}
	res, err := report.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Images) != 2 || res.Summary["sf-map"]["Q_G"].N != 2 || res.Summary["average"]["Q_G"].N != 2 {
		t.Errorf("results over %v: %+v", res.Images, res.Summary)
	}
	stdout, _, err = run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G", "--skip-missing", "--rank-all")
	if err != nil || !strings.Contains(stdout, "| Method | n | Q_G ↑ |") || !strings.Contains(stdout, "| average | 2 |") || !strings.Contains(stdout, "| sf-map | 3 |") {
		t.Errorf("--rank-all: %v\n%s", err, stdout)
	}
	if _, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--rank-all"); err == nil || !strings.Contains(err.Error(), "--skip-missing") {
		t.Errorf("--rank-all alone: %v", err)
	}
}

// TestMetricsOutReplacesOldReport: plots of an earlier run into the same
// --out are removed; the user's files stay.
func TestMetricsOutReplacesOldReport(t *testing.T) {
	pairs := tinySet(t, 2)
	fused := t.TempDir()
	if _, _, err := run(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", fused); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G,Q_SF", "--out", out); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(out, "box_Q_SF.png")
	if _, err := os.Stat(stale); err != nil {
		t.Fatal(err)
	}
	note := filepath.Join(out, "notes.md")
	if err := os.WriteFile(note, []byte("my notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G", "--out", out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("plot of the earlier run kept: %v", err)
	}
	if _, err := os.Stat(note); err != nil {
		t.Errorf("user file removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "box_Q_G.png")); err != nil {
		t.Errorf("new plot: %v", err)
	}
}

// TestMixedGrayColourCLI: a gray infrared image with a colour visible one
// fuses (into colour) and evaluates with every command.
func TestMixedGrayColourCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "irvis")
	sc, err := data.Synthesize(data.SynthConfig{W: 40, H: 32}, 11)
	if err != nil {
		t.Fatal(err)
	}
	ir, err := sc.Sources[0].Gray()
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*data.Image{"ir/s1.png": ir, "vi/s1.png": sc.Sources[1]} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := data.WriteImage(p, m, 8); err != nil {
			t.Fatal(err)
		}
	}
	fused := t.TempDir()
	for _, m := range []string{"average", "gff", "laplacian"} {
		if _, _, err := run(t, "--quiet", "fuse", "--method", m, "--pairs", dir, "--out", fused); err != nil {
			t.Fatalf("fuse %s: %v", m, err)
		}
		img, err := data.ReadImage(filepath.Join(fused, "s1_"+m+".png"))
		if err != nil || img.C() != 3 {
			t.Errorf("%s: fused image %v, want colour", m, err)
		}
	}
	stdout, _, err := run(t, "--quiet", "metrics", "--pairs", dir, "--fused", fused, "--metrics", "Q_G,Q_NMI")
	if err != nil || !strings.Contains(stdout, "| gff |") {
		t.Errorf("metrics on a mixed pair: %v\n%s", err, stdout)
	}
}

// TestLongPairNameCLI fuses and evaluates a pair with a 240-character name
// through the command line.
func TestLongPairNameCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "long")
	name := strings.Repeat("p", 240)
	sc, err := data.Synthesize(data.SynthConfig{W: 40, H: 32}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, l := range []string{"A", "B"} {
		if err := data.WriteImage(filepath.Join(dir, name+"_"+l+".png"), sc.Sources[k], 8); err != nil {
			t.Fatal(err)
		}
	}
	fused := t.TempDir()
	if _, _, err := run(t, "--quiet", "fuse", "--method", "sf-map", "--pairs", dir, "--out", fused); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := run(t, "--quiet", "metrics", "--pairs", dir, "--fused", fused, "--metrics", "Q_G", "--out", t.TempDir())
	if err != nil || !strings.Contains(stdout, "| sf-map |") {
		t.Errorf("metrics: %v\n%s", err, stdout)
	}
}
