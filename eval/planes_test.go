package eval

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

// TestMixedGrayColour: every classical method fuses a gray source beside a
// colour one (in either order) into a colour image, exactly as if the gray
// source had been given as three equal planes.
func TestMixedGrayColour(t *testing.T) {
	_, a, b := scene(24, 20, 3, 5)
	gray := &data.Image{W: a.W, H: a.H, Depth: 8, Planes: [][]float64{append([]float64(nil), a.Planes[1]...)}}
	rep := &data.Image{W: a.W, H: a.H, Depth: 8, Planes: [][]float64{gray.Planes[0], gray.Planes[0], gray.Planes[0]}}
	for _, name := range Names() {
		for _, order := range []struct {
			what       string
			mixed, rgb []*data.Image
		}{
			{"gray first", []*data.Image{gray, b}, []*data.Image{rep, b}},
			{"gray second", []*data.Image{b, gray}, []*data.Image{b, rep}},
		} {
			m := mustNew(t, name, nil)
			got, err := m.Fuse(order.mixed)
			if err != nil {
				t.Errorf("%s, %s: %v", name, order.what, err)
				continue
			}
			want, err := m.Fuse(order.rgb)
			if err != nil {
				t.Fatal(err)
			}
			if got.Fused.C() != 3 || !reflect.DeepEqual(got.Fused.Planes, want.Fused.Planes) {
				t.Errorf("%s, %s: %d planes, differs from the replicated gray source", name, order.what, got.Fused.C())
			}
			if gray.C() != 1 {
				t.Fatalf("%s modified its gray source", name)
			}
		}
	}
}

func TestMatchPlanes(t *testing.T) {
	rgb, gray, two := data.NewImage(4, 3, 3), data.NewImage(4, 3, 1), data.NewImage(4, 3, 2)
	gray.Planes[0][5] = 9
	tests := []struct {
		name   string
		in     []*data.Image
		planes []int
		err    string
	}{
		{"all colour", []*data.Image{rgb, rgb}, []int{3, 3}, ""},
		{"all gray", []*data.Image{gray, gray}, []int{1, 1}, ""},
		{"gray beside colour", []*data.Image{gray, rgb, gray}, []int{3, 3, 3}, ""},
		{"two planes beside three", []*data.Image{rgb, two}, nil, "source 1 has 2 planes"},
		{"nil", []*data.Image{rgb, nil}, nil, "nil source"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := MatchPlanes(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range out {
				if m.C() != tc.planes[i] {
					t.Errorf("source %d: %d planes, want %d", i, m.C(), tc.planes[i])
				}
				if tc.in[i].C() == m.C() && tc.in[i] != m {
					t.Errorf("source %d was copied although it already matched", i)
				}
				if tc.in[i].C() == 1 && m.C() == 3 && (m.Planes[2][5] != 9 || &m.Planes[0][0] == &tc.in[i].Planes[0][0]) {
					t.Errorf("source %d: replicated planes must be copies of the gray plane", i)
				}
			}
		})
	}
}

// registerTemp registers a method for the duration of the test.
func registerTemp(t *testing.T, info Info, f Factory) {
	t.Helper()
	Register(info, f)
	t.Cleanup(func() { methods.Remove(info.Name) })
}

// closer is a test method that counts builds and closes.
type closer struct{ closed *int }

func (closer) Fuse(srcs []*data.Image) (*Result, error) { return &Result{Fused: srcs[0]}, nil }
func (c closer) Close() error {
	*c.closed++
	return errors.New("closed")
}

func TestCloseAndCheckOptions(t *testing.T) {
	var built, closed, checked int
	registerTemp(t, Info{Name: "test-closer"}, func(opts Options) (Method, error) {
		r := NewOptionReader(opts)
		r.Int("k", 0)
		built++
		return closer{&closed}, r.Done()
	})
	registerTemp(t, Info{Name: "test-cheap-check", CheckOptions: func(opts Options) error {
		checked++
		if _, ok := opts["bad"]; ok {
			return errors.New("option bad: no")
		}
		return nil
	}}, func(Options) (Method, error) {
		built++
		return closer{&closed}, nil
	})
	if err := Close(nil); err != nil {
		t.Errorf("Close(nil) = %v", err)
	}
	if err := Close(mustNew(t, "average", nil)); err != nil {
		t.Errorf("Close(average) = %v", err)
	}
	if err := CheckOptions("test-closer", Options{"k": 2}); err == nil || !strings.Contains(err.Error(), "close: closed") {
		t.Errorf("CheckOptions must close what it built and report the close error: %v", err)
	}
	if built != 1 || closed != 1 {
		t.Errorf("built %d, closed %d: want 1 and 1", built, closed)
	}
	if err := CheckOptions("test-closer", Options{"kk": 2}); err == nil || !strings.Contains(err.Error(), "kk") {
		t.Errorf("unknown option: %v", err)
	}
	if err := CheckOptions("test-cheap-check", Options{"bad": 1}); err == nil || !strings.Contains(err.Error(), "method test-cheap-check: option bad") {
		t.Errorf("Info.CheckOptions error: %v", err)
	}
	if err := CheckOptions("test-cheap-check", nil); err != nil || checked != 2 || built != 2 {
		t.Errorf("Info.CheckOptions must be used instead of building: err %v, checked %d, built %d", err, checked, built)
	}
	if err := CheckOptions("nope", nil); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown method: %v", err)
	}
}
