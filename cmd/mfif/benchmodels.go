package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/internal/atomicfile"
	"github.com/mfif/mfif/internal/memstat"
	"github.com/mfif/mfif/train/netbench"
)

// tcmalloc is the allocator PyTorch users on a CPU are told to preload
// (Debian's libtcmalloc-minimal4); the PyTorch runs use it when present.
const tcmalloc = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"

// modelRun is one timed child process of bench --models.
type modelRun struct {
	Case   string  `json:"case"`
	Runner string  `json:"runner"` // "go" or "pytorch"
	Round  int     `json:"round"`
	WallS  float64 `json:"wall_s"`
	PeakMB float64 `json:"peak_rss_mib"`
}

// modelRow sums up the runs of one case and runner.
type modelRow struct {
	Case, Runner string
	Walls, Peaks []float64
}

// runBenchModels times `mfif fuse` end to end (a child process: load the
// model, read the pair, fuse, write) on one synthetic pair for each model
// case, with --pytorch the same with docs/pytorch/fuse_siamese.py on the
// exported weights, alternating the two over --rounds; it prints the mean
// wall time and the peak resident memory of each child.
func (a *app) runBenchModels(ctx context.Context) error {
	cases, err := netbench.SelectModels(a.list("bench.model-cases"))
	if err != nil {
		return fmt.Errorf("bench --model-cases: %w", err)
	}
	given, err := checkpointFlags(a.list("bench.checkpoint"), cases)
	if err != nil {
		return err
	}
	size, rounds := a.v.GetInt("bench.size"), a.v.GetInt("bench.rounds")
	if size < 8 || size > 8192 {
		return fmt.Errorf("bench --size %d: want 8..8192", size)
	}
	if rounds < 1 || rounds > 100 {
		return fmt.Errorf("bench --rounds %d: want 1..100", rounds)
	}
	pytorch := a.v.GetBool("bench.pytorch")
	python, script := a.v.GetString("bench.python"), a.v.GetString("bench.pytorch-script")
	if pytorch {
		if _, err := os.Stat(script); err != nil {
			return fmt.Errorf("bench --pytorch-script: %w (run from the project root or pass the path of docs/pytorch/fuse_siamese.py)", err)
		}
	}
	threads := a.v.GetInt("threads")
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	// The peak memory of a child that a process starts includes the
	// starter's own peak (Linux keeps the larger of the two across exec),
	// so this process stays small: the models are built and exported in
	// child processes too, and it checks its own peak at the end.
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench --models: cannot find mfif's own binary: %w", err)
	}
	mfif := func(args ...string) error {
		cmd := exec.CommandContext(ctx, self, append([]string{"--threads", strconv.Itoa(threads), "--quiet"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("mfif %s: %w: %s", strings.Join(args, " "), err, lastLines(stderr.String(), 5))
		}
		return nil
	}
	tmp, err := os.MkdirTemp("", "mfif-bench-models-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	prev := data.ProgressOutput
	data.ProgressOutput = io.Discard
	pairs, err := data.WriteSyntheticSetContext(ctx, filepath.Join(tmp, "pairs"), 1, data.SynthConfig{W: size, H: size}, 1)
	data.ProgressOutput = prev
	if err != nil {
		return err
	}
	pairsDir, pair := filepath.Join(tmp, "pairs"), pairs[0]
	ckpts, states := map[string]string{}, map[string]string{}
	for _, c := range cases {
		ckpts[c.Name] = given[c.Name]
		if ckpts[c.Name] == "" {
			ckpts[c.Name] = filepath.Join(tmp, c.Name+".ckpt")
			if err := mfif("bench", "--fresh-checkpoint", c.Name+"="+ckpts[c.Name]); err != nil {
				return fmt.Errorf("bench --models: %w", err)
			}
			a.infof("%s: fresh weights in %s", c.Name, ckpts[c.Name])
		}
		if pytorch && c.Method == "siamese" {
			states[c.Name] = filepath.Join(tmp, c.Name+".pt")
			if err := mfif("export", ckpts[c.Name], "--out", states[c.Name]); err != nil {
				return fmt.Errorf("bench --models: %w", err)
			}
		}
	}
	allocator := "glibc malloc"
	if _, err := os.Stat(tcmalloc); err == nil {
		allocator = "tcmalloc"
	}
	var runs []modelRun
	var rows []*modelRow
	row := func(c, r string) *modelRow {
		for _, x := range rows {
			if x.Case == c && x.Runner == r {
				return x
			}
		}
		rows = append(rows, &modelRow{Case: c, Runner: r})
		return rows[len(rows)-1]
	}
	for round := 1; round <= rounds; round++ {
		for _, c := range cases {
			if err := ctx.Err(); err != nil {
				return err
			}
			out := filepath.Join(tmp, fmt.Sprintf("go-%s-%d", c.Name, round))
			args := []string{"--threads", strconv.Itoa(threads), "--workers", "1", "--quiet",
				"fuse", "--method", c.Method, "--model", ckpts[c.Name], "--pairs", pairsDir, "--out", out}
			want := filepath.Join(out, pair.Name+"_"+c.Method+".png")
			r, err := timeChild(ctx, exec.Command(self, args...), want)
			if err != nil {
				return fmt.Errorf("bench --models: %s with mfif fuse: %w", c.Name, err)
			}
			r.Case, r.Runner, r.Round = c.Name, "go", round
			runs = append(runs, r)
			x := row(c.Name, "go")
			x.Walls, x.Peaks = append(x.Walls, r.WallS), append(x.Peaks, r.PeakMB)
			if states[c.Name] == "" {
				continue
			}
			want = filepath.Join(tmp, fmt.Sprintf("pt-%s-%d.png", c.Name, round))
			cmd := exec.Command(python, script, "--checkpoint", ckpts[c.Name], "--state", states[c.Name],
				"--a", pair.Sources[0], "--b", pair.Sources[1], "--out", want, "--threads", strconv.Itoa(threads))
			if allocator == "tcmalloc" {
				cmd.Env = append(os.Environ(), "LD_PRELOAD="+tcmalloc)
			}
			r, err = timeChild(ctx, cmd, want)
			if err != nil {
				return fmt.Errorf("bench --models: %s with %s: %w", c.Name, script, err)
			}
			r.Case, r.Runner, r.Round = c.Name, "pytorch", round
			runs = append(runs, r)
			x = row(c.Name, "pytorch")
			x.Walls, x.Peaks = append(x.Walls, r.WallS), append(x.Peaks, r.PeakMB)
		}
	}
	fmt.Fprintf(a.stdout, "fuse end to end (child process: load, read, fuse, write), one %dx%d pair, %d threads, %d rounds; PyTorch with %s\n%-16s %-8s %10s %10s %14s\n",
		size, size, threads, rounds, allocator, "case", "runner", "mean s", "min s", "peak RSS MiB")
	for _, x := range rows {
		lo, hi, sum := x.Walls[0], x.Peaks[0], 0.0
		for i := range x.Walls {
			lo, hi, sum = min(lo, x.Walls[i]), max(hi, x.Peaks[i]), sum+x.Walls[i]
		}
		fmt.Fprintf(a.stdout, "%-16s %-8s %10.3f %10.3f %14.0f\n", x.Case, x.Runner, sum/float64(len(x.Walls)), lo, hi)
	}
	for _, c := range cases {
		if pytorch && states[c.Name] == "" {
			fmt.Fprintf(a.stdout, "%-16s %-8s %10s   (no PyTorch sampler in docs/pytorch)\n", c.Name, "pytorch", "-")
		}
	}
	if own := float64(memstat.Peak()) / (1 << 20); own > 0 {
		for _, r := range runs {
			if r.PeakMB <= own {
				fmt.Fprintf(a.stdout, "note: %s/%s peak %.0f MiB is not above this process's own %.0f MiB, which it includes: an upper bound\n", r.Case, r.Runner, r.PeakMB, own)
				break
			}
		}
	}
	out := a.v.GetString("bench.json")
	if out == "" {
		return nil
	}
	b, err := json.MarshalIndent(map[string]any{"size": size, "threads": threads, "rounds": rounds,
		"pytorch_allocator": allocator, "runs": runs}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(out, append(b, '\n')); err != nil {
		return fmt.Errorf("bench --json %s: %w", out, err)
	}
	return nil
}

// checkpointFlags parses --checkpoint CASE=PATH values against cases.
func checkpointFlags(vals []string, cases []netbench.ModelCase) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range vals {
		name, path, ok := strings.Cut(v, "=")
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("bench --checkpoint %q: want CASE=PATH", v)
		}
		found := false
		for _, c := range cases {
			found = found || c.Name == name
		}
		if !found {
			return nil, fmt.Errorf("bench --checkpoint %q: no selected model case %s", v, name)
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("bench --checkpoint %s: %w", name, err)
		}
		out[name] = path
	}
	return out, nil
}

// timeChild runs cmd, timing it from start to exit, and checks that it
// wrote want. The peak memory is the child's maximum resident set size
// (getrusage of the waited-for process).
func timeChild(ctx context.Context, cmd *exec.Cmd, want string) (modelRun, error) {
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return modelRun{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return modelRun{}, ctx.Err()
	}
	wall := time.Since(t0).Seconds()
	if err != nil {
		return modelRun{}, fmt.Errorf("%w: %s", err, lastLines(stderr.String(), 5))
	}
	if _, err := os.Stat(want); err != nil {
		return modelRun{}, fmt.Errorf("no output: %w", err)
	}
	peak := childPeakRSS(cmd.ProcessState)
	if peak <= 0 {
		return modelRun{}, errors.New("peak memory of the child process not available on this system")
	}
	return modelRun{WallS: wall, PeakMB: float64(peak) / (1 << 20)}, nil
}

// lastLines returns the last n lines of s, trimmed.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// freshCheckpoint writes the checkpoint of --fresh-checkpoint CASE=PATH.
func (a *app) freshCheckpoint(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("bench --fresh-checkpoint %q: want CASE=PATH", v)
	}
	cs, err := netbench.SelectModels([]string{name})
	if err != nil {
		return fmt.Errorf("bench --fresh-checkpoint: %w", err)
	}
	n, err := netbench.FreshCheckpoint(cs[0], path, 1)
	if err != nil {
		return fmt.Errorf("bench --fresh-checkpoint: %w", err)
	}
	fmt.Fprintf(a.stdout, "%s\t%d parameters\n", path, n)
	return nil
}
