package data

import "testing"

// TestDihedral checks that the 8 transforms of a 3x2 plane are 8 distinct
// views, that each is a permutation, and that scattering a view back
// restores the plane.
func TestDihedral(t *testing.T) {
	const w, h = 3, 2
	seen := map[[w * h]int]bool{}
	for tf := 0; tf < 8; tf++ {
		vw, vh := DihedralSize(tf, w, h)
		if vw*vh != w*h || (tf&4 != 0) != (vw == h) {
			t.Fatalf("tf %d: view %dx%d", tf, vw, vh)
		}
		var view [w * h]int
		hit := make([]bool, w*h)
		for y := 0; y < vh; y++ {
			for x := 0; x < vw; x++ {
				i := DihedralIndex(tf, x, y, w, h)
				if i < 0 || i >= w*h || hit[i] {
					t.Fatalf("tf %d: (%d,%d) -> %d is out of range or repeated", tf, x, y, i)
				}
				hit[i] = true
				view[y*vw+x] = i
			}
		}
		if seen[view] {
			t.Errorf("tf %d repeats an earlier view %v", tf, view)
		}
		seen[view] = true
		back := make([]int, w*h)
		for y := 0; y < vh; y++ {
			for x := 0; x < vw; x++ {
				back[DihedralIndex(tf, x, y, w, h)] = view[y*vw+x]
			}
		}
		for i, v := range back {
			if v != i {
				t.Fatalf("tf %d: scatter of the view does not restore the plane: %v", tf, back)
			}
		}
	}
	if tf := 0; DihedralIndex(tf, 2, 1, w, h) != 5 {
		t.Error("identity must map (x,y) to y*w+x")
	}
}
