package report

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPlotsWithPartialMetric: a metric only some methods have (the
// decision-map scores) is plotted for those methods only, and a metric no
// method has is not plotted.
func TestPlotsWithPartialMetric(t *testing.T) {
	r := NewResults(Provenance{}, []MetricInfo{{Name: "Q_G"}, {Name: "MapAcc"}, {Name: "none"}})
	r.Add("average", "a", map[string]float64{"Q_G": 0.5})
	r.Add("average", "b", map[string]float64{"Q_G": 0.6})
	r.Add("sf-map", "a", map[string]float64{"Q_G": 0.7, "MapAcc": 0.9})
	r.Add("sf-map", "b", map[string]float64{"Q_G": 0.8, "MapAcc": 0.95})
	if err := r.Summarize(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ResultsBars(filepath.Join(dir, "bars.png"), r); err != nil {
		t.Fatal(err)
	}
	paths, err := ResultsBoxes(dir, "png", r)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("box plots %v, want Q_G and MapAcc", paths)
	}
	if _, err := os.Stat(filepath.Join(dir, "box_none.png")); !os.IsNotExist(err) {
		t.Errorf("a metric without scores was plotted: %v", err)
	}
}
