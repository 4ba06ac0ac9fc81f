package ddfm

import (
	"math"
	"testing"

	"github.com/mfif/mfif/nets/adm"
)

// The estimate reproduces the peak resident sizes measured with the
// ddfm-prior-cpu prior (docs/errors.md; 253 MB of them the process's own)
// and grows with the square of the pixels.
func TestPeakMBMatchesMeasured(t *testing.T) {
	cpu := adm.Config{ImageSize: 64, InChannels: 3, NumChannels: 32, NumResBlocks: 1, ChannelMult: []int{1, 2, 2},
		AttentionResolutions: []int{16}, NumHeads: 4, NumHeadChannels: 32}
	m := &Method{p: &adm.Model{Config: cpu}}
	for side, rss := range map[int]float64{256: 562.3, 384: 1699.3, 512: 4690.8} {
		mp := float64(side*side) / 1e6
		if got := m.PeakMB(mp) + 253; math.Abs(got-rss) > 0.01*rss {
			t.Errorf("%dx%d: estimate %.0f MB, measured %.0f MB", side, side, got, rss)
		}
	}
	if r := m.PeakMB(4) / m.PeakMB(1); r < 15 {
		t.Errorf("4 MP needs %.1f times 1 MP, want about 16 (attention over all pixels)", r)
	}
}
