package ddfm_test

import (
	"fmt"

	"github.com/mfif/mfif/nets/ddfm"
)

// One EM step pulls an estimate that matches neither source towards a
// per-pixel weighted mix of infrared-like i and visible-like v.
func ExampleEM_Step() {
	w, h := 32, 32
	i, v, f := make([]float64, w*h), make([]float64, w*h), make([]float64, w*h)
	for k := range i {
		i[k], v[k], f[k] = 0.8, -0.4, 0
	}
	em, err := ddfm.NewEM(w, h)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := em.Step(f, i, v, ddfm.DefaultLambda, ddfm.DefaultRho)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("f: %.2f -> %.4f (sources %.1f, %.1f)\n", f[0], out[0], i[0], v[0])
	// Output: f: 0.00 -> 0.4000 (sources 0.8, -0.4)
}
