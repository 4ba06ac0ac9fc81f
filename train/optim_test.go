package train

import (
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

// newToy returns a VarStore holding w (shape [n]) initialized to init.
func newToy(t testing.TB, init []float32) (*nn.VarStore, *ts.Tensor) {
	t.Helper()
	vs := backend.NewVarStore()
	w := vs.Root().MustZeros("w", []int64{int64(len(init))})
	if err := backend.CopyArray(w, checkpoint.Float32Array(init)); err != nil {
		t.Fatal(err)
	}
	return vs, w
}

// backwardLinear sets w.grad = c by back-propagating sum(w*c).
func backwardLinear(t *testing.T, w *ts.Tensor, c []float32) {
	t.Helper()
	ct := ts.MustOfSlice(c)
	loss := w.MustMul(ct, false).MustSum(gotch.Float, true)
	if err := loss.Backward(); err != nil {
		t.Fatal(err)
	}
	loss.MustDrop()
	ct.MustDrop()
}

func values(t *testing.T, x *ts.Tensor) []float32 {
	t.Helper()
	a, err := backend.ToArray(x)
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// refOptim is a float64 reimplementation of PyTorch's update formulas.
type refOptim struct {
	c          OptimConfig
	lr         float64
	w, m, v    []float64
	step       int
	bufStarted bool
}

func (r *refOptim) update(g []float64) {
	c, wd := r.c, *r.c.WeightDecay
	r.step++
	d := make([]float64, len(g))
	for i := range g {
		d[i] = g[i]
		if wd != 0 && c.Kind != "adamw" {
			d[i] += wd * r.w[i]
		}
	}
	for i := range g {
		switch c.Kind {
		case "adam", "adamw":
			if c.Kind == "adamw" {
				r.w[i] *= 1 - r.lr*wd
			}
			r.m[i] = c.Beta1*r.m[i] + (1-c.Beta1)*d[i]
			r.v[i] = c.Beta2*r.v[i] + (1-c.Beta2)*d[i]*d[i]
			bc1 := 1 - math.Pow(c.Beta1, float64(r.step))
			bc2 := 1 - math.Pow(c.Beta2, float64(r.step))
			r.w[i] -= r.lr / bc1 * r.m[i] / (math.Sqrt(r.v[i])/math.Sqrt(bc2) + c.Eps)
		case "sgd":
			if c.Momentum != 0 {
				if r.bufStarted {
					r.m[i] = c.Momentum*r.m[i] + (1-c.Dampening)*d[i]
				} else {
					r.m[i] = d[i]
				}
				if c.Nesterov {
					d[i] += c.Momentum * r.m[i]
				} else {
					d[i] = r.m[i]
				}
			}
			r.w[i] -= r.lr * d[i]
		}
	}
	r.bufStarted = true
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func ptr(x float64) *float64 { return &x }

func TestOptimizersMatchReference(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	init := []float32{1, -0.5, 0.25, 2}
	grads := [][]float32{{2, -1e-3, 0.5, 0}, {1, 2e-3, -0.5, 1e-4}, {-3, 1e-3, 0.25, -2e-4}, {0.5, -4e-3, 1, 3e-4}, {1, 1, 1, 1}}
	tests := []struct {
		name string
		c    OptimConfig
	}{
		{"adam", OptimConfig{Kind: "adam", LR: 0.1}},
		{"adam big eps", OptimConfig{Kind: "adam", LR: 0.1, Eps: 1e-2}},
		{"adam l2", OptimConfig{Kind: "adam", LR: 0.05, Beta1: 0.8, Beta2: 0.99, WeightDecay: ptr(0.1)}},
		{"adamw", OptimConfig{Kind: "adamw", LR: 0.1}},
		{"adamw wd", OptimConfig{Kind: "adamw", LR: 0.1, WeightDecay: ptr(0.5)}},
		{"sgd", OptimConfig{Kind: "sgd", LR: 0.1}},
		{"sgd momentum", OptimConfig{Kind: "sgd", LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: ptr(0.01)}},
		{"sgd nesterov", OptimConfig{Kind: "sgd", LR: 0.1, Momentum: 0.9, Nesterov: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, w := newToy(t, init)
			o, err := NewOptimizer(tt.c, backend.Trainable(vs))
			if err != nil {
				t.Fatal(err)
			}
			rc, _ := tt.c.resolved()
			ref := &refOptim{c: rc, lr: rc.LR, w: f64(init), m: make([]float64, 4), v: make([]float64, 4)}
			for s, g := range grads {
				if err := o.ZeroGrad(); err != nil {
					t.Fatal(err)
				}
				backwardLinear(t, w, g)
				if err := o.Step(); err != nil {
					t.Fatal(err)
				}
				ref.update(f64(g))
				got := values(t, w)
				for i := range got {
					if d := math.Abs(float64(got[i]) - ref.w[i]); d > 2e-6*math.Max(1, math.Abs(ref.w[i])) {
						t.Fatalf("step %d w[%d] = %v, reference %v (diff %g)", s+1, i, got[i], ref.w[i], d)
					}
				}
			}
		})
	}
}

// TestAdamFirstStepByHand checks the first Adam step against the closed
// form: with zero moments, bias correction makes the step lr*g/(|g|+eps).
func TestAdamFirstStepByHand(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	vs, w := newToy(t, []float32{1, 1, 1})
	o, err := NewOptimizer(OptimConfig{Kind: "adam", LR: 0.1, Eps: 0.5}, backend.Trainable(vs))
	if err != nil {
		t.Fatal(err)
	}
	backwardLinear(t, w, []float32{2, -0.5, 0})
	if err := o.Step(); err != nil {
		t.Fatal(err)
	}
	want := []float64{1 - 0.1*2/2.5, 1 + 0.1*0.5/1, 1}
	for i, g := range values(t, w) {
		if math.Abs(float64(g)-want[i]) > 1e-6 {
			t.Errorf("w[%d] = %v, want %v", i, g, want[i])
		}
	}
	// AdamW shrinks the weight by lr*wd before the Adam step.
	vs2, w2 := newToy(t, []float32{2})
	o2, _ := NewAdamW(backend.Trainable(vs2), 0.1)
	backwardLinear(t, w2, []float32{0})
	if err := o2.Step(); err != nil {
		t.Fatal(err)
	}
	if got := values(t, w2)[0]; math.Abs(float64(got)-2*(1-0.1*0.01)) > 1e-6 {
		t.Errorf("adamw decay: %v", got)
	}
}

func TestOptimizerStateRoundTrip(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, kind := range []string{"adam", "adamw", "sgd"} {
		t.Run(kind, func(t *testing.T) {
			cfg := OptimConfig{Kind: kind, LR: 0.05, Momentum: 0.9}
			if kind != "sgd" {
				cfg.Momentum = 0
			}
			init := []float32{0.3, -0.7, 1.1}
			grads := [][]float32{{1, 2, 3}, {-1, 0.5, 0.1}, {0.2, -0.3, 2}, {1, 1, -1}, {0.01, 5, 0}}
			vsA, wA := newToy(t, init)
			a, err := NewOptimizer(cfg, backend.Trainable(vsA))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range grads[:3] {
				a.ZeroGrad()
				backwardLinear(t, wA, g)
				a.Step()
			}
			c := checkpoint.New("toy")
			if err := backend.SaveVars(c, vsA); err != nil {
				t.Fatal(err)
			}
			if err := SaveOptimizer(c, a); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "o.ckpt")
			if err := c.Save(path); err != nil {
				t.Fatal(err)
			}
			d, err := checkpoint.Load(path, "toy")
			if err != nil {
				t.Fatal(err)
			}
			vsB, wB := newToy(t, []float32{9, 9, 9})
			b, _ := NewOptimizer(OptimConfig{Kind: kind, LR: 1}, backend.Trainable(vsB))
			if err := backend.LoadVars(d, vsB); err != nil {
				t.Fatal(err)
			}
			if err := LoadOptimizer(d, b); err != nil {
				t.Fatal(err)
			}
			if b.LR() != a.LR() {
				t.Errorf("lr %v, want %v", b.LR(), a.LR())
			}
			sa, _ := a.State()
			sb, _ := b.State()
			if len(sa.Tensors) == 0 || len(sa.Tensors) != len(sb.Tensors) {
				t.Fatalf("state tensors %d vs %d", len(sa.Tensors), len(sb.Tensors))
			}
			for k, x := range sa.Tensors {
				if !x.Equal(sb.Tensors[k]) || sa.Steps["w"] != sb.Steps["w"] {
					t.Errorf("state %s differs after round trip", k)
				}
			}
			for _, g := range grads[3:] {
				for _, p := range []struct {
					o Optimizer
					w *ts.Tensor
				}{{a, wA}, {b, wB}} {
					p.o.ZeroGrad()
					backwardLinear(t, p.w, g)
					p.o.Step()
				}
			}
			va, vb := values(t, wA), values(t, wB)
			for i := range va {
				if math.Float32bits(va[i]) != math.Float32bits(vb[i]) {
					t.Errorf("w[%d]: continued %v, restored %v", i, va[i], vb[i])
				}
			}
		})
	}
}

func TestOptimizerErrors(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	vs, _ := newToy(t, []float32{1})
	ps := backend.Trainable(vs)
	bad := []struct {
		c    OptimConfig
		want string
	}{
		{OptimConfig{Kind: "rmsprop", LR: 1}, "unknown kind"},
		{OptimConfig{Kind: "adam", LR: -1}, "lr"},
		{OptimConfig{Kind: "adam", LR: math.NaN()}, "lr"},
		{OptimConfig{Kind: "adam", LR: 1, Beta1: 1}, "beta1"},
		{OptimConfig{Kind: "adamw", LR: 1, WeightDecay: ptr(-1)}, "weight_decay"},
		{OptimConfig{Kind: "sgd", LR: 1, Nesterov: true}, "nesterov"},
	}
	for _, tt := range bad {
		if _, err := NewOptimizer(tt.c, ps); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want mention of %q", tt.c, err, tt.want)
		}
	}
	if _, err := NewAdam(nil, 1); err == nil {
		t.Error("optimizer without parameters accepted")
	}
	adam, _ := NewAdam(ps, 0.1)
	sgd, _ := NewSGD(ps, 0.1, 0.9)
	st, _ := adam.State()
	if err := sgd.LoadState(st); err == nil || !strings.Contains(err.Error(), "adam") {
		t.Errorf("adam state loaded into sgd: %v", err)
	}
	st.Steps["ghost"] = 1
	if err := adam.LoadState(st); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("unknown parameter accepted: %v", err)
	}
	st.Steps = map[string]int64{}
	st.Tensors = map[string]checkpoint.Array{"exp_avg/w": checkpoint.Float32Array([]float32{1, 2})}
	if err := adam.LoadState(st); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("wrong moment shape accepted: %v", err)
	}
}

// The fused Adam/AdamW update (backend.AdamUpdate, one call for the whole
// model) gives bit-identical weights and moments to the per-parameter Go
// sequence it replaced (optim.adam), over several steps with and without
// weight decay.
func TestFusedAdamMatchesPerOp(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wd := 0.03
	for _, c := range []OptimConfig{
		{Kind: "adam", LR: 0.01},
		{Kind: "adam", LR: 0.02, WeightDecay: &wd},
		{Kind: "adamw", LR: 0.005},
	} {
		t.Run(c.Kind, func(t *testing.T) {
			init := []float32{0.3, -0.7, 1.1, 2.5e-3, -4}
			grads := [][]float32{{0.1, -2, 0.5, 3e-4, 1}, {-0.3, 1.5, 0.25, -1e-3, 0}, {2, -0.01, 0.7, 5, -3}}
			vsA, wA := newToy(t, init)
			vsB, wB := newToy(t, init)
			oa, err := NewOptimizer(c, backend.Trainable(vsA))
			if err != nil {
				t.Fatal(err)
			}
			ob, _ := NewOptimizer(c, backend.Trainable(vsB))
			fused, perOp := oa.(*optim), ob.(*optim)
			for _, g := range grads {
				backwardLinear(t, wA, g)
				backwardLinear(t, wB, g)
				if err := fused.Step(); err != nil {
					t.Fatal(err)
				}
				err := backend.NoGrad(func() error {
					for _, p := range perOp.params {
						if err := perOp.stepParam(p); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range []*optim{fused, perOp} {
					if err := o.ZeroGrad(); err != nil {
						t.Fatal(err)
					}
				}
			}
			same := func(what string, a, b *ts.Tensor) {
				va, vb := values(t, a), values(t, b)
				for i := range va {
					if math.Float32bits(va[i]) != math.Float32bits(vb[i]) {
						t.Errorf("%s[%d]: fused %v, per-op %v", what, i, va[i], vb[i])
					}
				}
			}
			same("w", wA, wB)
			for _, slot := range []string{"exp_avg", "exp_avg_sq"} {
				same(slot, fused.slots[slot]["w"], perOp.slots[slot]["w"])
			}
			if g := values(t, mustGrad(t, wA)); g[0] != 0 || g[len(g)-1] != 0 {
				t.Errorf("gradient not zeroed: %v", g)
			}
		})
	}
}

func mustGrad(t *testing.T, w *ts.Tensor) *ts.Tensor {
	t.Helper()
	g, err := w.Grad(false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.MustDrop() })
	return g
}
