package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/internal/dirlock"
)

// envAsMfif makes the test binary run main() with its arguments, so tests
// can start mfif as a real process (signals, exit codes, locks) without
// building bin/mfif.
const envAsMfif = "MFIF_TEST_AS_MFIF"

func TestMain(m *testing.M) {
	if os.Getenv(envAsMfif) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// mfifProc is mfif running as a child process.
type mfifProc struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan struct{}
	err    error
}

// startMfif starts mfif with args in a child process.
func startMfif(t *testing.T, args ...string) *mfifProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envAsMfif+"=1")
	p := &mfifProc{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exitCode waits for the child and returns its exit status.
func (p *mfifProc) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("mfif did not end within 3 minutes\n%s", p.stderr)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// waitFor polls cond until it holds, failing the test when the child ends
// first or after a minute.
func (p *mfifProc) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("mfif ended (%v) before %s\n%s", p.err, what, p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after a minute\n%s", what, p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// holds reports whether the lock file of dir names the child as holder.
func (p *mfifProc) holds(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, dirlock.Name))
	return err == nil && strings.HasPrefix(string(b), "pid "+strconv.Itoa(p.cmd.Process.Pid)+":")
}

// TestTwoTrainsOneOut starts a long training in a child process and a
// second one into the same --out: the second must fail at once, naming the
// first, and leave the first's files alone; then SIGTERM stops the first
// with 143.
func TestTwoTrainsOneOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"--quiet", "--threads", "1", "train", "siamese-demo", "--out", out,
		"--set", "data.samples=8", "--set", "data.size=32", "--set", "train.batch_size=4", "--set", "train.patience=0", "--set", "train.epochs=100000"}
	first := startMfif(t, args...)
	first.waitFor(t, "lock held by the first training", func() bool { return first.holds(out) })
	// The second asks for one epoch, so it cannot run on for long where the
	// lock is missing.
	second := append(args[:len(args)-1:len(args)-1], "train.epochs=1")
	_, _, err := run(t, second...)
	if !errors.Is(err, dirlock.ErrHeld) {
		t.Fatalf("second train into the same --out: %v, want the folder-in-use error", err)
	}
	pid := strconv.Itoa(first.cmd.Process.Pid)
	for _, want := range []string{"train --out", out, "pid " + pid, "train siamese-demo", "started "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := first.exitCode(t); code != 128+int(syscall.SIGTERM) {
		t.Errorf("first training after SIGTERM: exit %d, want 143\n%s", code, first.stderr)
	}
}

// TestWritersRefuseHeldFolder holds the lock of a folder as a running mfif
// would and runs every folder-writing command into it.
func TestWritersRefuseHeldFolder(t *testing.T) {
	pairs := tinySet(t, 1)
	dir := t.TempDir()
	fused := filepath.Join(dir, "fused-average")
	if _, _, err := run(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", fused); err != nil {
		t.Fatal(err)
	}
	ckpt, _ := tinySiameseCheckpoint(t, t.TempDir())
	for _, tc := range []struct {
		name string
		out  string // the folder locked
		args []string
	}{
		{"fuse", "fused", []string{"fuse", "--method", "average", "--pairs", pairs, "--out", "{out}"}},
		{"fuse repeats", "rep", []string{"fuse", "--method", "average", "--repeats", "2", "--pairs", pairs, "--out", "{out}"}},
		{"metrics", "rep2", []string{"metrics", "--pairs", pairs, "--fused", fused, "--out", "{out}"}},
		{"synth", "syn", []string{"synth", "scenes", "--n", "1", "--size", "32", "--out", "{out}"}},
		{"demo", "demo", []string{"demo", "--n", "1", "--size", "32", "--out", "{out}"}},
		{"export", "exp", []string{"export", ckpt, "--out", "{out}/model.pt"}},
		{"report", "runs/x/report", []string{"report", "{dir}/runs/x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.out)
			unlock, err := dirlock.Acquire(out)
			if err != nil {
				t.Fatal(err)
			}
			defer unlock()
			args := []string{"--quiet"}
			for _, a := range tc.args {
				a = strings.ReplaceAll(a, "{out}", out)
				args = append(args, strings.ReplaceAll(a, "{dir}", dir))
			}
			_, _, err = run(t, args...)
			if !errors.Is(err, dirlock.ErrHeld) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
				t.Fatalf("%v: %v, want the folder-in-use error naming this process", args, err)
			}
		})
	}
}

// pngs lists the fused images (<pair>_<method>.png) in dir.
func fusedImages(t *testing.T, dir, method string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*_"+method+".png"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSignalStopsFuseAndResume: SIGTERM stops fuse within a pair or so,
// with exit status 143 and every written image whole; fuse --resume then
// fuses only the rest, leaving the finished images untouched.
func TestSignalStopsFuseAndResume(t *testing.T) {
	const n = 40
	data.ProgressOutput = io.Discard
	pairs := filepath.Join(t.TempDir(), "pairs")
	if _, err := data.WriteSyntheticSet(pairs, n, data.SynthConfig{W: 160, H: 160}, 3); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "fused")
	args := []string{"--quiet", "--workers", "1", "fuse", "--method", "gff", "--pairs", pairs, "--out", out}
	p := startMfif(t, args...)
	p.waitFor(t, "a first fused image", func() bool { return len(fusedImages(t, out, "gff")) > 0 })
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(t); code != 143 {
		t.Fatalf("fuse after SIGTERM: exit %d, want 143\n%s", code, p.stderr)
	}
	done := fusedImages(t, out, "gff")
	if len(done) == 0 || len(done) >= n {
		t.Fatalf("after SIGTERM %d of %d pairs fused, want some but not all\n%s", len(done), n, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "stopped after") {
		t.Errorf("stderr does not say where it stopped:\n%s", p.stderr)
	}
	mtimes := map[string]time.Time{}
	for _, f := range done {
		if _, err := data.ReadImage(f); err != nil {
			t.Errorf("an image written before the signal is damaged: %v", err)
		}
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		mtimes[f] = fi.ModTime()
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".mfif-tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// --resume with other options is refused; with the same, it does the rest.
	if _, _, err := run(t, append(args, "--resume", "--opt", "r1=7")...); err == nil || !strings.Contains(err.Error(), "other options") {
		t.Errorf("--resume with other options: %v", err)
	}
	if _, _, err := run(t, append(args, "--resume")...); err != nil {
		t.Fatal(err)
	}
	if got := len(fusedImages(t, out, "gff")); got != n {
		t.Errorf("after --resume %d of %d pairs fused", got, n)
	}
	for f, mt := range mtimes {
		if fi, err := os.Stat(f); err != nil || !fi.ModTime().Equal(mt) {
			t.Errorf("--resume fused %s again", filepath.Base(f))
		}
	}
}

// TestSignalStopsOtherCommands: metrics, synth and demo stop on SIGTERM
// with exit status 143, without writing a partial report or set.
func TestSignalStopsOtherCommands(t *testing.T) {
	data.ProgressOutput = io.Discard
	pairs := filepath.Join(t.TempDir(), "pairs")
	if _, err := data.WriteSyntheticSet(pairs, 30, data.SynthConfig{W: 128, H: 128}, 3); err != nil {
		t.Fatal(err)
	}
	fused := filepath.Join(t.TempDir(), "fused")
	if _, _, err := run(t, "--quiet", "fuse", "--method", "average", "--pairs", pairs, "--out", fused); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		out   string // the folder the command writes
		ready func(out string) bool
		gone  []string // files (under out) that must not exist afterwards
	}{
		{"metrics", []string{"metrics", "--pairs", pairs, "--fused", fused, "--out", "{out}"}, "rep",
			nil, []string{"results.json", "table.md"}},
		{"synth", []string{"synth", "scenes", "--n", "400", "--size", "128", "--out", "{out}"}, "syn",
			func(out string) bool {
				m, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".syn.synth-tmp-*", "mask", "*.png"))
				return len(m) > 0
			}, []string{"source_1"}},
		{"demo", []string{"demo", "--n", "30", "--size", "128", "--train-config", "", "--out", "{out}"}, "demo",
			func(out string) bool {
				m, _ := filepath.Glob(filepath.Join(out, "fused", "*", "*.png"))
				return len(m) > 0
			}, []string{"report"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tc.out)
			args := []string{"--quiet", "--workers", "1"}
			for _, a := range tc.args {
				args = append(args, strings.ReplaceAll(a, "{out}", out))
			}
			p := startMfif(t, args...)
			ready := tc.ready
			if ready == nil {
				ready = func(out string) bool { return p.holds(out) }
			}
			p.waitFor(t, "work under way", func() bool { return ready(out) })
			time.Sleep(100 * time.Millisecond)
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := p.exitCode(t); code != 143 {
				t.Fatalf("exit %d after SIGTERM, want 143\n%s", code, p.stderr)
			}
			for _, g := range tc.gone {
				if _, err := os.Stat(filepath.Join(out, g)); err == nil {
					t.Errorf("%s written after SIGTERM", g)
				}
			}
			if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*synth-tmp-*")); len(tmp) > 0 {
				t.Errorf("temporary folders left: %v", tmp)
			}
		})
	}
}
