package train

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type testConfig struct {
	Name  string `yaml:"name"`
	Steps int    `yaml:"steps"`
}

func (c *testConfig) Validate() error {
	if c.Steps < 1 {
		return errors.New("steps must be >= 1")
	}
	return nil
}

func TestLoadAndParseConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("name: x\nsteps: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig[testConfig](path, map[string]any{"steps": 5})
	if err != nil || c.Name != "x" || c.Steps != 5 {
		t.Fatalf("LoadConfig = %+v, %v", c, err)
	}
	if _, err := LoadConfig[testConfig](path, map[string]any{"steps": 0}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("invalid override: err = %v, want one naming %s", err, path)
	}
	if _, err := ParseConfig[testConfig]("name: x\nstep: 3\n"); err == nil || !strings.Contains(err.Error(), "step") {
		t.Errorf("unknown key: err = %v", err)
	}
	if c, err := ParseConfig[testConfig]("steps: 3\n"); err != nil || c.Steps != 3 {
		t.Errorf("ParseConfig = %+v, %v", c, err)
	}
}
