package experiment

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/report"
)

func TestReportPartial(t *testing.T) {
	r, cells := tinyRunner(t)
	*trainer = fakeTrainer{}
	if err := r.Run(cells[:1]); err != nil {
		t.Fatal(err)
	}
	sum, err := Report(r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Done != 1 || sum.Pending != 1 {
		t.Errorf("done %d pending %d, want 1 and 1", sum.Done, sum.Pending)
	}
	md, err := os.ReadFile(sum.Markdown)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(r.Dir(), "report")
	for _, f := range []string{"synth/sweep.md", "synth/sweep.csv", "synth/sweep.tex", "synth/sweep_bars.png",
		"synth/line_train.seed_q-g.png", "loss_fm.png", "fig_synth_synth-00001.png", "fig_synth_synth-00001_maps.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("report lacks %s (%v); report.md:\n%s", f, err, md)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(out, "synth", "sweep.csv"))
	if lines := strings.Count(strings.TrimSpace(string(csv)), "\n"); lines != 2 {
		t.Errorf("sweep.csv has %d data rows, want 2 (one finished cell x 2 methods):\n%s", lines, csv)
	}
	if !strings.Contains(string(md), "pending") || !strings.Contains(string(md), "train.seed") {
		t.Errorf("report.md:\n%s", md)
	}
}

// Published results are read from their folder ({dataset} expanded) and
// scored next to the methods run here.
func TestResultsFolder(t *testing.T) {
	root := t.TempDir()
	pairs, err := data.WriteSyntheticSet(filepath.Join(root, "set"), 2, data.SynthConfig{W: 24, H: 16}, 9)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(root, "pub", "mine")
	if err := os.MkdirAll(pub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		src, _, err := data.LoadPair(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := data.WriteImage(filepath.Join(pub, p.Name+"_PUB.png"), src[0], 8); err != nil {
			t.Fatal(err)
		}
	}
	doc := fmt.Sprintf("name: pubtest\ndatasets: {mine: {path: %s}}\nmethods: [{name: average}, {name: PUB, results: %q}]\nmetrics: [Q_G]\n",
		filepath.Join(root, "set"), filepath.Join(root, "pub", "{dataset}"))
	s, err := Parse([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := s.Cells()
	r := &Runner{Spec: s, Root: t.TempDir(), Version: "v"}
	if err := r.Run(cells); err != nil {
		t.Fatal(err)
	}
	res, err := report.ReadResults(filepath.Join(r.Dir(), "base", "metrics", "mine.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Methods) != "[average PUB]" || len(res.PerImage["PUB"]) != 2 {
		t.Errorf("methods %v, PUB images %d", res.Methods, len(res.PerImage["PUB"]))
	}
	if _, err := Report(r.Dir()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir(), "report", "mine", "table.tex")); err != nil {
		t.Error(err)
	}
	// A results folder that is not there is a clear error.
	s.Methods[1].Results = filepath.Join(root, "nothing")
	r2 := &Runner{Spec: s, Root: t.TempDir(), Version: "v"}
	if err := r2.Run(cells); err == nil || !strings.Contains(err.Error(), "results folder") {
		t.Errorf("missing results folder: %v", err)
	}
}

// TestReportZipAxesOneCurve: zip axes advance together, so the report draws
// one curve over the first numeric one (not one single-point series per
// value of the others, nor a plot per zip axis; a text label is skipped),
// and a mean over one seed prints no "± 0".
func TestReportZipAxesOneCurve(t *testing.T) {
	*trainer = fakeTrainer{}
	cfg := filepath.Join(t.TempDir(), "fake.yaml")
	os.WriteFile(cfg, []byte("train: {epochs: 3, seed: 0, lr: 0.1}\n"), 0o644)
	doc := fmt.Sprintf(`
name: zipcurve
datasets:
  synth: {synthetic: {n: 2, w: 24, h: 16, seed: 5}}
methods:
  - name: fm
    method: fakemodel
    train: {kind: fake, config: %s}
metrics: [Q_G]
sweep:
  zip:
    a: {values: [1, 2], targets: {fm: train.lr}}
    b: {values: [10, 20]}
    0label: {values: [x, y]}
  grid:
    seed: {values: [1, 2], targets: {fm: train.seed}}
outputs: {repeat: seed, std: true}
`, cfg)
	r, cells := newRunner(t, doc)
	if err := r.Run(cells[:3]); err != nil { // a=2 gets seed 1 only
		t.Fatal(err)
	}
	sum, err := Report(r.Dir())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(r.Dir(), "report", "synth")
	if _, err := os.Stat(filepath.Join(out, "line_a_q-g.png")); err != nil {
		t.Errorf("no curve over the first zip axis: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "line_b_q-g.png")); err == nil {
		t.Error("a second plot over zip axis b, which only repeats the curve over a")
	}
	md, _ := os.ReadFile(sum.Markdown)
	if !strings.Contains(string(md), "metrics vs a") || strings.Contains(string(md), "metrics vs b") {
		t.Errorf("report.md plots:\n%s", md)
	}
	b, err := os.ReadFile(filepath.Join(out, "sweep_mean.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Method, 0label, a, b, n, Q_G, Q_G_std: a=1 has two seeds, a=2 one.
	if len(rows) != 3 || rows[1][4] != "2" || rows[1][6] == "" || rows[2][4] != "1" || rows[2][6] != "" {
		t.Errorf("sweep_mean.csv:\n%v", rows)
	}
}
