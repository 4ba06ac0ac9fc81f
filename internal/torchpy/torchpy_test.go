package torchpy

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	out := Run(t, "import sys, torch; print(torch.zeros(2, 3).numel(), sys.argv[1:])", "a", "b c")
	if got := strings.TrimSpace(out); got != "6 ['a', 'b c']" {
		t.Errorf("output %q, want \"6 ['a', 'b c']\"", got)
	}
}

func TestLastLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"one":                        "one",
		"Traceback\n  x\nErr: y\n\n": "Err: y",
	} {
		if got := lastLine(in); got != want {
			t.Errorf("lastLine(%q) = %q, want %q", in, got, want)
		}
	}
}
