package diffusion_test

import (
	"fmt"

	"github.com/mfif/mfif/nets/diffusion"
)

// A sampler only needs a noise predictor; this one knows the clean signal,
// so every sampler returns it exactly.
func ExampleNewSampler() {
	s, _ := diffusion.Cosine(2000, 0.999)
	x0 := []float32{0.5, -0.25, 1}
	oracle := func(x []float32, t int) ([]float32, error) {
		a, b := s.QSampleCoeffs(t)
		eps := make([]float32, len(x))
		for i := range x {
			eps[i] = float32((float64(x[i]) - a*float64(x0[i])) / b)
		}
		return eps, nil
	}
	for _, k := range []int{0, 10} {
		smp, _ := diffusion.NewSampler("fusiondiff", s, k)
		out, _ := smp.Sample(diffusion.GaussianNoise(3, 1), oracle, nil)
		fmt.Printf("%s %d steps: %.3f\n", smp.Name(), smp.Steps(), out)
	}
	// Output:
	// fusiondiff 2000 steps: [0.500 -0.250 1.000]
	// fusiondiff 10 steps: [0.500 -0.250 1.000]
}
