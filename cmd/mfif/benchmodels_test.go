package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchModels runs bench --models on a tiny pair with the two small
// model cases (and the PyTorch script when Debian's python3 has torch,
// scipy and Pillow): every run is a child process that wrote its image,
// has a wall time and a peak memory, and the table has a row per case and
// runner.
func TestBenchModels(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several mfif processes")
	}
	t.Setenv(envAsMfif, "1") // the children are this binary acting as mfif
	out := filepath.Join(t.TempDir(), "models.json")
	args := []string{"--threads", "1", "--quiet", "bench", "--models", "--size", "32", "--rounds", "1",
		"--model-cases", "siamese-cpu,fusiondiff-cpu", "--json", out}
	pytorch := exec.Command("/usr/bin/python3", "-c", "import torch, scipy, PIL").Run() == nil
	if pytorch {
		args = append(args, "--pytorch", "--pytorch-script", filepath.Join("..", "..", "docs", "pytorch", "fuse_siamese.py"))
	} else {
		t.Log("no /usr/bin/python3 with torch, scipy and Pillow: the PyTorch side is not run")
	}
	stdout, stderr, err := run(t, args...)
	if err != nil {
		t.Fatalf("bench --models: %v\n%s", err, stderr)
	}
	want := []string{"siamese-cpu go", "fusiondiff-cpu go"}
	if pytorch {
		want = append(want, "siamese-cpu pytorch", "fusiondiff-cpu pytorch -")
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(stdout, "\n") {
		f := strings.Fields(line)
		for n := 2; n <= 3 && n <= len(f); n++ {
			rows[strings.Join(f[:n], " ")] = true
		}
	}
	for _, w := range want {
		if !rows[w] {
			t.Errorf("no row %q in\n%s", w, stdout)
		}
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Size, Threads, Rounds int
		Runs                  []modelRun
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	runs := 2 // Go: both cases; PyTorch: the Siamese one
	if pytorch {
		runs = 3
	}
	if res.Size != 32 || res.Threads != 1 || res.Rounds != 1 || len(res.Runs) != runs {
		t.Errorf("json: size %d threads %d rounds %d, %d runs; want 32, 1, 1 and %d runs", res.Size, res.Threads, res.Rounds, len(res.Runs), runs)
	}
	for _, r := range res.Runs {
		// A process that loads libtorch is resident with well over 50 MiB.
		if !(r.WallS > 0) || r.PeakMB < 50 || r.Round != 1 {
			t.Errorf("run %+v: want a wall time, a peak of at least 50 MiB and round 1", r)
		}
	}
}

// TestBenchModelsFlags: bad --models settings are errors naming the flag,
// before any model is built.
func TestBenchModelsFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model-cases", "resnet"}, `unknown model case "resnet"`},
		{[]string{"--checkpoint", "siamese"}, "want CASE=PATH"},
		{[]string{"--checkpoint", "siamese=/nonexistent/x.ckpt"}, "bench --checkpoint siamese"},
		{[]string{"--model-cases", "siamese-cpu", "--checkpoint", "siamese=x"}, "no selected model case siamese"},
		{[]string{"--rounds", "0"}, "bench --rounds 0"},
		{[]string{"--size", "4"}, "bench --size 4"},
		{[]string{"--pytorch", "--pytorch-script", "/nonexistent/fuse.py"}, "bench --pytorch-script"},
	} {
		_, _, err := run(t, append([]string{"--quiet", "bench", "--models"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error containing %q", c.args, err, c.want)
		}
	}
}
