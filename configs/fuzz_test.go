package configs

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fuzzTarget has the field kinds mfif's configs use.
type fuzzTarget struct {
	Name  string `yaml:"name"`
	Train struct {
		LR     float64 `yaml:"lr"`
		Epochs int     `yaml:"epochs"`
		Seed   int64   `yaml:"seed"`
		Sizes  []int   `yaml:"sizes"`
		Flags  []bool  `yaml:"flags"`
	} `yaml:"train"`
	Model map[string]any `yaml:"model"`
	Data  *struct {
		Dir   string `yaml:"dir"`
		Pairs int    `yaml:"pairs"`
	} `yaml:"data"`
}

// FuzzDecode decodes arbitrary YAML with one dotted-key override
// ("train.lr=0.5"; the seeds in testdata/fuzz/FuzzDecode are valid and
// broken configs). Decode must never panic, and what it accepts must
// survive a round trip through YAML.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, doc []byte, override string) {
		var ov map[string]any
		if k, v, ok := strings.Cut(override, "="); ok {
			var val any
			if yaml.Unmarshal([]byte(v), &val) != nil {
				val = v
			}
			ov = map[string]any{k: val}
		}
		var got fuzzTarget
		if err := Decode(doc, ov, &got); err != nil {
			return
		}
		b, err := yaml.Marshal(&got)
		if err != nil {
			t.Fatalf("accepted config does not encode: %v", err)
		}
		var again fuzzTarget
		if err := Decode(b, nil, &again); err != nil {
			t.Fatalf("accepted config does not decode again: %v\n%s", err, b)
		}
	})
}

// TestReadRefusesNonRegular: a folder or a device named as a config is an
// error, not a blocking or endless read.
func TestReadRefusesNonRegular(t *testing.T) {
	dir := t.TempDir() + "/cfg.yaml"
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, "/dev/zero"} {
		if _, err := Read(p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: %v", p, err)
		}
	}
}
