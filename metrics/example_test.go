package metrics_test

import (
	"fmt"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/metrics"
)

// A fused image identical to both sources scores Q_NMI = 2, Q_SF = 0 and
// Q_Piella = 1; a constant image cannot be stretched by normalize1, which
// Q_CB reports as ErrDegenerate instead of NaN.
func ExampleEvaluate() {
	img := data.NewImage(32, 32, 1)
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			img.Set(0, x, y, float64((x*7+y*13)%256))
		}
	}
	in := metrics.Inputs{Sources: []*data.Image{img, img}, Fused: img}
	v, err := metrics.Evaluate([]string{"Q_NMI", "Q_SF", "Q_Piella"}, in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Q_NMI %.4f  Q_SF %.4f  Q_Piella %.4f\n", v["Q_NMI"], v["Q_SF"], v["Q_Piella"])

	flat := data.NewImage(32, 32, 1)
	for i := range flat.Planes[0] {
		flat.Planes[0][i] = 100
	}
	_, err = metrics.Evaluate([]string{"Q_CB"}, metrics.Inputs{Sources: []*data.Image{img, img}, Fused: flat})
	fmt.Println(err)
	// Output:
	// Q_NMI 2.0000  Q_SF 0.0000  Q_Piella 1.0000
	// Q_CB: fused image: degenerate input: constant image (value 100) cannot be stretched by normalize1
}

// Rank orders values best first; Q_SF is best closest to zero.
func ExampleBetter_Rank() {
	m, _ := metrics.Lookup("Q_SF")
	fmt.Println(m.Better.Rank([]float64{-0.20, 0.01, -0.05}))
	// Output: [1 2 0]
}
