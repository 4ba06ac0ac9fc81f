package siamese

import (
	"encoding/json"
	"testing"

	"github.com/mfif/mfif/nets/checkpoint"
)

// FuzzModelConfig stores arbitrary JSON as a checkpoint's model_config
// beside the weights of a small network: FromCheckpoint must refuse it
// with an error or build a network within the documented bounds, never
// panic, and never accept one whose widest level passes MaxLevelWidth.
// Valid configs are only validated, not built (TestConfigBounds builds the
// largest): building them inside the fuzzer stalled after about 30 s in a
// first try, which is left to investigate.
func FuzzModelConfig(f *testing.F) {
	small := Config{Name: "siamese", Width: 2, Levels: 1, ResBlocks: 1, DFEBBlocks: 1,
		GCBDepth: 2, GCBWidth: 2, CGAHidden: 2, CBAMReduction: 2, Modules: AllModules}
	m, err := NewModel(small, 1)
	if err != nil {
		f.Fatal(err)
	}
	c := checkpoint.New(Kind)
	if err := m.Put(c); err != nil {
		f.Fatal(err)
	}
	m.Close()
	seed, _ := json.Marshal(small)
	f.Add(seed)
	big := PaperConfig()
	big.Width, big.Levels = 512, 6
	b, _ := json.Marshal(big)
	f.Add(b)
	f.Add([]byte(`{"name":"siamese","width":-1,"levels":99}`))
	f.Add([]byte(`{"name":"siamese","width":2,"levels":1,"gcb_depth":2,"gcb_width":2,"cga_hidden":2,"cbam_reduction":2,"modules":["gcb","gcb"]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var cfg Config
		if json.Unmarshal(raw, &cfg) != nil || cfg.Validate() != nil {
			c.States[ConfigState] = raw
			if _, err := FromCheckpoint(c); err == nil {
				t.Fatalf("config %s: accepted although it does not validate", raw)
			}
			return
		}
		if w := cfg.LevelWidth(cfg.Levels); w > MaxLevelWidth {
			t.Fatalf("config %s validates with a widest level of %d channels", raw, w)
		}
	})
}
