// Package golden loads the network golden fixtures of the parity tests: the
// synthetic weights of a committed params.tsv (see internal/synthweights)
// and the reference input and output arrays that PyTorch produced with them.
package golden

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/sugarme/gotch"
	"github.com/sugarme/gotch/nn"
	"github.com/sugarme/gotch/ts"

	"github.com/mfif/mfif/data/npy"
	"github.com/mfif/mfif/internal/synthweights"
	"github.com/mfif/mfif/internal/testshared"
	"github.com/mfif/mfif/nets/backend"
)

// Committed is the fixture folder of a model package's own tests.
const Committed = "testdata/golden"

// ApplySynthetic copies the weights listed in dir/params.tsv into vs
// (strictly: every variable, nothing else, same shapes).
func ApplySynthetic(vs *nn.VarStore, dir string) error {
	path := filepath.Join(dir, "params.tsv")
	ps, err := synthweights.Read(path)
	if err != nil {
		return err
	}
	sd := make(map[string]*ts.Tensor, len(ps))
	defer func() {
		for _, x := range sd {
			backend.Drop(x)
		}
	}()
	for _, p := range ps {
		x, err := backend.FromFloat32(p.Values, p.Shape...)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, p.Name, err)
		}
		sd[p.Name] = x
	}
	if err := backend.ApplyStateDict(vs, sd, true); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// IO is one reference call: model(Input, Steps) = Output.
type IO struct {
	Input  *npy.Array
	Steps  []int64
	Output *npy.Array
}

// ReadIO reads dir/input.npy, t.npy and output.npy.
func ReadIO(dir string) (IO, error) {
	var io IO
	var err error
	if io.Input, err = npy.Read(filepath.Join(dir, "input.npy")); err != nil {
		return io, err
	}
	tt, err := npy.Read(filepath.Join(dir, "t.npy"))
	if err != nil {
		return io, err
	}
	for _, v := range tt.Data {
		io.Steps = append(io.Steps, int64(v))
	}
	if io.Output, err = npy.Read(filepath.Join(dir, "output.npy")); err != nil {
		return io, err
	}
	return io, nil
}

// InputTensor is the input as a float32 tensor on the backend's device.
func (io IO) InputTensor() (*ts.Tensor, error) {
	return backend.ArrayTensor(io.Input, gotch.Float)
}

// MaxAbsDiff compares got with the reference output, shape and values, and
// returns the largest absolute difference.
func (io IO) MaxAbsDiff(got *ts.Tensor) (float64, error) {
	shape, err := got.Size()
	if err != nil {
		return 0, err
	}
	if fmt.Sprint(shape) != fmt.Sprint(io.Output.Shape) {
		return 0, fmt.Errorf("output shape %v, reference %v", shape, io.Output.Shape)
	}
	vals, err := backend.Float64s(got)
	if err != nil {
		return 0, err
	}
	worst := 0.0
	for i, v := range vals {
		d := math.Abs(v - io.Output.Data[i])
		if math.IsNaN(d) {
			return math.Inf(1), nil
		}
		worst = math.Max(worst, d)
	}
	return worst, nil
}

// Forward runs a network on the golden input.
type Forward func(x *ts.Tensor, steps []int64) (*ts.Tensor, error)

// Compare runs the golden forward test of one network: on the committed
// fixture (dir Committed, synthetic weights) and, when the shared reference
// material holds it, on sharedStateDict (a path below ../shared, the golden
// state_dict whose input and output lie beside it). build makes the network
// in vs; its output must match the reference within tol.
func Compare(t *testing.T, sharedStateDict string, build func(vs *nn.VarStore) (Forward, error), tol float64) {
	cases := []struct {
		name string
		dir  func(t testing.TB) string
		load func(vs *nn.VarStore, dir string) error
	}{
		{"committed", func(testing.TB) string { return Committed }, ApplySynthetic},
		{"shared", func(t testing.TB) string { return testshared.Dir(t, filepath.Dir(sharedStateDict)) },
			func(vs *nn.VarStore, dir string) error {
				return backend.LoadStateDictInto(vs, filepath.Join(dir, filepath.Base(sharedStateDict)), true)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			err := backend.Run(func() error {
				vs := backend.NewVarStore()
				forward, err := build(vs)
				if err != nil {
					return err
				}
				if err := tc.load(vs, dir); err != nil {
					return err
				}
				io, err := ReadIO(dir)
				if err != nil {
					return err
				}
				x, err := io.InputTensor()
				if err != nil {
					return err
				}
				defer x.MustDrop()
				var out *ts.Tensor
				err = backend.NoGrad(func() error {
					out, err = forward(x, io.Steps)
					return err
				})
				if err != nil {
					return err
				}
				defer out.MustDrop()
				worst, err := io.MaxAbsDiff(out)
				if err != nil {
					return err
				}
				t.Logf("max |ours - reference| = %.3g over %d values (t = %v)", worst, len(io.Output.Data), io.Steps)
				if !(worst <= tol) {
					t.Errorf("max abs difference %.3g > %g", worst, tol)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
