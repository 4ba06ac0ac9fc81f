package eval

import (
	"math"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

// mapFromRows builds a one-plane map from strings: '1' -> 1, '0' -> 0,
// 'h' -> 0.5, 'l' -> 0.49, 'u' -> 0.51.
func mapFromRows(rows ...string) *data.Image {
	m := data.NewImage(len(rows[0]), len(rows), 1)
	vals := map[rune]float64{'1': 1, '0': 0, 'h': 0.5, 'l': 0.49, 'u': 0.51}
	for y, r := range rows {
		for x, c := range r {
			m.Set(0, x, y, vals[c])
		}
	}
	return m
}

func rowsOf(m *data.Image) []string {
	out := make([]string, m.H)
	for y := range m.H {
		var b strings.Builder
		for x := range m.W {
			if m.At(0, x, y) >= 0.5 {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
		out[y] = b.String()
	}
	return out
}

func TestPostProcessRegions(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		frac float64
		want []string
	}{
		{
			// 36 pixels: threshold 0.05*36 = 1.8, so a 1-pixel island flips
			// and a 2-pixel island stays.
			name: "small-ones-island-flipped",
			in:   []string{"000000", "010000", "000000", "000011", "000000", "000000"},
			frac: 0.05,
			want: []string{"000000", "000000", "000000", "000011", "000000", "000000"},
		},
		{
			name: "small-zeros-island-flipped",
			in:   []string{"111111", "101111", "111111", "111001", "111111", "111111"},
			frac: 0.05,
			want: []string{"111111", "111111", "111111", "111001", "111111", "111111"},
		},
		{
			// Diagonal neighbours are not connected (4-connectivity): two
			// diagonal 1-pixels are two regions of area 1.
			name: "diagonal-not-connected",
			in:   []string{"000000", "010000", "001000", "000000", "000000", "000000"},
			frac: 0.05,
			want: []string{"000000", "000000", "000000", "000000", "000000", "000000"},
		},
		{
			name: "both-classes-halves-kept",
			in:   []string{"111000", "111000", "101000", "111010", "111000", "111000"},
			frac: 0.05,
			want: []string{"111000", "111000", "111000", "111000", "111000", "111000"},
		},
		{
			name: "area-zero-keeps-everything",
			in:   []string{"0100", "0000", "0010"},
			frac: 0,
			want: []string{"0100", "0000", "0010"},
		},
		{
			name: "threshold-exactly-half-is-one",
			in:   []string{"hl", "uh"},
			frac: 0,
			want: []string{"10", "11"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mapFromRows(tc.in...)
			before := in.Clone()
			opt := DefaultPostOptions()
			opt.MinAreaFraction = tc.frac
			got, err := PostProcess(in, nil, opt)
			if err != nil {
				t.Fatal(err)
			}
			if g := rowsOf(got); strings.Join(g, "/") != strings.Join(tc.want, "/") {
				t.Fatalf("got %v want %v", g, tc.want)
			}
			for i, v := range got.Planes[0] {
				if v != 0 && v != 1 {
					t.Fatalf("sample %d = %v, not binary", i, v)
				}
			}
			for i := range in.Planes[0] {
				if in.Planes[0][i] != before.Planes[0][i] {
					t.Fatal("input map modified")
				}
			}
		})
	}
}

func TestPostProcessGuidedSmoothing(t *testing.T) {
	const w, h = 24, 16
	m := data.NewImage(w, h, 1)
	guide := data.NewImage(w, h, 3)
	for y := range h {
		for x := range w {
			if x < w/2 {
				m.Set(0, x, y, 0.9)
			}
			for c := range 3 {
				guide.Set(c, x, y, float64((x*37+y*11+c*50)%256))
			}
		}
	}
	opt := DefaultPostOptions()
	opt.GuidedRadius, opt.GuidedEps = 4, 0.1
	got, err := PostProcess(m, guide, opt)
	if err != nil {
		t.Fatal(err)
	}
	soft := 0
	for i, v := range got.Planes[0] {
		if v < 0 || v > 1 {
			t.Fatalf("sample %d = %v outside [0,1]", i, v)
		}
		if v > 0 && v < 1 {
			soft++
		}
	}
	if soft == 0 {
		t.Fatal("guided smoothing left the map binary")
	}
	// Far from the edge the map stays decided.
	if got.At(0, 1, 8) < 0.9 || got.At(0, w-2, 8) > 0.1 {
		t.Fatalf("far samples %v %v", got.At(0, 1, 8), got.At(0, w-2, 8))
	}
}

func TestPostProcessErrors(t *testing.T) {
	good := mapFromRows("01", "10")
	three := data.NewImage(2, 2, 3)
	nan := mapFromRows("01", "10")
	nan.Planes[0][0] = math.NaN()
	smoothing := DefaultPostOptions()
	smoothing.GuidedRadius = 2
	for _, tc := range []struct {
		name  string
		m     *data.Image
		guide *data.Image
		opt   PostOptions
		want  string
	}{
		{"nil-map", nil, nil, DefaultPostOptions(), "nil"},
		{"colour-map", three, nil, DefaultPostOptions(), "planes"},
		{"nan", nan, nil, DefaultPostOptions(), "non-finite"},
		{"bad-fraction", good, nil, PostOptions{Threshold: 0.5, MinAreaFraction: 2}, "area fraction"},
		{"missing-guide", good, nil, smoothing, "guide is nil"},
		{"guide-size", good, data.NewImage(3, 2, 1), smoothing, "size mismatch: 3x2 vs 2x2"},
		{"zero-eps", good, good, PostOptions{Threshold: 0.5, GuidedRadius: 1}, "eps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PostProcess(tc.m, tc.guide, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want mention of %q", err, tc.want)
			}
		})
	}
}

func TestFuseWithMap(t *testing.T) {
	a := data.NewImage(2, 1, 3)
	b := data.NewImage(2, 1, 3)
	for c := range 3 {
		a.Planes[c] = []float64{100, 200}
		b.Planes[c] = []float64{0, 40}
	}
	d := &data.Image{W: 2, H: 1, Planes: [][]float64{{1, 0.25}}}
	f, err := FuseWithMap(a, b, d)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 3 {
		if f.At(c, 0, 0) != 100 || f.At(c, 1, 0) != 80 {
			t.Fatalf("plane %d: %v", c, f.Planes[c])
		}
	}
	for _, tc := range []struct {
		name    string
		a, b, d *data.Image
		want    string
	}{
		{"size", a, data.NewImage(3, 1, 3), d, "size mismatch: 2x1 vs 3x1"},
		{"planes", a, data.NewImage(2, 1, 1), d, "planes"},
		{"range", a, b, &data.Image{W: 2, H: 1, Planes: [][]float64{{1.5, 0}}}, "outside [0,1]"},
		{"map-planes", a, b, data.NewImage(2, 1, 2), "map has 2 planes"},
	} {
		if _, err := FuseWithMap(tc.a, tc.b, tc.d); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want mention of %q", tc.name, err, tc.want)
		}
	}
}
