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
// Every input goes through FromCheckpoint: the stored shapes are matched
// before anything is built, so only configs of the small network's size
// are built (a first version built every valid config itself, up to the
// 349 MB largest network, and stalled at that).
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
	f.Add([]byte(`{"name":"siamese","width":2,"levels":1,"res_blocks":1,"dfeb_blocks":1,"gcb_depth":2,"gcb_width":2,"cga_hidden":7,"cbam_reduction":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c.States[ConfigState] = raw
		m, err := FromCheckpoint(c)
		var cfg Config
		valid := json.Unmarshal(raw, &cfg) == nil && cfg.Validate() == nil
		if err != nil {
			return
		}
		defer m.Close()
		if !valid {
			t.Fatalf("config %s: accepted although it does not validate", raw)
		}
		if w := cfg.LevelWidth(cfg.Levels); w > MaxLevelWidth {
			t.Fatalf("config %s validates with a widest level of %d channels", raw, w)
		}
	})
}
