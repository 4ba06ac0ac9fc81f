package fusiondiff

import (
	"math"
	"testing"

	netfd "github.com/mfif/mfif/nets/fusiondiff"
)

// The estimate gives the measured slopes (docs/errors.md) for the
// fusiondiff-cpu and paper networks, and with tile the network's term
// stays that of one tile.
func TestPeakMBFollowsTheNetworkAndTile(t *testing.T) {
	cpu := netfd.Config{ModelChannels: 32, NumResBlocks: 1}
	paper := netfd.Config{ModelChannels: 64, NumResBlocks: 2}
	for _, tc := range []struct {
		cfg  netfd.Config
		tile int
		mp   float64
		want float64 // MB
	}{
		{cpu, 0, 4, 4 * 863},
		{paper, 0, 1, 1127},
		{cpu, 512, 4, 373*4 + 863*0.262144}, // 1718 MB; measured 1818 with the process
		{cpu, 512, 0.2, 0.2 * 863},          // smaller than one tile: untiled
	} {
		m := &Method{tr: &netfd.Model{Spec: netfd.Spec{Model: tc.cfg}}, opts: Options{Tile: tc.tile}}
		if got := m.PeakMB(tc.mp); math.Abs(got-tc.want) > 0.01*tc.want {
			t.Errorf("%d channels, tile %d, %.1f MP: %.0f MB, want %.0f", tc.cfg.ModelChannels, tc.tile, tc.mp, got, tc.want)
		}
	}
}
