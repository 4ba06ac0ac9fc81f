package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// complete runs cobra's hidden __complete command in process, as the
// generated shell scripts do, and returns the offered words and the
// directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCmd(&out, &errb)
	addCompletions(root)
	addCompletions(root) // a second call must change nothing
	root.SetArgs(append([]string{"__complete"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("__complete %q: %v (%s)", args, err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompletion(t *testing.T) {
	exp := filepath.Join(t.TempDir(), "e.yaml")
	if err := os.WriteFile(exp, []byte("name: e\ndatasets:\n  mffw: {path: x}\n  lytro: {path: y}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		want    []string // words that must be offered
		notWant []string
		dir     string // expected directive line
	}{
		{[]string{"fuse", "--method", ""}, []string{"gff", "laplacian", "average"}, nil, ":4"},
		{[]string{"fuse", "--method", "l"}, []string{"laplacian"}, []string{"gff"}, ":4"},
		{[]string{"metrics", "--metrics", ""}, []string{"Q_NMI", "Q_Piella", "list"}, nil, ":6"},
		{[]string{"metrics", "--metrics", "Q_G,Q_C"}, []string{"Q_G,Q_CB"}, []string{"Q_CB", "Q_G,Q_NMI"}, ":6"},
		{[]string{"bench", "--methods", "sf"}, []string{"sf-map"}, nil, ":6"},
		{[]string{"train", ""}, []string{"siamese-cpu", "fusiondiff"}, nil, ":0"},
		{[]string{"run", ""}, []string{"yaml", "yml"}, nil, ":8"},
		{[]string{"run", exp, "--set", ""}, []string{"datasets.lytro.path=", "datasets.mffw.path="}, nil, ":6"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, dir := complete(t, tc.args...)
			have := map[string]bool{}
			for _, g := range got {
				have[strings.SplitN(g, "\t", 2)[0]] = true
			}
			for _, w := range tc.want {
				if !have[w] {
					t.Errorf("%q not offered; got %q", w, got)
				}
			}
			for _, w := range tc.notWant {
				if have[w] {
					t.Errorf("%q offered; got %q", w, got)
				}
			}
			if dir != tc.dir {
				t.Errorf("directive %s, want %s", dir, tc.dir)
			}
		})
	}
}

func TestLoggerQuiet(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		var out, errb bytes.Buffer
		root := newRootCmd(&out, &errb)
		args := []string{"bench", "--size", "16", "--min-time", "1ms", "--metrics", "Q_G", "--methods", "average"}
		if quiet {
			args = append([]string{"--quiet"}, args...)
		}
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		if got := errb.String(); quiet != (got == "") || (!quiet && !strings.Contains(got, "timing 3 operations")) {
			t.Errorf("quiet=%v: stderr %q", quiet, got)
		}
	}
}
