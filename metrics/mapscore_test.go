package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

// maskOf builds a one-plane image from rows of '1' (value 1), 'h' (0.5)
// and '0' characters.
func maskOf(rows ...string) *data.Image {
	m := data.NewImage(len(rows[0]), len(rows), 1)
	for y, r := range rows {
		for x, c := range r {
			m.Set(0, x, y, map[rune]float64{'1': 1, 'h': 0.5}[c])
		}
	}
	return m
}

func TestMapScores(t *testing.T) {
	// The true mask: source 1 in focus on columns 0..3 of 8; its boundary
	// (pixels differing from the east, south or south-east neighbour) is
	// column 3, four pixels.
	truth := maskOf("11110000", "11110000", "11110000", "11110000")
	for _, tc := range []struct {
		name    string
		pred    *data.Image
		truth   *data.Image
		tol     float64
		acc     float64
		p, r, f float64
		np, nt  int
	}{
		{"identical", truth, truth, 2, 1, 1, 1, 1, 4, 4},
		// 0.5 counts as 1: row 0 agrees, (7,2) becomes a one-pixel island
		// whose boundary (6,1), (7,1), (6,2), (7,2) lies 3-4 px away.
		{"half values count as 1", maskOf("hhhh0000", "11110000", "1111000h", "11110000"), truth, 2, 31.0 / 32, 0.5, 1, 2 * 0.5 / 1.5, 8, 4},
		// The complement has the same boundary: BoundaryF is blind to which
		// side is which, MapAccuracy is not.
		{"complement", maskOf("00001111", "00001111", "00001111", "00001111"), truth, 2, 0, 1, 1, 1, 4, 4},
		{"shift 1 px, tol 2", maskOf("11111000", "11111000", "11111000", "11111000"), truth, 2, 28.0 / 32, 1, 1, 1, 4, 4},
		{"shift 1 px, tol 0", maskOf("11111000", "11111000", "11111000", "11111000"), truth, 0, 28.0 / 32, 0, 0, 0, 4, 4},
		{"shift 1 px, negative tol", maskOf("11111000", "11111000", "11111000", "11111000"), truth, -3, 28.0 / 32, 0, 0, 0, 4, 4},
		// A hole at (1,1) adds boundary pixels (0,0), (1,0), (0,1), (1,1):
		// (1,0) and (1,1) lie 2 px from column 3, the others 3 px.
		{"hole, tol 2", maskOf("11110000", "10110000", "11110000", "11110000"), truth, 2, 31.0 / 32, 0.75, 1, 2 * 0.75 / 1.75, 8, 4},
		{"hole, tol 1", maskOf("11110000", "10110000", "11110000", "11110000"), truth, 1, 31.0 / 32, 0.5, 1, 2 * 0.5 / 1.5, 8, 4},
		{"hole, tol 3", maskOf("11110000", "10110000", "11110000", "11110000"), truth, 3, 31.0 / 32, 1, 1, 1, 8, 4},
		{"no decision boundary", maskOf("00000000", "00000000", "00000000", "00000000"), truth, 2, 0.5, 1, 0, 0, 0, 4},
		{"no true boundary", truth, maskOf("11111111", "11111111", "11111111", "11111111"), 2, 0.5, 0, 1, 0, 4, 0},
		{"no boundary anywhere", maskOf("000", "000"), maskOf("000", "000"), 2, 1, 1, 1, 1, 0, 0},
		// A diagonal step: distance sqrt(2) is matched at tol 1.5, not at 1.
		{"diagonal, tol 1.5", maskOf("100", "000", "000"), maskOf("000", "010", "000"), 1.5, 7.0 / 9, 1, 1, 1, 1, 4},
		{"diagonal, tol 1", maskOf("100", "000", "000"), maskOf("000", "010", "000"), 1, 7.0 / 9, 1, 0.75, 2 * 0.75 / 1.75, 1, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acc, err := MapAccuracy(tc.pred, tc.truth)
			if err != nil {
				t.Fatal(err)
			}
			s, err := BoundaryF(tc.pred, tc.truth, tc.tol)
			if err != nil {
				t.Fatal(err)
			}
			close := func(a, b float64) bool { return math.Abs(a-b) < 1e-15 }
			if !close(acc, tc.acc) || !close(s.Precision, tc.p) || !close(s.Recall, tc.r) || !close(s.F, tc.f) || s.Pred != tc.np || s.Truth != tc.nt {
				t.Errorf("acc %v P %v R %v F %v (%d/%d boundary px), want %v %v %v %v (%d/%d)",
					acc, s.Precision, s.Recall, s.F, s.Pred, s.Truth, tc.acc, tc.p, tc.r, tc.f, tc.np, tc.nt)
			}
		})
	}
}

func TestMapScoreErrors(t *testing.T) {
	m := maskOf("10", "01")
	rgb := data.NewImage(2, 2, 3)
	for _, tc := range []struct {
		name        string
		pred, truth *data.Image
		tol         float64
		want        string
	}{
		{"size", m, maskOf("100", "010"), 2, "size mismatch"},
		{"planes", rgb, m, 2, "decision map has 3 planes"},
		{"nil mask", m, nil, 2, "true mask is missing"},
		{"empty", data.NewImage(0, 0, 1), data.NewImage(0, 0, 1), 2, "empty"},
	} {
		if _, err := MapAccuracy(tc.pred, tc.truth); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: MapAccuracy error %v, want %q", tc.name, err, tc.want)
		}
		if _, err := BoundaryF(tc.pred, tc.truth, tc.tol); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: BoundaryF error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := BoundaryF(m, m, math.NaN()); err == nil || !strings.Contains(err.Error(), "tolerance") {
		t.Errorf("NaN tolerance: %v", err)
	}
}
