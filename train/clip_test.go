package train

import (
	"math"
	"runtime"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

// gradValues is used by tests to read a gradient.
func gradValues(t *ts.Tensor) ([]float64, error) {
	g, err := t.Grad(false)
	if err != nil {
		return nil, err
	}
	defer g.MustDrop()
	d := g.MustTotype(gotch.Double, false)
	defer d.MustDrop()
	v := make([]float64, d.Numel())
	return v, d.CopyData(v, uint(len(v)))
}

func TestClipGradNorm(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tests := []struct {
		name     string
		grad     []float32
		max      float64
		wantNorm float64
		want     []float64
	}{
		{"clipped", []float32{3, 4}, 1, 5, []float64{3 / (5 + 1e-6), 4 / (5 + 1e-6)}},
		{"untouched", []float32{0.3, 0.4}, 1, 0.5, []float64{0.3, 0.4}},
	}
	for _, tt := range tests {
		vs, w := newToy(t, []float32{1, 1})
		backwardLinear(t, w, tt.grad)
		norm, err := ClipGradNorm(backend.Trainable(vs), tt.max)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(norm-tt.wantNorm) > 1e-6 {
			t.Errorf("%s: norm %v, want %v", tt.name, norm, tt.wantNorm)
		}
		g, err := gradValues(w)
		if err != nil {
			t.Fatal(err)
		}
		for i := range g {
			if math.Abs(g[i]-tt.want[i]) > 1e-6 {
				t.Errorf("%s: grad %v, want %v", tt.name, g, tt.want)
			}
		}
	}
	vs, w := newToy(t, []float32{1})
	backwardLinear(t, w, []float32{float32(math.Inf(1))})
	if _, err := ClipGradNorm(backend.Trainable(vs), 1); err == nil {
		t.Error("infinite gradient norm accepted")
	}
	if _, err := ClipGradNorm(backend.Trainable(vs), 0); err == nil {
		t.Error("zero max norm accepted")
	}
}

// BenchmarkAdamStep measures one Adam update of 1M float32 parameters.
func BenchmarkAdamStep(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	vs, w := newToy(b, make([]float32, 1<<20))
	o, err := NewAdam(backend.Trainable(vs), 1e-3)
	if err != nil {
		b.Fatal(err)
	}
	c := ts.MustOnes([]int64{1 << 20}, gotch.Float, gotch.CPU)
	loss := w.MustMul(c, false).MustSum(gotch.Float, true)
	loss.MustBackward()
	for b.Loop() {
		if err := o.Step(); err != nil {
			b.Fatal(err)
		}
	}
}
