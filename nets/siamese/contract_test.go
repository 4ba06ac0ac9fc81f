package siamese

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/nets/contract"
)

// A checksum-valid checkpoint whose stored architecture asks for a network
// larger than the weights it holds is refused before anything is built.
// (Width 512 with 6 levels, gigabytes, is already refused by Config's
// bounds: TestOversizedSiameseConfigRefused; here the largest network the
// bounds allow at 3 levels.)
func TestLoadChecksSizeBeforeBuilding(t *testing.T) {
	m, err := NewModel(tiny(), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Role() != contract.DecisionMap {
		t.Errorf("role %v", m.Role())
	}
	huge := tiny()
	huge.Width, huge.Levels = 64, 3
	if err := huge.Validate(); err != nil {
		t.Fatalf("the test needs a config that passes Validate: %v", err)
	}
	cases := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"huge", func(c *Config) { *c = huge }, "enc_a.level"},
		{"more levels", func(c *Config) { c.Levels++ }, "enc_a.level3"},
		{"fewer levels", func(c *Config) { c.Levels-- }, "enc_a.level2"},
		{"more res blocks", func(c *Config) { c.ResBlocks++ }, "res1"},
		{"deeper gcb", func(c *Config) { c.GCBDepth++ }, "gcb.mid"},
		{"wider gcb", func(c *Config) { c.GCBWidth *= 2 }, "gcb.first"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := checkpoint.New(Kind)
			if err := m.Put(c); err != nil {
				t.Fatal(err)
			}
			cfg := tiny()
			tc.edit(&cfg)
			if err := c.PutState(ConfigState, cfg); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "m.ckpt")
			if err := c.Save(path); err != nil {
				t.Fatal(err)
			}
			before := contract.Builds()
			got, _, err := Load(path)
			if err == nil {
				got.Close()
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %q and the file", err, tc.want)
			}
			if n := contract.Builds() - before; n != 0 {
				t.Errorf("%d networks built before the file was refused", n)
			}
		})
	}
}
