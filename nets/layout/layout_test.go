package layout

import (
	"testing"

	"github.com/mfif/mfif/data"
)

func TestRoundTrip(t *testing.T) {
	rgb := data.NewImage(3, 2, 3)
	for c := range rgb.Planes {
		for i := range rgb.Planes[c] {
			rgb.Planes[c][i] = float64(40*c + 17*i)
		}
	}
	x := Signed(rgb, 3)
	if len(x) != 18 || x[0] != -1 || x[6] != float32(40.0/255*2-1) {
		t.Fatalf("Signed: %v", x)
	}
	back := Image(x, 3, 2)
	for c := range back.Planes {
		for i, v := range back.Planes[c] {
			if d := v - rgb.Planes[c][i]; d < -1 || d > 0 {
				t.Errorf("plane %d pixel %d: %g back as %g", c, i, rgb.Planes[c][i], v)
			}
		}
	}
	gray := data.NewImage(2, 2, 1)
	gray.Planes[0][3] = 255
	g3 := Signed(gray, 3)
	if g3[3] != 1 || g3[7] != 1 || g3[11] != 1 || g3[0] != -1 {
		t.Errorf("gray replicated as %v", g3)
	}
	if got := Signed(rgb, 1); len(got) != 6 || got[1] != x[1] {
		t.Errorf("extra planes not dropped: %v", got)
	}
	sat := Image([]float32{-2, 2, 0.999, -2, 2, 0, -2, 2, 0}, 3, 1)
	if sat.Planes[0][0] != 0 || sat.Planes[0][1] != 255 || sat.Planes[0][2] != 254 {
		t.Errorf("saturation/truncation: %v", sat.Planes[0])
	}
	yg, err := SignedGray(gray)
	if err != nil || yg[3] != 1 || yg[0] != -1 {
		t.Errorf("SignedGray: %v %v", yg, err)
	}
	if yc, err := SignedGray(rgb); err != nil || len(yc) != 6 {
		t.Errorf("SignedGray colour: %v %v", yc, err)
	}
}
