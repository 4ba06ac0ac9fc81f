package experiment

import (
	"slices"
	"strings"
	"testing"

	"github.com/mfif/mfif/metrics"
)

// TestSpecSuites: suites: appends each suite's keys after the listed
// metrics, in the toolkit's order and without duplicates; an unknown suite
// is an error naming the key and the known suites.
func TestSpecSuites(t *testing.T) {
	doc := "name: x\ndatasets: {d: {path: p}}\nmethods: [{name: average}]\nmetrics: [Q_G, cddfuse.EN]\nsuites: [cddfuse, zhengliu]\n"
	s, err := Parse([]byte(doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	cdd, _ := metrics.LookupSuite("cddfuse")
	zl, _ := metrics.LookupSuite("zhengliu")
	want := append(append([]string{"Q_G"}, cdd.Keys()...), zl.Keys()...)
	if !slices.Equal(s.Metrics, want) {
		t.Errorf("metrics %v, want %v", s.Metrics, want)
	}
	only, err := Parse([]byte("name: x\ndatasets: {d: {path: p}}\nmethods: [{name: average}]\nsuites: [zhengliu]\n"), nil)
	if err != nil || !slices.Equal(only.Metrics, zl.Keys()) {
		t.Errorf("suites alone: %v %v", only.Metrics, err)
	}
	_, err = Parse([]byte("name: x\ndatasets: {d: {path: p}}\nmethods: [{name: average}]\nsuites: [zhengliu, nosuch]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `suites: unknown metric suite "nosuch"`) || !strings.Contains(err.Error(), "cddfuse") {
		t.Errorf("unknown suite: %v", err)
	}
}
