package layers

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/mfif/mfif/nets/backend"
	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"
)

func run(t *testing.T, fn func() error) {
	t.Helper()
	if err := backend.Run(fn); err != nil {
		t.Fatal(err)
	}
}

func values(t *testing.T, x *ts.Tensor) []float64 {
	t.Helper()
	v, err := backend.Float64s(x)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func shape(t *testing.T, x *ts.Tensor) []int64 {
	t.Helper()
	s, err := x.Size()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestShapesAndNames(t *testing.T) {
	vs := nn.NewVarStore(gotch.CPU)
	root := vs.Root()
	run(t, func() error {
		conv, err := NewConv2d(Sub(root, "enc.conv"), 3, 5, 3, ConvOpts{Padding: 1})
		if err != nil {
			return err
		}
		up, err := NewConvTranspose2d(Sub(root, "dec.up"), 4, 2, 2, ConvOpts{Stride: 2})
		if err != nil {
			return err
		}
		lin, err := NewLinear(root.Sub("fc"), 7, 3, false)
		if err != nil {
			return err
		}
		if _, err := NewGroupNorm(root.Sub("gn"), 2, 4, 0); err != nil {
			return err
		}
		if _, err := NewBatchNorm2d(root.Sub("bn"), 5, 0, 0); err != nil {
			return err
		}
		x := ts.MustOnes([]int64{2, 3, 8, 8}, gotch.Float, gotch.CPU)
		tests := []struct {
			name string
			got  *ts.Tensor
			want []int64
		}{
			{"conv", conv.Forward(x), []int64{2, 5, 8, 8}},
			{"convT", up.Forward(ts.MustOnes([]int64{2, 4, 3, 5}, gotch.Float, gotch.CPU)), []int64{2, 2, 6, 10}},
			{"linear", lin.Forward(ts.MustOnes([]int64{4, 7}, gotch.Float, gotch.CPU)), []int64{4, 3}},
			{"convT.weight", up.Weight, []int64{4, 2, 2, 2}},
			{"conv.weight", conv.Weight, []int64{5, 3, 3, 3}},
		}
		for _, tc := range tests {
			if got := shape(t, tc.got); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s shape %v, want %v", tc.name, got, tc.want)
			}
		}
		return nil
	})
	var names []string
	for n := range vs.Variables() {
		names = append(names, n)
	}
	sort.Strings(names)
	want := "[bn.bias bn.num_batches_tracked bn.running_mean bn.running_var bn.weight dec.up.bias dec.up.weight enc.conv.bias enc.conv.weight fc.bias fc.weight gn.bias gn.weight]"
	if fmt.Sprint(names) != want {
		t.Errorf("names\n got %v\nwant %s", names, want)
	}
}

// TestConvTranspose2dByHand checks in != out against the definition: with
// kernel 2 and stride 2 the output blocks do not overlap, so
// out[o, 2y+i, 2x+j] = b[o] + sum_c in[c, y, x] * W[c, o, i, j].
func TestConvTranspose2dByHand(t *testing.T) {
	const cin, cout, h, w = 3, 2, 2, 3
	vs := nn.NewVarStore(gotch.CPU)
	run(t, func() error {
		ct, err := NewConvTranspose2d(vs.Root().Sub("up"), cin, cout, 2, ConvOpts{Stride: 2})
		if err != nil {
			return err
		}
		W := make([]float64, cin*cout*4)
		for i := range W {
			W[i] = float64(i%7) - 3 + 0.5*float64(i/7)
		}
		B := []float64{0.25, -1}
		X := make([]float64, cin*h*w)
		for i := range X {
			X[i] = float64(i%5) - 2
		}
		if err := backend.NoGrad(func() error {
			ct.Weight.Copy_(ts.MustOfSlice(W).MustView([]int64{cin, cout, 2, 2}, true).MustTotype(gotch.Float, true))
			ct.Bias.Copy_(ts.MustOfSlice(B).MustTotype(gotch.Float, true))
			return nil
		}); err != nil {
			return err
		}
		x := ts.MustOfSlice(X).MustView([]int64{1, cin, h, w}, true).MustTotype(gotch.Float, true)
		got := values(t, ct.Forward(x))
		for o := 0; o < cout; o++ {
			for y := 0; y < h; y++ {
				for xx := 0; xx < w; xx++ {
					for i := 0; i < 2; i++ {
						for j := 0; j < 2; j++ {
							want := B[o]
							for c := 0; c < cin; c++ {
								want += X[(c*h+y)*w+xx] * W[((c*cout+o)*2+i)*2+j]
							}
							g := got[(o*2*h+2*y+i)*2*w+2*xx+j]
							if math.Abs(g-want) > 1e-4 {
								t.Fatalf("out[%d,%d,%d] = %g, want %g", o, 2*y+i, 2*xx+j, g, want)
							}
						}
					}
				}
			}
		}
		return nil
	})
}

func uniformStats(v []float64) (maxAbs, std float64) {
	var s, s2 float64
	for _, x := range v {
		maxAbs = math.Max(maxAbs, math.Abs(x))
		s += x
		s2 += x * x
	}
	n := float64(len(v))
	return maxAbs, math.Sqrt(s2/n - (s/n)*(s/n))
}

// TestInitStatistics checks weights follow U(-b, b) with PyTorch's bound
// b = 1/sqrt(fan_in): all within the bound, std close to b/sqrt(3).
func TestInitStatistics(t *testing.T) {
	backend.ManualSeed(3)
	vs := nn.NewVarStore(gotch.CPU)
	root := vs.Root()
	run(t, func() error {
		conv, err := NewConv2d(root.Sub("c"), 64, 64, 3, ConvOpts{})
		if err != nil {
			return err
		}
		ct, err := NewConvTranspose2d(root.Sub("t"), 16, 32, 4, ConvOpts{})
		if err != nil {
			return err
		}
		lin, err := NewLinear(root.Sub("l"), 100, 300, false)
		if err != nil {
			return err
		}
		tests := []struct {
			name  string
			w     *ts.Tensor
			fanIn float64
		}{
			{"conv.weight", conv.Weight, 64 * 9},
			{"convT.weight", ct.Weight, 32 * 16},
			{"linear.weight", lin.Weight, 100},
			{"linear.bias", lin.Bias, 100},
		}
		for _, tc := range tests {
			bound := 1 / math.Sqrt(tc.fanIn)
			maxAbs, std := uniformStats(values(t, tc.w))
			if maxAbs > bound*(1+1e-6) {
				t.Errorf("%s: |w| up to %g exceeds bound %g", tc.name, maxAbs, bound)
			}
			tol := 0.05
			if tc.name == "linear.bias" {
				tol = 0.25 // only 300 samples
			}
			if want := bound / math.Sqrt(3); math.Abs(std-want) > tol*want {
				t.Errorf("%s: std %g, want %g", tc.name, std, want)
			}
		}
		return nil
	})
}

func TestBatchNormTrainEval(t *testing.T) {
	vs := nn.NewVarStore(gotch.CPU)
	run(t, func() error {
		bn, err := NewBatchNorm2d(vs.Root().Sub("bn"), 2, 0, 0)
		if err != nil {
			return err
		}
		// channel 0 holds 1..4, channel 1 holds 10 everywhere.
		x := ts.MustOfSlice([]float32{1, 2, 3, 4, 10, 10, 10, 10}).MustView([]int64{1, 2, 2, 2}, true)
		y := values(t, bn.ForwardT(x, true))
		mean0, var0 := 2.5, 1.25 // biased variance normalises
		if got, want := y[0], (1-mean0)/math.Sqrt(var0+1e-5); math.Abs(got-want) > 1e-4 {
			t.Errorf("train output %g, want %g", got, want)
		}
		rm, rv := values(t, bn.RunningMean), values(t, bn.RunningVar)
		// running stats use the unbiased variance: 4/3*1.25.
		if math.Abs(rm[0]-0.25) > 1e-6 || math.Abs(rm[1]-1) > 1e-6 || math.Abs(rv[0]-(0.9+0.1*5.0/3)) > 1e-6 || math.Abs(rv[1]-0.9) > 1e-6 {
			t.Errorf("running stats mean %v var %v", rm, rv)
		}
		if n := values(t, bn.NumBatchesTracked); n[0] != 1 {
			t.Errorf("num_batches_tracked = %v", n)
		}
		e := values(t, bn.ForwardT(x, false))
		if want := (1 - 0.25) / math.Sqrt(rv[0]+1e-5); math.Abs(e[0]-want) > 1e-4 {
			t.Errorf("eval output %g, want %g", e[0], want)
		}
		if n := values(t, bn.NumBatchesTracked); n[0] != 1 {
			t.Errorf("eval changed num_batches_tracked to %v", n)
		}
		return nil
	})
}

func TestGroupNormAndActivations(t *testing.T) {
	vs := nn.NewVarStore(gotch.CPU)
	run(t, func() error {
		gn, err := NewGroupNorm(vs.Root().Sub("gn"), 2, 4, 0)
		if err != nil {
			return err
		}
		backend.ManualSeed(5)
		x := ts.MustRandn([]int64{1, 4, 4, 4}, gotch.Float, gotch.CPU).MustMulScalar(ts.FloatScalar(3), true)
		y := values(t, gn.Forward(x))
		for g := 0; g < 2; g++ {
			var s, s2 float64
			part := y[g*32 : (g+1)*32]
			for _, v := range part {
				s += v
				s2 += v * v
			}
			if m, v := s/32, s2/32-(s/32)*(s/32); math.Abs(m) > 1e-4 || math.Abs(v-1) > 1e-3 {
				t.Errorf("group %d mean %g var %g", g, m, v)
			}
		}
		in := ts.MustOfSlice([]float32{-2, 0, 3})
		silu, relu := values(t, SiLU{}.Forward(in)), values(t, ReLU{}.Forward(in))
		for i, v := range []float64{-2, 0, 3} {
			if want := v / (1 + math.Exp(-v)); math.Abs(silu[i]-want) > 1e-5 {
				t.Errorf("silu(%g) = %g, want %g", v, silu[i], want)
			}
			if want := math.Max(v, 0); relu[i] != want {
				t.Errorf("relu(%g) = %g", v, relu[i])
			}
		}
		return nil
	})
}

func TestBadArguments(t *testing.T) {
	root := nn.NewVarStore(gotch.CPU).Root()
	tests := []struct {
		name string
		err  error
	}{
		{"conv groups", func() error { _, err := NewConv2d(root.Sub("a"), 3, 4, 3, ConvOpts{Groups: 2}); return err }()},
		{"conv zero k", func() error { _, err := NewConv2d(root.Sub("b"), 3, 4, 0, ConvOpts{}); return err }()},
		{"convT outpad", func() error {
			_, err := NewConvTranspose2d(root.Sub("c"), 3, 4, 2, ConvOpts{Stride: 2, OutputPadding: 2})
			return err
		}()},
		{"linear", func() error { _, err := NewLinear(root.Sub("d"), 0, 4, false); return err }()},
		{"groupnorm", func() error { _, err := NewGroupNorm(root.Sub("e"), 3, 4, 0); return err }()},
		{"batchnorm", func() error { _, err := NewBatchNorm2d(root.Sub("f"), 0, 0, 0); return err }()},
	}
	for _, tc := range tests {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	err := backend.Run(func() error {
		c, _ := NewConv2d(root.Sub("g"), 3, 4, 3, ConvOpts{})
		c.Forward(ts.MustOnes([]int64{1, 2, 8, 8}, gotch.Float, gotch.CPU))
		return nil
	})
	if err == nil {
		t.Error("conv with wrong input channels did not fail")
	}
}

func ExampleSub() {
	vs := nn.NewVarStore(gotch.CPU)
	_, err := NewConv2d(Sub(vs.Root(), "down.0.conv"), 1, 8, 3, ConvOpts{Padding: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	var names []string
	for n := range vs.Variables() {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Println(names)
	// Output: [down.0.conv.bias down.0.conv.weight]
}
