package diffusion

import (
	"math"
	"testing"
)

func TestLinear(t *testing.T) {
	s, err := Linear(1000)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Betas[0]-1e-4) > 1e-15 || math.Abs(s.Betas[999]-0.02) > 1e-15 {
		t.Errorf("betas run %g .. %g, want 1e-4 .. 0.02", s.Betas[0], s.Betas[999])
	}
	// abar_999 of the 1000-step linear schedule is about 4.04e-5.
	if ab := s.AlphaBars[999]; ab < 4.0e-5 || ab > 4.1e-5 {
		t.Errorf("abar[999] = %g", ab)
	}
	for _, T := range []int{0, 1, 10} {
		if _, err := Linear(T); err == nil {
			t.Errorf("Linear(%d): no error", T)
		}
	}
}
