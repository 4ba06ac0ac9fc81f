package siamese

import (
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
)

// TestConfigBounds: the widest level is bounded before anything is built,
// and the largest valid network stays under 1 GB of weights.
func TestConfigBounds(t *testing.T) {
	base := PaperConfig()
	for _, tc := range []struct {
		width, levels int
		ok            bool
	}{
		{32, 4, true},   // the paper's
		{64, 6, true},   // widest level 512
		{65, 3, false},  // 520
		{512, 6, false}, // 4096: the probe's checkpoint
		{128, 1, true},  // 256: few levels may start wider
	} {
		c := base
		c.Width, c.Levels = tc.width, tc.levels
		err := c.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("width %d levels %d: %v, want ok = %v", tc.width, tc.levels, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "widest level") {
			t.Errorf("width %d levels %d: %v does not explain the limit", tc.width, tc.levels, err)
		}
	}
	if testing.Short() {
		return
	}
	c := base
	c.Width, c.Levels = MaxLevelWidth/8, 6
	m, err := NewModel(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var bytes int64
	for _, v := range backend.Variables(m.VS) {
		n := int64(4)
		for _, d := range v.Tensor.MustSize() {
			n *= d
		}
		bytes += n
	}
	t.Logf("largest valid network (width %d, levels 6): %.0f MB of weights", c.Width, float64(bytes)/1e6)
	if bytes > 1<<30 {
		t.Errorf("largest valid network holds %d bytes of weights, over 1 GiB", bytes)
	}
}
