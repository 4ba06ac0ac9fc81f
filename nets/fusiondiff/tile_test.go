package fusiondiff

import (
	"fmt"
	"testing"
)

func TestTileStarts(t *testing.T) {
	cases := []struct {
		n, t, ov int
		want     string
	}{
		{64, 64, 8, "[0]"},
		{40, 64, 8, "[0]"},
		{100, 64, 16, "[0 36]"},
		{128, 32, 8, "[0 24 48 72 96]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(tileStarts(c.n, c.t, c.ov)); got != c.want {
			t.Errorf("tileStarts(%d,%d,%d) = %s, want %s", c.n, c.t, c.ov, got, c.want)
		}
	}
	for i := 0; i < 32; i++ {
		if w := ramp(i, 32, 8); !(w > 0 && w <= 1) {
			t.Fatalf("ramp(%d) = %v", i, w)
		}
	}
	if ramp(16, 32, 8) != 1 || ramp(0, 32, 8) >= ramp(1, 32, 8) {
		t.Error("ramp not rising towards the tile centre")
	}
}
