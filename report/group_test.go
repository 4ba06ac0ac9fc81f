package report

import (
	"math"
	"reflect"
	"testing"
)

func TestGroups(t *testing.T) {
	var gs Groups
	for _, r := range []struct {
		keys []string
		x, v float64
	}{
		{[]string{"a", "k=1"}, 2, 1},
		{[]string{"b"}, 0, 5},
		{[]string{"a", "k=1"}, 1, 3},
		{[]string{"a", "k=1"}, 2, 3},
	} {
		gs.Add(r.keys, r.x, "Q", r.v)
	}
	gs.Point([]string{"c"}, 4)
	list := gs.List()
	if len(list) != 3 || list[0].Keys[0] != "a" || list[1].Keys[0] != "b" || list[2].Keys[0] != "c" {
		t.Fatalf("groups %v, want a, b, c in first-seen order", list)
	}
	if got := list[0].X(); !reflect.DeepEqual(got, []float64{1, 2}) {
		t.Errorf("X = %v, want [1 2]", got)
	}
	st := list[0].Stat(2, "Q")
	if st.N != 2 || st.Mean != 2 || math.Abs(st.Std-math.Sqrt2) > 1e-15 {
		t.Errorf("Stat = %+v, want n 2, mean 2, std sqrt 2", st)
	}
	if v := list[2].Values(4, "Q"); len(v) != 0 {
		t.Errorf("empty group has values %v", v)
	}
}
