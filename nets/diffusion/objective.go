package diffusion

import (
	"fmt"
	"math"
)

// Objective is what the network is trained to predict from x_t. The
// samplers work on noise estimates, so predictions of the other objectives
// are converted with EpsFrom (or WrapPredictor) before sampling.
type Objective string

// Prediction objectives. ObjectiveV is the "velocity" v = sqrt(abar) eps -
// sqrt(1-abar) x0 of Salimans & Ho, "Progressive distillation for fast
// sampling of diffusion models", ICLR 2022, Sec. 4 and App. D.
const (
	ObjectiveEps Objective = "eps" // the noise (DDPM, FusionDiff)
	ObjectiveX0  Objective = "x0"  // the clean image
	ObjectiveV   Objective = "v"   // the velocity
)

// ParseObjective returns the objective called name; the empty name is
// ObjectiveEps, so configurations written before objectives existed keep
// their meaning.
func ParseObjective(name string) (Objective, error) {
	switch o := Objective(name); o {
	case "":
		return ObjectiveEps, nil
	case ObjectiveEps, ObjectiveX0, ObjectiveV:
		return o, nil
	}
	return "", fmt.Errorf("unknown objective %q (have eps, x0, v)", name)
}

// TargetCoeffs returns (a, b) such that the training target of objective o
// at timestep t is a*x0 + b*eps.
func (s *Schedule) TargetCoeffs(o Objective, t int) (a, b float64, err error) {
	if err := s.checkT(t); err != nil {
		return 0, 0, fmt.Errorf("objective %s: %w", o, err)
	}
	sa, sb := s.QSampleCoeffs(t)
	switch o {
	case ObjectiveEps, "":
		return 0, 1, nil
	case ObjectiveX0:
		return 1, 0, nil
	case ObjectiveV:
		return -sb, sa, nil
	}
	return 0, 0, fmt.Errorf("unknown objective %q (have eps, x0, v)", o)
}

// Target writes the training target of objective o for clean x0 and noise
// eps at timestep t into dst (which may alias either input).
func (s *Schedule) Target(o Objective, x0, eps []float32, t int, dst []float32) error {
	if len(x0) != len(eps) || len(dst) != len(x0) {
		return fmt.Errorf("objective %s target: lengths x0 %d, eps %d, dst %d differ", o, len(x0), len(eps), len(dst))
	}
	a, b, err := s.TargetCoeffs(o, t)
	if err != nil {
		return err
	}
	for i := range x0 {
		dst[i] = float32(a*float64(x0[i]) + b*float64(eps[i]))
	}
	return nil
}

// EpsFrom converts the network output out of objective o at x_t, timestep t,
// to a noise estimate written into dst (which may alias out or xt):
// for x0, eps = (x_t - sqrt(abar) x0)/sqrt(1-abar); for v, eps =
// sqrt(1-abar) x_t + sqrt(abar) v (Salimans & Ho 2022). Arithmetic is
// float64.
func (s *Schedule) EpsFrom(o Objective, xt, out []float32, t int, dst []float32) error {
	if err := s.checkT(t); err != nil {
		return fmt.Errorf("objective %s: %w", o, err)
	}
	if len(out) != len(xt) || len(dst) != len(xt) {
		return fmt.Errorf("objective %s: lengths x_t %d, output %d, dst %d differ", o, len(xt), len(out), len(dst))
	}
	sa, sb := s.QSampleCoeffs(t)
	switch o {
	case ObjectiveEps, "":
		copy(dst, out)
	case ObjectiveX0:
		if sb == 0 {
			return fmt.Errorf("objective x0: noise level 0 at t=%d, eps undefined", t)
		}
		for i, x := range xt {
			dst[i] = float32((float64(x) - sa*float64(out[i])) / sb)
		}
	case ObjectiveV:
		for i, x := range xt {
			dst[i] = float32(sb*float64(x) + sa*float64(out[i]))
		}
	default:
		return fmt.Errorf("unknown objective %q (have eps, x0, v)", o)
	}
	return nil
}

// WrapPredictor turns a network predicting objective o into the noise
// Predictor the samplers expect. For ObjectiveEps it returns pred itself.
func WrapPredictor(s *Schedule, o Objective, pred Predictor) (Predictor, error) {
	switch o {
	case ObjectiveEps, "":
		return pred, nil
	case ObjectiveX0, ObjectiveV:
	default:
		return nil, fmt.Errorf("unknown objective %q (have eps, x0, v)", o)
	}
	return func(x []float32, t int) ([]float32, error) {
		out, err := pred(x, t)
		if err != nil {
			return nil, err
		}
		if len(out) != len(x) {
			return nil, fmt.Errorf("%s predictor returned %d values for %d inputs", o, len(out), len(x))
		}
		for i, v := range out {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%s predictor: non-finite value %g at index %d", o, v, i)
			}
		}
		eps := make([]float32, len(x))
		if err := s.EpsFrom(o, x, out, t, eps); err != nil {
			return nil, err
		}
		return eps, nil
	}, nil
}
