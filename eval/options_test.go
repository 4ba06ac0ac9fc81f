package eval

import (
	"strings"
	"testing"
)

func TestOptionReaderRenamed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    Options
		want    float64
		wantErr string
	}{
		{"new key", Options{"min_area_fraction": 0.2}, 0.2, ""},
		{"default", Options{}, 0.01, ""},
		{"old key", Options{"min_area": 0.2}, 0, "option min_area was renamed min_area_fraction"},
		{"both", Options{"min_area": 0.2, "min_area_fraction": 0.3}, 0, "renamed min_area_fraction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewOptionReader(tc.opts)
			r.Renamed("min_area", "min_area_fraction")
			got := r.Float("min_area_fraction", 0.01)
			err := r.Done()
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %v, %v; want %v, nil", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestOneNamePerOption: the post-processing options share one name across
// the map methods.
func TestOneNamePerOption(t *testing.T) {
	if _, err := New("sf-map", Options{"min_area": 0.1}); err == nil || !strings.Contains(err.Error(), "min_area_fraction") {
		t.Fatalf("sf-map with min_area: %v, want an error naming min_area_fraction", err)
	}
}
