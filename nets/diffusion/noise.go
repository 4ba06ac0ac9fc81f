package diffusion

import "math/rand/v2"

// GaussianNoise returns n independent N(0, 1) samples drawn from a PCG
// generator seeded with seed, so x_T is reproducible without libtorch.
func GaussianNoise(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(r.NormFloat64())
	}
	return out
}
