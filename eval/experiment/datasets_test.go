package experiment

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// pathOverrides returns a --set path for every dataset of the experiment
// file that has neither a path nor a synthetic set, after checking that
// loading it without them fails with an error naming each key to set.
func pathOverrides(t *testing.T, file string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Datasets map[string]map[string]any `yaml:"datasets"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	over := map[string]any{}
	for name, d := range doc.Datasets {
		if d["path"] == nil && d["synthetic"] == nil {
			over["datasets."+name+".path"] = "/data/" + name
		}
	}
	if len(over) == 0 {
		return nil
	}
	_, err = Load(file, nil)
	for k := range over {
		if err == nil || !strings.Contains(err.Error(), "--set "+k+"=DIR") {
			t.Errorf("%s without %s: error %v does not say which key to set", file, k, err)
		}
	}
	return over
}

func TestShippedExperimentsNameNoSharedPaths(t *testing.T) {
	files, _ := os.ReadDir("../../experiments")
	for _, f := range files {
		b, err := os.ReadFile("../../experiments/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "../shared") {
			t.Errorf("%s refers to ../shared: name a dataset key instead", f.Name())
		}
	}
}

func TestUnsetDatasetPaths(t *testing.T) {
	doc := `
name: x
datasets:
  zeta: {}
  alpha: {limit: 2}
  gen: {synthetic: {n: 1}}
methods: [{name: average}]
`
	_, err := Parse([]byte(doc), nil)
	want := "datasets alpha, zeta have no folder: pass --set datasets.alpha.path=DIR --set datasets.zeta.path=DIR"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to contain %q", err, want)
	}
	if _, err := Parse([]byte(doc), map[string]any{"datasets.alpha.path": "/a", "datasets.zeta.path": "/z"}); err != nil {
		t.Errorf("with both paths set: %v", err)
	}
}

func TestTrainDatasetReference(t *testing.T) {
	cfg := t.TempDir() + "/fake.yaml"
	if err := os.WriteFile(cfg, []byte("train: {seed: 0}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := `
name: x
datasets:
  test: {path: /data/test}
  triplets: {train: true}
methods:
  - name: fm
    method: fakemodel
    train: {kind: fake, config: ` + cfg + `, set: {data.dir: "{datasets.triplets.path}/train", seed: 3}}
`
	if _, err := Parse([]byte(doc), nil); err == nil || !strings.Contains(err.Error(), "--set datasets.triplets.path=DIR") {
		t.Errorf("unset training set: err %v", err)
	}
	s, err := Parse([]byte(doc), map[string]any{"datasets.triplets.path": "/data/nyud"})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Spec: s, Root: t.TempDir()}
	cells, err := s.Cells()
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.plan(cells[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Methods[0].Train.Set["data.dir"]; got != "/data/nyud/train" {
		t.Errorf("data.dir = %v, want /data/nyud/train", got)
	}
	if _, ok := p.Datasets["triplets"]; ok || len(p.Datasets) != 1 {
		t.Errorf("a training-only set is evaluated: %v", p.Datasets)
	}
	bad := strings.Replace(doc, "{datasets.triplets.path}", "{datasets.nope.path}", 1)
	if _, err := Parse([]byte(bad), map[string]any{"datasets.triplets.path": "/d"}); err == nil || !strings.Contains(err.Error(), `no dataset "nope"`) {
		t.Errorf("unknown reference: err %v", err)
	}
}
