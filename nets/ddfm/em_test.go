package ddfm

import (
	"github.com/mfif/mfif/data/npy"
	"math"
	"path/filepath"
	"testing"
)

func TestEMGolden(t *testing.T) {
	// testdata/em_onestep_io.npz: the official EM_Initial and EM_onestep
	// on one input, three calls (see testdata/README.md).
	z, err := npy.ReadNpz(filepath.Join("testdata", "em_onestep_io.npz"))
	if err != nil {
		t.Fatal(err)
	}
	in, vs := z["I"], z["V"]
	h, w := int(in.Shape[2]), int(in.Shape[3])
	em, err := NewEM(w, h)
	if err != nil {
		t.Fatal(err)
	}
	for k, name := range []string{"0", "1", "2"} {
		got, err := em.Step(z["f"+name].Data, in.Data, vs.Data, DefaultLambda, DefaultRho)
		if err != nil {
			t.Fatal(err)
		}
		want := z["F"+name].Data
		worst := 0.0
		for j := range want {
			worst = math.Max(worst, math.Abs(got[j]-want[j]))
		}
		t.Logf("call %d: max |F - golden| = %.3g", k, worst)
		if worst > 1e-5 {
			t.Errorf("call %d: max deviation %.3g > 1e-5", k, worst)
		}
	}
}

func TestEMFixedPoint(t *testing.T) {
	for _, size := range [][2]int{{32, 32}, {96, 64}, {48, 160}} {
		w, h := size[0], size[1]
		img := make([]float64, w*h)
		for k := range img {
			img[k] = math.Sin(float64(k)*0.37) * 0.8
		}
		em, err := NewEM(w, h)
		if err != nil {
			t.Fatal(err)
		}
		for step := 0; step < 3; step++ {
			got, err := em.Step(img, img, img, DefaultLambda, DefaultRho)
			if err != nil {
				t.Fatal(err)
			}
			for k := range got {
				if math.Abs(got[k]-img[k]) > 1e-12 {
					t.Fatalf("%dx%d step %d: pixel %d moved from %g to %g", w, h, step, k, img[k], got[k])
				}
			}
		}
	}
}

// With rho -> 0 the TV branch vanishes and the update is the weighted mean
// (D i + C v) / (C + D) of the sources.
func TestEMWeightedMean(t *testing.T) {
	w, h := 32, 32
	i, v, f := make([]float64, w*h), make([]float64, w*h), make([]float64, w*h)
	for k := range i {
		i[k] = 0.5 * math.Cos(float64(k)*0.11)
		v[k] = -0.3 * math.Sin(float64(k)*0.07)
		f[k] = 0.5 * (i[k] + v[k])
	}
	em, _ := NewEM(w, h)
	got, err := em.Step(f, i, v, DefaultLambda, 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	for k := range got {
		want := (em.D[k]*i[k] + em.C[k]*v[k]) / (em.C[k] + em.D[k])
		if math.Abs(got[k]-want) > 1e-6 {
			t.Fatalf("pixel %d: got %g, want %g", k, got[k], want)
		}
	}
}

func TestEMErrors(t *testing.T) {
	if _, err := NewEM(1, 8); err == nil {
		t.Error("NewEM(1, 8): no error")
	}
	em, _ := NewEM(4, 4)
	tests := []struct {
		name        string
		f, i, v     []float64
		lambda, rho float64
	}{
		{"short", make([]float64, 15), make([]float64, 16), make([]float64, 16), 0.5, 0.001},
		{"rho", make([]float64, 16), make([]float64, 16), make([]float64, 16), 0.5, 0},
		{"lambda", make([]float64, 16), make([]float64, 16), make([]float64, 16), math.NaN(), 0.001},
	}
	for _, tc := range tests {
		if _, err := em.Step(tc.f, tc.i, tc.v, tc.lambda, tc.rho); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// BenchmarkEMStep is one EM step at a typical infrared-visible size
// (640 x 480, mixed-radix FFTs).
func BenchmarkEMStep(b *testing.B) {
	w, h := 640, 480
	i, v, f := make([]float64, w*h), make([]float64, w*h), make([]float64, w*h)
	for k := range i {
		i[k] = math.Sin(float64(k) * 0.001)
		v[k] = math.Cos(float64(k) * 0.0007)
		f[k] = 0.5 * (i[k] + v[k])
	}
	em, err := NewEM(w, h)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := em.Step(f, i, v, DefaultLambda, DefaultRho); err != nil {
			b.Fatal(err)
		}
	}
}
