package metrics

import (
	"errors"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
)

func TestRegisterSuiteKeysAndRawInputs(t *testing.T) {
	var planes int
	s := Suite{
		Name:    "testsuite",
		Toolkit: "none (test)",
		Colour:  "sees the caller's planes",
		Metrics: []Metric{
			{Name: "Planes", Better: HigherIsBetter, Compute: func(in Inputs) (float64, error) {
				planes = len(in.Fused.Planes)
				return float64(planes), nil
			}},
			{Name: "Bad", Better: LowerIsBetter, Compute: func(Inputs) (float64, error) {
				return 0, errors.New("boom")
			}},
		},
	}
	RegisterSuite(s)
	keys, err := SuiteKeys("testsuite")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "testsuite.Planes,testsuite.Bad" {
		t.Fatalf("keys %v", keys)
	}
	rgb := func(v float64) *data.Image {
		m := &data.Image{W: 4, H: 4}
		for c := 0; c < 3; c++ {
			p := make([]float64, 16)
			for i := range p {
				p[i] = v + float64(i+c)
			}
			m.Planes = append(m.Planes, p)
		}
		return m
	}
	in := Inputs{Sources: []*data.Image{rgb(1), rgb(2)}, Fused: rgb(3)}
	got, err := Evaluate(keys, in)
	if err == nil || !strings.Contains(err.Error(), "testsuite.Bad: boom") {
		t.Fatalf("want the failing metric named, got %v", err)
	}
	if got["testsuite.Planes"] != 3 || planes != 3 {
		t.Fatalf("suite metric saw %d planes (result %v), want the caller's 3", planes, got)
	}
	if _, err := SuiteKeys("nosuch"); err == nil || !strings.Contains(err.Error(), "testsuite") {
		t.Fatalf("unknown suite error should list the known ones: %v", err)
	}
}
