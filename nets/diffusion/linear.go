package diffusion

import "fmt"

// Linear returns the linear beta schedule of Ho et al. (2020) as
// guided-diffusion defines it for any T: betas evenly spaced from
// 1e-4*1000/T to 0.02*1000/T, which for T = 1000 is 1e-4 .. 0.02.
func Linear(T int) (*Schedule, error) {
	if T < 2 {
		return nil, fmt.Errorf("linear schedule: T = %d, need at least 2", T)
	}
	scale := 1000 / float64(T)
	lo, hi := scale*1e-4, scale*0.02
	if hi >= 1 {
		return nil, fmt.Errorf("linear schedule: T = %d makes the last beta %g >= 1", T, hi)
	}
	betas := make([]float64, T)
	for i := range betas {
		betas[i] = lo + (hi-lo)*float64(i)/float64(T-1)
	}
	return FromBetas(betas)
}
