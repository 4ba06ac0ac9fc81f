package siamese_test

import (
	"fmt"

	"github.com/mfif/mfif/eval/siamese"
)

// A 3×1 row padded by reflection to the network stride 4, then cropped back.
func ExamplePadReflect() {
	p, w, h := siamese.PadReflect([]float32{10, 20, 30}, 3, 1, 4)
	fmt.Println(w, h, p[:4])
	fmt.Println(siamese.Crop(p, w, 3, 1))
	// Output:
	// 4 4 [10 20 30 20]
	// [10 20 30]
}
