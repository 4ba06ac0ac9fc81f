package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
	"github.com/mfif/mfif/report"
)

// run executes the CLI in-process with a fresh command tree.
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := newRootCmd(&out, &errb)
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errb.String(), err
}

// tinySet writes n small synthetic pairs and returns their folder.
func tinySet(t *testing.T, n int) string {
	t.Helper()
	data.ProgressOutput = io.Discard
	dir := filepath.Join(t.TempDir(), "pairs")
	if _, err := data.WriteSyntheticSet(dir, n, data.SynthConfig{W: 40, H: 32}, 7); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFuseThenMetrics(t *testing.T) {
	pairs := tinySet(t, 2)
	fused := t.TempDir()
	for _, m := range []string{"average", "sf-map"} {
		if _, _, err := run(t, "--quiet", "fuse", "--method", m, "--pairs", pairs, "--out", fused); err != nil {
			t.Fatalf("fuse %s: %v", m, err)
		}
	}
	for _, f := range []string{"synth_00000_average.png", "synth_00001_sf-map.png", "synth_00001_sf-map_map.png"} {
		if _, err := os.Stat(filepath.Join(fused, f)); err != nil {
			t.Errorf("fuse output: %v", err)
		}
	}
	out := t.TempDir()
	stdout, _, err := run(t, "--quiet", "--workers", "2", "metrics", "--pairs", pairs, "--fused", fused,
		"--metrics", "Q_G,Q_SF", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "| Method | Q_G ↑ | Q_SF →0 |") || !strings.Contains(stdout, "| sf-map |") || !strings.Contains(stdout, "| average |") {
		t.Errorf("table:\n%s", stdout)
	}
	res, err := report.ReadResults(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Methods, []string{"average", "sf-map"}) || len(res.Images) != 2 || res.Provenance.Dataset != pairs {
		t.Errorf("results: methods %v images %v dataset %q", res.Methods, res.Images, res.Provenance.Dataset)
	}
	for _, f := range []string{"table.md", "table.csv", "table.tex", "bars.png", "bars.svg", "box_Q_G.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("report file: %v", err)
		}
	}
}

func TestMetricsMissingFused(t *testing.T) {
	pairs := tinySet(t, 2)
	fused := t.TempDir()
	if _, _, err := run(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", fused); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(fused, "synth_00001_average.png")); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G")
	if err == nil || !strings.Contains(err.Error(), "synth_00001") || !strings.Contains(err.Error(), "average") {
		t.Errorf("missing fused file: err %v", err)
	}
	stdout, _, err := run(t, "--quiet", "metrics", "--pairs", pairs, "--fused", fused, "--metrics", "Q_G", "--skip-missing")
	if err != nil || !strings.Contains(stdout, "| average |") {
		t.Errorf("--skip-missing: %v\n%s", err, stdout)
	}
}

func TestConfigFileAndEnv(t *testing.T) {
	pairs := tinySet(t, 1)
	out := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	body := "quiet: true\nfuse:\n  method: sf-map\n  pairs: " + pairs + "\n  opt:\n    window: 4\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MFIF_FUSE_OUT", out)
	if _, _, err := run(t, "--config", cfg, "fuse"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "synth_00000_sf-map.png")); err != nil {
		t.Errorf("config+env fuse: %v", err)
	}
	// A flag wins over the file: an unknown option named on the command
	// line reaches the method and is rejected by name.
	_, _, err := run(t, "--config", cfg, "fuse", "--opt", "windw=3")
	if err == nil || !strings.Contains(err.Error(), "windw") {
		t.Errorf("--opt override: %v", err)
	}
}

func TestConfigUnknownKey(t *testing.T) {
	cases := map[string]string{
		"wrokers: 2\n":                  `unknown key "wrokers"`,
		"fuse:\n  metod: gff\n":         `unknown key "fuse.metod"`,
		"metrics:\n  skip_missing: 1\n": `unknown key "metrics.skip_missing"`,
		"demo: 3\n":                     `key "demo" must be a section`,
		"fuse: [\n":                     "parse yaml",
	}
	for body, want := range cases {
		cfg := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := run(t, "--config", cfg, "fuse", "--list")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), cfg) {
			t.Errorf("config %q: err %v, want %q naming the file", body, err, want)
		}
	}
}

func TestFuseErrors(t *testing.T) {
	if _, _, err := run(t, "fuse", "--method", "gff"); err == nil || !strings.Contains(err.Error(), "--out, --pairs") {
		t.Errorf("missing flags: %v", err)
	}
	pairs := tinySet(t, 1)
	_, _, err := run(t, "--quiet", "fuse", "--method", "nope", "--pairs", pairs, "--out", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown method: %v", err)
	}
	stdout, _, err := run(t, "fuse", "--list")
	if err != nil || !strings.Contains(stdout, "gff") {
		t.Errorf("--list: %v %q", err, stdout)
	}
}

func TestMethodOptions(t *testing.T) {
	got, err := methodOptions([]string{"r=3", "eps=0.25", "guided=true", "model=ckpt/a b.pt", "name = x=y"})
	if err != nil {
		t.Fatal(err)
	}
	want := eval.Options{"r": 3, "eps": 0.25, "guided": true, "model": "ckpt/a b.pt", "name": "x=y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
	if _, err := methodOptions([]string{"novalue"}); err == nil || !strings.Contains(err.Error(), "novalue") {
		t.Errorf("bad option: %v", err)
	}
}

// tinyDemoConfig writes siamese-demo with a few-second schedule.
func tinyDemoConfig(t *testing.T) string {
	t.Helper()
	b, err := configs.Read("siamese-demo")
	if err != nil {
		t.Fatal(err)
	}
	tree := map[string]any{}
	if err := yaml.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"data.samples": 16, "data.size": 32, "train.epochs": 1, "train.batch_size": 4} {
		if err := configs.Set(tree, k, v); err != nil {
			t.Fatal(err)
		}
	}
	out, err := yaml.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDemo(t *testing.T) {
	out := t.TempDir()
	stdout, _, err := run(t, "--quiet", "demo", "--out", out, "--n", "2", "--size", "48", "--train-config", tinyDemoConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := report.ReadResults(filepath.Join(out, "report", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Methods, "siamese") {
		t.Errorf("demo did not compare the trained model: methods %v", res.Methods)
	}
	if len(res.Methods) < 2 || len(res.Images) != 2 || len(res.Metrics) < 6 {
		t.Errorf("demo results: %v %v %d metrics", res.Methods, res.Images, len(res.Metrics))
	}
	for _, m := range res.Methods {
		if !strings.Contains(stdout, "| "+m+" |") {
			t.Errorf("method %s missing from printed table:\n%s", m, stdout)
		}
	}
}

func TestBench(t *testing.T) {
	stdout, _, err := run(t, "bench", "--size", "32", "--min-time", "1ms", "--metrics", "Q_G", "--methods", "average")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "metric Q_G") || !strings.Contains(stdout, "fuse average") {
		t.Errorf("bench output:\n%s", stdout)
	}
}

// TestBenchNets: bench --nets times a training step and writes every time
// to --json; an unknown case is an error naming the known ones.
func TestBenchNets(t *testing.T) {
	js := filepath.Join(t.TempDir(), "nets.json")
	stdout, _, err := run(t, "--device", "cpu", "bench", "--nets", "siamese-cpu", "--quick", "--reps", "2", "--json", js)
	if err != nil || !strings.Contains(stdout, "siamese-cpu/step/b8/256") || !strings.Contains(stdout, "2x64") {
		t.Fatalf("bench --nets: %v\n%s", err, stdout)
	}
	var got struct {
		Device  string
		Results []struct {
			Name    string
			Seconds []float64
			Params  int64
		}
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil || got.Device != "cpu" || len(got.Results) != 1 ||
		len(got.Results[0].Seconds) != 2 || got.Results[0].Params == 0 {
		t.Errorf("--json: %v %+v", err, got)
	}
	if _, _, err := run(t, "bench", "--nets", "resnet"); err == nil || !strings.Contains(err.Error(), "known: fusiondiff/forward/256") {
		t.Errorf("unknown case: %v", err)
	}
}

func TestVersionAndGlobalEnv(t *testing.T) {
	stdout, _, err := run(t, "--version")
	if err != nil || !strings.Contains(stdout, "mfif version") || !strings.Contains(stdout, "go1.") || !strings.Contains(stdout, "libtorch ") {
		t.Errorf("--version: %v %q", err, stdout)
	}
	pairs := tinySet(t, 1)
	out := t.TempDir()
	_, stderr, err := run(t, "fuse", "--method", "average", "--pairs", pairs, "--out", out)
	if err != nil || !strings.Contains(stderr, "fused 1 pairs") {
		t.Errorf("not quiet: %v %q", err, stderr)
	}
	t.Setenv("MFIF_QUIET", "true")
	_, stderr, err = run(t, "fuse", "--method", "average", "--pairs", pairs, "--out", out)
	if err != nil || stderr != "" {
		t.Errorf("MFIF_QUIET=true: %v, stderr %q", err, stderr)
	}
}

// TestFuseRepeats trains a one-epoch FusionDiff on one synthetic pair and
// fuses it with two x_T seeds: the report has one row per seed.
func TestFuseRepeats(t *testing.T) {
	dir := t.TempDir()
	pairs := filepath.Join(dir, "pairs")
	if _, err := data.WriteSyntheticSet(pairs, 1, data.SynthConfig{W: 32, H: 32}, 5); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "model")
	_, _, err := run(t, "--quiet", "train", "fusiondiff-cpu", "--out", model,
		"--set", "data.dir="+pairs, "--set", "data.pairs=1", "--set", "data.val=0", "--set", "data.size=32",
		"--set", "train.epochs=1", "--set", "train.batch_size=1", "--set", "train.threads=1")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fused")
	stdout, _, err := run(t, "--quiet", "fuse", "--method", "fusiondiff", "--model", filepath.Join(model, "last.ckpt"),
		"--opt", "steps=2", "--opt", "seed=7", "--pairs", pairs, "--out", out, "--repeats", "2")
	if err != nil {
		t.Fatal(err)
	}
	res, err := report.ReadResults(filepath.Join(out, "repeats", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"seed-7", "seed-8"}; !reflect.DeepEqual(res.Images, want) {
		t.Errorf("repeat rows %v, want %v", res.Images, want)
	}
	if st := res.Summary["fusiondiff"]["Q_G"]; st.N != 2 || st.Std < 0 {
		t.Errorf("Q_G over seeds: %+v", st)
	}
	if !strings.Contains(stdout, "±") {
		t.Errorf("printed table has no spread:\n%s", stdout)
	}
	for _, seed := range []string{"seed-7", "seed-8"} {
		if _, err := os.Stat(filepath.Join(out, seed)); err != nil {
			t.Errorf("fused folder of %s: %v", seed, err)
		}
	}
}

func TestQuietMethodOptions(t *testing.T) {
	a := &app{v: viper.New()}
	a.v.Set("quiet", true)
	cases := []struct {
		method string
		opts   eval.Options
		want   any
	}{
		{"ddfm", eval.Options{}, false},
		{"ddfm", eval.Options{"progress": true}, true},
		{"average", eval.Options{}, nil},
	}
	for _, c := range cases {
		a.quietMethod(c.method, c.opts)
		if got := c.opts["progress"]; got != c.want {
			t.Errorf("%s: progress = %v, want %v", c.method, got, c.want)
		}
	}
	a.v.Set("quiet", false)
	o := eval.Options{}
	if a.quietMethod("ddfm", o); len(o) != 0 {
		t.Errorf("not quiet: options changed to %v", o)
	}
}
