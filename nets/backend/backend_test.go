package backend

import (
	"errors"
	"github.com/mfif/mfif/internal/memstat"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/ts"
)

func TestResolveDevice(t *testing.T) {
	cuda := CUDAAvailable()
	tests := []struct {
		in      string
		want    gotch.Device
		wantErr bool
	}{
		{"cpu", gotch.CPU, false},
		{"CPU", gotch.CPU, false},
		{"auto", map[bool]gotch.Device{true: gotch.CudaBuilder(0), false: gotch.CPU}[cuda], false},
		{"", map[bool]gotch.Device{true: gotch.CudaBuilder(0), false: gotch.CPU}[cuda], false},
		{"cuda", gotch.CudaBuilder(0), !cuda},
		{"cuda:0", gotch.CudaBuilder(0), !cuda},
		{"cuda:x", gotch.CPU, true},
		{"cuda:-1", gotch.CPU, true},
		{"tpu", gotch.CPU, true},
	}
	for _, tc := range tests {
		got, note, err := ResolveDevice(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ResolveDevice(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("ResolveDevice(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if !cuda && (tc.in == "auto" || tc.in == "") && !strings.Contains(note, "using the CPU") {
			t.Errorf("ResolveDevice(%q) without CUDA: note %q should say it uses the CPU", tc.in, note)
		}
	}
	if !cuda {
		for _, in := range []string{"cuda", "cuda:0"} {
			_, _, err := ResolveDevice(in)
			if err == nil || !strings.Contains(err.Error(), "docs/cuda.md") || !strings.Contains(err.Error(), "no usable CUDA") {
				t.Errorf("ResolveDevice(%q) on a CPU-only build: error %v should say so and point at docs/cuda.md", in, err)
			}
		}
	}
}

func randnValues(t *testing.T) []float64 {
	t.Helper()
	var vals []float64
	err := Run(func() error {
		x, err := ts.Randn([]int64{8}, gotch.Float, gotch.CPU)
		if err != nil {
			return err
		}
		defer Drop(x)
		vals, err = Float64s(x)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

func TestInitSeedAndThreads(t *testing.T) {
	prev := Threads()
	defer SetThreads(prev)
	if _, err := Init(Options{Seed: 7, Threads: 1, Device: "cpu"}); err != nil {
		t.Fatal(err)
	}
	if got := Threads(); got != 1 {
		t.Errorf("Threads() = %d after Init(Threads: 1)", got)
	}
	a := randnValues(t)
	ManualSeed(7)
	b := randnValues(t)
	ManualSeed(8)
	c := randnValues(t)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed gave different draws: %v vs %v", a, b)
		}
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Errorf("seeds 7 and 8 gave identical draws %v", a)
	}
	if _, err := Init(Options{Threads: -1, Device: "cpu"}); err == nil {
		t.Error("Init accepted Threads: -1")
	}
	if err := SetThreads(0); err == nil {
		t.Error("SetThreads(0) accepted")
	}
	if d := Device(); d != gotch.CPU {
		t.Errorf("Device() = %v after Init(cpu)", d)
	}
	if !strings.HasPrefix(Version(), "1.") && !strings.HasPrefix(Version(), "2.") {
		t.Errorf("Version() = %q", Version())
	}
}

// TestGradModeAcrossGoroutines runs many goroutines that flip grad mode and
// yield repeatedly; with Run/NoGrad each one must always see its own mode.
func TestGradModeAcrossGoroutines(t *testing.T) {
	const workers, iters = 8, 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	fail := func(s string) { mu.Lock(); bad = append(bad, s); mu.Unlock() }
	w, _ := ts.Ones([]int64{4, 4}, gotch.Float, gotch.CPU)
	w = w.MustSetRequiresGrad(true, true)
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				check := func(want bool) {
					for k := 0; k < 3; k++ {
						runtime.Gosched()
						if k == 1 {
							time.Sleep(50 * time.Microsecond)
						}
						if GradEnabled() != want {
							fail("grad mode changed under a locked goroutine")
						}
					}
					y, err := w.Mul(w, false)
					if err != nil {
						fail(err.Error())
						return
					}
					if rg, _ := y.RequiresGrad(); rg != want {
						fail("result requires_grad does not follow the goroutine's mode")
					}
					Drop(y)
				}
				if (g+i)%2 == 0 {
					_ = NoGrad(func() error { check(false); return nil })
				} else {
					_ = Run(func() error { check(true); return nil })
				}
			}
		}(g)
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d inconsistencies, first: %s", len(bad), bad[0])
	}
}

func TestNoGradRestoresAndRecovers(t *testing.T) {
	err := Run(func() error {
		err := NoGrad(func() error {
			if err := NoGrad(func() error { return nil }); err != nil {
				return err
			}
			if GradEnabled() {
				t.Error("nested NoGrad re-enabled grad")
			}
			return nil
		})
		if !GradEnabled() {
			t.Error("NoGrad did not restore grad mode")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = NoGrad(func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("NoGrad panic not turned into error: %v", err)
	}
	want := errors.New("plain")
	if err := NoGrad(func() error { return want }); !errors.Is(err, want) {
		t.Errorf("NoGrad lost the function's error: %v", err)
	}
	err = Run(func() error {
		// A panic inside (as from nets/layers' must helper on a libtorch
		// error) comes back as an error.
		return NoGrad(func() error {
			a := ts.MustOnes([]int64{2, 3}, gotch.Float, gotch.CPU)
			b := ts.MustOnes([]int64{4, 5}, gotch.Float, gotch.CPU)
			defer Drop(a, b)
			if _, err := a.Mm(b, false); err != nil {
				panic(err)
			}
			return nil
		})
	})
	if err == nil || !strings.Contains(err.Error(), "libtorch") {
		t.Errorf("libtorch error not returned: %v", err)
	}
}

func TestScope(t *testing.T) {
	// In LeakedHandles, so finalizers of earlier tests' garbage cannot
	// change the live count while it is read.
	leaked, _ := LeakedHandles(func() error {
		live := LiveTensors()
		s := NewScope()
		a := s.Add(ts.MustOnes([]int64{2}, gotch.Float, gotch.CPU))
		b := s.Add(ts.MustOnes([]int64{2}, gotch.Float, gotch.CPU))
		c := s.Add(ts.MustOnes([]int64{2}, gotch.Float, gotch.CPU))
		kept := s.Keep(s.Add(ts.MustOnes([]int64{2}, gotch.Float, gotch.CPU)))
		d := s.Add(a.MustMulScalar(s.Float(3), false))
		s.Release(c)
		if s.Len() != 3 {
			t.Fatalf("Len = %d, want 3", s.Len())
		}
		if c.Ctensor() != nil {
			t.Error("Release left the tensor alive")
		}
		if got := LiveTensors() - live; got != 4 {
			t.Errorf("%d live tensors before Close, want 4", got)
		}
		s.Close()
		s.Close()
		if a.Ctensor() != nil || b.Ctensor() != nil || d.Ctensor() != nil {
			t.Error("Close left tensors alive")
		}
		if kept.Ctensor() == nil {
			t.Error("Close dropped a kept tensor")
		}
		Drop(kept, nil)
		if s.Add(nil) != nil {
			t.Error("Add(nil) != nil")
		}
		return nil
	})
	if leaked != 0 {
		t.Errorf("%d tensors still live after Close and Drop", leaked)
	}
}

// TestScopeKeepsRSSFlat runs 200 small SGD steps of a linear model, each in
// its own Scope, and checks resident memory stops growing once warm.
func TestScopeKeepsRSSFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ManualSeed(1)
	w := ts.MustRandn([]int64{64, 64}, gotch.Float, gotch.CPU).MustSetRequiresGrad(true, true)
	defer Drop(w)
	step := func() error {
		return WithScope(func(s *Scope) error {
			x := s.Add(ts.MustRandn([]int64{32, 64}, gotch.Float, gotch.CPU))
			y := s.Add(x.MustMm(w, false))
			loss := s.Add(s.Add(y.MustMul(y, false)).MustMean(gotch.Float, false))
			loss.MustBackward()
			g := s.Add(w.MustGrad(false))
			return NoGrad(func() error {
				upd := s.Add(g.MustMulScalar(s.Float(1e-3), false))
				w.Copy_(s.Add(w.MustSub(upd, false)))
				g.Copy_(s.Add(g.MustZerosLike(false)))
				return nil
			})
		})
	}
	var rss []int64
	for i := 1; i <= 200; i++ {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		if i == 50 || i == 200 {
			runtime.GC()
			rss = append(rss, memstat.Resident())
		}
	}
	growth := rss[1] - rss[0]
	t.Logf("RSS after 50 steps %.1f MiB, after 200 steps %.1f MiB (growth %.2f MiB)",
		float64(rss[0])/(1<<20), float64(rss[1])/(1<<20), float64(growth)/(1<<20))
	if growth > 16<<20 {
		t.Errorf("RSS grew %.1f MiB over 150 scoped steps", float64(growth)/(1<<20))
	}
}

// TestConvolutionsRight: after the self-check, float32 convolutions whose
// channel counts are off oneDNN's block size agree with float64 (on
// Debian 13's libtorch 2.6 only because oneDNN was limited to SSE4.1 or
// turned off, which the note then says).
func TestConvolutionsRight(t *testing.T) {
	note := ConvNote()
	e := convSelfCheck()
	if e < 0 || e > convTolerance {
		t.Fatalf("after the self-check, float32 convolutions are off by %g relative (note %q)", e, note)
	}
	off := !OneDNN()
	capped := strings.Contains(note, "limited to SSE4.1")
	if off && (note == "" || capped) || !off && note != "" && !capped {
		t.Errorf("oneDNN off %v but note %q", off, note)
	}
	if v := oneDNNVersion(); v != "" {
		t.Logf("oneDNN %s (a separate library)", v)
	}
	t.Logf("worst relative error %.2g; note %q", e, note)
}
