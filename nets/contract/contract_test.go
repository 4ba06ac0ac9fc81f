package contract

import "testing"

func TestRoleAndPaths(t *testing.T) {
	roles := map[Role]string{DecisionMap: "decision-map predictor", ConditionalNoise: "conditional noise predictor",
		UnconditionalPrior: "unconditional prior", Role(9): "Role(9)"}
	for r, want := range roles {
		if got := r.String(); got != want {
			t.Errorf("%d: %q, want %q", int(r), got, want)
		}
	}
	for path, want := range map[string]bool{"a.pt": true, "b/c.pth": true, "a.ckpt": false, "pt": false, "a.pt.ckpt": false} {
		if IsStateDict(path) != want {
			t.Errorf("IsStateDict(%q) = %v", path, !want)
		}
	}
}

func TestMatchParams(t *testing.T) {
	want := map[string][]int64{"a": {2, 3}, "b": {4}}
	if err := MatchParams(want, map[string][]int64{"a": {2, 3}, "b": {4}}, "net"); err != nil {
		t.Error(err)
	}
	if err := MatchParams(want, map[string][]int64{"a": {2, 4}, "b": {4}}, "net"); err == nil {
		t.Error("shape mismatch accepted")
	}
	if err := MatchParams(want, map[string][]int64{"a": {2, 3}}, "net"); err == nil {
		t.Error("missing tensor accepted")
	}
}
