package adm

import "testing"

// AttentionScores counts heads x tokens² of the widest-scored attention
// layer: the official prior attends at 1/8 (512 channels, 8 heads of 64),
// the CPU prior at 1/4 (64 channels, 2 heads of 32); sides round up.
func TestAttentionScores(t *testing.T) {
	cpu := Config{ImageSize: 64, InChannels: 3, NumChannels: 32, NumResBlocks: 1, ChannelMult: []int{1, 2, 2},
		AttentionResolutions: []int{16}, NumHeads: 4, NumHeadChannels: 32}
	for _, tc := range []struct {
		c    Config
		w, h int
		want float64
	}{
		{Official256(), 1000, 1000, 8 * 15625.0 * 15625},
		{Official256(), 256, 256, 8 * 1024.0 * 1024},
		{cpu, 256, 256, 2 * 4096.0 * 4096},
		{cpu, 258, 256, 2 * (65 * 64.0) * (65 * 64)},
		{Config{ChannelMult: []int{1, 2}, NumChannels: 8, ImageSize: 64}, 64, 64, 0},
	} {
		if got := tc.c.AttentionScores(tc.w, tc.h); got != tc.want {
			t.Errorf("%v at %dx%d: %g scores, want %g", tc.c.AttentionResolutions, tc.w, tc.h, got, tc.want)
		}
	}
}
