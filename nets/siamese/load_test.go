package siamese

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/configs"
	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
)

func TestConfigUnknownModule(t *testing.T) {
	cfg := tiny()
	cfg.Modules = []string{"dca", "transformer"}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), `"transformer"`) {
		t.Fatalf("want an error naming the module, got %v", err)
	}
	var out struct {
		Model Config `yaml:"model"`
	}
	doc := []byte("model: {name: siamese, width: 4, levels: 2, res_blocks: 1, dfeb_blocks: 1, gcb_depth: 3, gcb_width: 4, cga_hidden: 4, cbam_reduction: 2, modules: [dca], attention: yes}\n")
	if err := configs.Decode(doc, nil, &out); err == nil || !strings.Contains(err.Error(), "attention") {
		t.Errorf("unknown key: got %v", err)
	}
	if _, err := NewModel(cfg, 1); err == nil {
		t.Error("NewModel accepted an unknown module")
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	m, _ := NewModel(tiny(), 3)
	// One training-mode pass changes the BatchNorm running statistics,
	// which must be saved too.
	a, b := randInput(5, 2, 1, 8, 8), randInput(6, 2, 1, 8, 8)
	m.Net.Forward(a, b, true).Drop()
	path := filepath.Join(t.TempDir(), "m.ckpt")
	c := checkpoint.New(Kind)
	if err := m.Put(c); err != nil {
		t.Fatal(err)
	}
	c.PutState("note", 1)
	c.Tensors["extra/x"] = checkpoint.Float32Array([]float32{1, 2}, 2)
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, c2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(c2.States["note"]) != `1` || c2.Tensors["extra/x"].Numel() != 2 {
		t.Errorf("state %s / extra %v not preserved", c2.States["note"], c2.Tensors["extra/x"])
	}
	if m2.Net.Config().Summary() != tiny().Summary() {
		t.Errorf("config %s rebuilt as %s", tiny().Summary(), m2.Net.Config().Summary())
	}
	var o1, o2 []float32
	err = backend.NoGrad(func() error {
		x := m.Net.Forward(a, b, false)
		y := m2.Net.Forward(a, b, false)
		o1, o2 = values(t, x.Logits), values(t, y.Logits)
		x.Drop()
		y.Drop()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range o1 {
		if o1[i] != o2[i] {
			t.Fatalf("output %d differs after reload: %v vs %v", i, o1[i], o2[i])
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	m, _ := NewModel(tiny(), 3)
	good := filepath.Join(dir, "good.ckpt")
	if err := m.Save(good); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)/2] ^= 0x40
	tests := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.ckpt"), "no such file"},
		{"empty", write("empty.ckpt", nil), "corrupt"},
		{"foreign", write("foreign.ckpt", []byte("PK\x03\x04 this is a zip file")), "corrupt"},
		{"truncated", write("trunc.ckpt", raw[:len(raw)-100]), "corrupt"},
		{"bit flip", write("flip.ckpt", flipped), "checksum"},
	}
	for _, tc := range tests {
		_, _, err := Load(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
			t.Errorf("%s: got %v, want an error naming the file and %q", tc.name, err, tc.want)
		}
	}
}

func TestLoadRejectsOtherKindAndArchitecture(t *testing.T) {
	dir := t.TempDir()
	m, _ := NewModel(tiny(), 3)
	other := checkpoint.New("fusiondiff")
	if err := m.Put(other); err != nil {
		t.Fatal(err)
	}
	wrongKind := filepath.Join(dir, "kind.ckpt")
	if err := other.Save(wrongKind); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(wrongKind); err == nil || !strings.Contains(err.Error(), "fusiondiff") {
		t.Errorf("other kind: got %v", err)
	}
	c := checkpoint.New(Kind)
	if err := m.Put(c); err != nil {
		t.Fatal(err)
	}
	cfg := tiny()
	cfg.Width = 6
	c.PutState(ConfigState, cfg)
	wrongArch := filepath.Join(dir, "arch.ckpt")
	if err := c.Save(wrongArch); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(wrongArch); err == nil || !strings.Contains(err.Error(), wrongArch) {
		t.Errorf("mismatched architecture: got %v", err)
	}
}
