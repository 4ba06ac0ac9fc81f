package padding

import (
	"fmt"
	"slices"
	"testing"
)

func TestReflectAndCrop(t *testing.T) {
	plane := []float32{1, 2, 3, 4, 5, 6} // 3×2: rows [1 2 3], [4 5 6]
	tests := []struct {
		name   string
		x      []float32
		w, h   int
		mult   int
		pw, ph int
		want   []float32
	}{
		{"to 4x4", plane, 3, 2, 4, 4, 4, []float32{1, 2, 3, 2, 4, 5, 6, 5, 1, 2, 3, 2, 4, 5, 6, 5}},
		{"already a multiple", plane, 3, 2, 1, 3, 2, plane},
		{"two planes", append(slices.Clone(plane), 7, 8, 9, 10, 11, 12), 3, 2, 4, 4, 4,
			[]float32{1, 2, 3, 2, 4, 5, 6, 5, 1, 2, 3, 2, 4, 5, 6, 5, 7, 8, 9, 8, 10, 11, 12, 11, 7, 8, 9, 8, 10, 11, 12, 11}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, pw, ph := Reflect(tc.x, tc.w, tc.h, tc.mult)
			if pw != tc.pw || ph != tc.ph || !slices.Equal(got, tc.want) {
				t.Fatalf("Reflect = %v (%dx%d), want %v (%dx%d)", got, pw, ph, tc.want, tc.pw, tc.ph)
			}
			if back := Crop(got, pw, ph, tc.w, tc.h); !slices.Equal(back, tc.x) {
				t.Errorf("Crop = %v, want %v", back, tc.x)
			}
		})
	}
}

func TestReflectLargerThanImage(t *testing.T) {
	got, pw, ph := Reflect([]float64{7, 8}, 2, 1, 16)
	if pw != 16 || ph != 16 {
		t.Fatalf("size %dx%d, want 16x16", pw, ph)
	}
	for i, v := range got {
		if want := []float64{7, 8}[i%16%2]; v != want {
			t.Fatalf("sample %d = %v, want %v", i, v, want)
		}
	}
}

func TestIndex(t *testing.T) {
	for _, tc := range []struct{ i, n, want int }{
		{0, 4, 0}, {3, 4, 3}, {4, 4, 2}, {5, 4, 1}, {6, 4, 0}, {7, 4, 1},
		{-1, 4, 1}, {-3, 4, 3}, {9, 1, 0}, {2, 2, 0}, {3, 2, 1}, {-5, 3, 1},
	} {
		if got := Index(tc.i, tc.n); got != tc.want {
			t.Errorf("Index(%d, %d) = %d, want %d", tc.i, tc.n, got, tc.want)
		}
	}
}

// A 3×1 row padded by reflection to a stride of 4, then cropped back.
func ExampleReflect() {
	p, w, h := Reflect([]float32{10, 20, 30}, 3, 1, 4)
	fmt.Println(w, h, p[:4])
	fmt.Println(Crop(p, w, h, 3, 1))
	// Output:
	// 4 4 [10 20 30 20]
	// [10 20 30]
}
