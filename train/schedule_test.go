package train

import (
	"math"
	"strings"
	"testing"
)

func TestStepLR(t *testing.T) {
	s, err := NewSchedule(ScheduleConfig{Kind: "step", Every: 2, Gamma: 0.88})
	if err != nil {
		t.Fatal(err)
	}
	base := 5e-4
	chained := base // PyTorch multiplies the group's lr in place each period
	for epoch := range 9 {
		if epoch > 0 && epoch%2 == 0 {
			chained *= 0.88
		}
		if got := s.LR(base, epoch); got != chained {
			t.Errorf("epoch %d: lr %v, want %v", epoch, got, chained)
		}
	}
	if got, want := s.LR(base, 5), base*0.88*0.88; got != want {
		t.Errorf("epoch 5: %v, want %v", got, want)
	}
	if c := s.Config(); c.Kind != "step" || c.Every != 2 || c.Gamma != 0.88 {
		t.Errorf("config %+v", c)
	}
}

func TestCosineAndConstant(t *testing.T) {
	c, err := NewSchedule(ScheduleConfig{Kind: "cosine", TMax: 10, MinLR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		epoch int
		want  float64
	}{{0, 1}, {5, 0.55}, {10, 0.1}, {20, 0.1}}
	for _, tt := range tests {
		if got := c.LR(1, tt.epoch); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("cosine epoch %d: %v, want %v", tt.epoch, got, tt.want)
		}
	}
	k, err := NewSchedule(ScheduleConfig{})
	if err != nil || k.LR(0.3, 100) != 0.3 {
		t.Errorf("constant: %v %v", k, err)
	}
}

func TestNewScheduleErrors(t *testing.T) {
	tests := []struct {
		c    ScheduleConfig
		want string
	}{
		{ScheduleConfig{Kind: "step", Gamma: 0.5}, "every"},
		{ScheduleConfig{Kind: "step", Every: 1, Gamma: math.NaN()}, "gamma"},
		{ScheduleConfig{Kind: "cosine"}, "t_max"},
		{ScheduleConfig{Kind: "cosine", TMax: 3, MinLR: -1}, "min_lr"},
		{ScheduleConfig{Kind: "exp"}, "unknown kind"},
	}
	for _, tt := range tests {
		_, err := NewSchedule(tt.c)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want mention of %q", tt.c, err, tt.want)
		}
	}
}

func TestEarlyStopping(t *testing.T) {
	e := EarlyStopping{Patience: 2}
	losses := []float64{1, 0.5, 0.6, 0.4, 0.45, 0.41}
	wantImp := []bool{true, true, false, true, false, false}
	wantStop := []bool{false, false, false, false, false, true}
	for i, l := range losses {
		imp, stop, err := e.Observe(i+1, l)
		if err != nil {
			t.Fatal(err)
		}
		if imp != wantImp[i] || stop != wantStop[i] {
			t.Errorf("epoch %d: improved %v stop %v, want %v %v", i+1, imp, stop, wantImp[i], wantStop[i])
		}
	}
	if e.Best != 0.4 || e.BestEpoch != 4 {
		t.Errorf("best %v at %d", e.Best, e.BestEpoch)
	}
	if _, _, err := e.Observe(7, math.NaN()); err == nil {
		t.Error("NaN loss accepted")
	}
}
