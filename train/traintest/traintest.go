// Package traintest checks exact resume of a trainer the hard way: the
// training runs in a child process (the test binary, re-executed), which is
// killed with SIGKILL in the middle of an epoch, right after it wrote a
// mid-epoch last.ckpt; the run is then resumed in the test process and
// must end with the same history.csv and bit-identical weights, optimizer
// moments and EMA as an uninterrupted run.
//
// A trainer's test package registers its run function at init and calls
// Main from TestMain:
//
//	var _ = traintest.Register("tiny", runTiny)
//	func TestMain(m *testing.M) { traintest.Main(m) }
//	func TestKillResume(t *testing.T) { traintest.KillResume(t, "tiny") }
package traintest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfif/mfif/internal/registry"
	"github.com/mfif/mfif/nets/checkpoint"
	"github.com/mfif/mfif/train"
)

// RunFunc trains a small run into dir (continuing from dir/last.ckpt when
// resume is set). It must write a last.ckpt every step
// (train.checkpoint_steps: 1) and take at least a second or so, so the
// child can be caught mid-epoch.
type RunFunc func(ctx context.Context, dir string, resume bool) error

var runs registry.Registry[RunFunc]

const (
	envRun  = "MFIF_TRAINTEST_RUN"
	envDir  = "MFIF_TRAINTEST_DIR"
	envTerm = "MFIF_TRAINTEST_TERM"
)

// CheckpointSteps is the train.checkpoint_steps a registered run should
// use: 1 (a last.ckpt after every step, so SIGKILL finds one mid-epoch),
// or 0 in the child of TermResume, where a mid-epoch last.ckpt can then
// only come from the SIGTERM handling under test.
func CheckpointSteps() int {
	if os.Getenv(envTerm) != "" {
		return 0
	}
	return 1
}

// Register makes run available to KillResume under name (call it from a
// package-level var so the child process has it too). It returns true.
func Register(name string, run RunFunc) bool {
	if err := runs.Add(name, run); err != nil {
		panic("traintest: run " + err.Error())
	}
	return true
}

// Main runs the tests, or, in a child started by KillResume, the named
// training run.
func Main(m *testing.M) {
	if name := os.Getenv(envRun); name != "" {
		run, _ := runs.Get(name)
		if run == nil {
			fmt.Fprintf(os.Stderr, "traintest: no run %q registered\n", name)
			os.Exit(3)
		}
		// SIGTERM cancels the run as `mfif train` does.
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		if err := run(ctx, os.Getenv(envDir), false); err != nil {
			fmt.Fprintln(os.Stderr, "traintest child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// position is the part of the trainer state the kill test needs.
type position struct {
	Epoch int   `json:"epoch"`
	Batch int   `json:"batch"`
	Iter  int64 `json:"iteration"`
	Done  bool  `json:"done"`
}

func readPosition(path string) (position, error) {
	var p position
	c, err := checkpoint.Load(path, "")
	if err != nil {
		return p, err
	}
	err = c.State("trainer", &p)
	return p, err
}

// KillResume trains the registered run uninterrupted, then in a child
// process that it kills with SIGKILL as soon as a mid-epoch last.ckpt of
// the second epoch or later appears, resumes it here and compares the
// results.
func KillResume(t *testing.T, name string) { signalResume(t, name, syscall.SIGKILL) }

// TermResume is KillResume with SIGTERM: the child must stop after its
// current step, write last.ckpt there (not at an epoch end) and exit with
// an error; resuming from that checkpoint must end as the uninterrupted
// run does.
func TermResume(t *testing.T, name string) { signalResume(t, name, syscall.SIGTERM) }

func signalResume(t *testing.T, name string, sig syscall.Signal) {
	t.Helper()
	run, _ := runs.Get(name)
	if run == nil {
		t.Fatalf("traintest: no run %q registered", name)
	}
	full := t.TempDir()
	if err := run(context.Background(), full, false); err != nil {
		t.Fatal(err)
	}
	part := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRun+"="+name, envDir+"="+part)
	if sig == syscall.SIGTERM {
		cmd.Env = append(cmd.Env, envTerm+"=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	last := filepath.Join(part, train.LastName)
	deadline := time.Now().Add(2 * time.Minute)
	var killedAt position
	for {
		select {
		case err := <-exited:
			t.Fatalf("the child finished (%v) before it could be killed mid-epoch; make the run longer\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no mid-epoch checkpoint after 2 minutes\n%s", stderr.String())
		}
		ready := false
		if sig == syscall.SIGTERM {
			// No step checkpoints in this child: signal a little after the
			// first epoch ended, in the middle of the second.
			if p, err := readPosition(last); err == nil && p.Epoch >= 1 && !p.Done {
				time.Sleep(300 * time.Millisecond)
				ready = true
			}
		} else if p, err := readPosition(last); err == nil && p.Epoch >= 1 && p.Batch > 0 && !p.Done {
			ready = true
		}
		if ready {
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := <-exited
			if sig == syscall.SIGTERM && (err == nil || !strings.Contains(stderr.String(), "interrupted")) {
				t.Fatalf("after SIGTERM the child exited with %v and said:\n%s\nwant an interruption error", err, stderr.String())
			}
			killedAt, _ = readPosition(last)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	p, err := readPosition(last)
	if err != nil {
		t.Fatalf("after SIGKILL: %v", err)
	}
	if p.Done {
		t.Fatalf("the child had finished when killed (seen at %+v)", killedAt)
	}
	if sig == syscall.SIGTERM && p.Batch == 0 {
		t.Errorf("after SIGTERM last.ckpt is at an epoch end (step %d), want the step reached", p.Iter)
	}
	t.Logf("stopped with %v; last.ckpt at epoch %d batch %d (step %d)", sig, p.Epoch+1, p.Batch, p.Iter)
	if err := run(context.Background(), part, true); err != nil {
		t.Fatal(err)
	}
	Same(t, full, part)
}

// Same fails the test unless the runs in folders a and b have identical
// history.csv files and bit-identical model, EMA and optimizer tensors in
// last.ckpt.
func Same(t *testing.T, a, b string) {
	t.Helper()
	ha, err1 := os.ReadFile(filepath.Join(a, train.HistoryName))
	hb, err2 := os.ReadFile(filepath.Join(b, train.HistoryName))
	if err1 != nil || err2 != nil {
		t.Fatalf("history: %v, %v", err1, err2)
	}
	if !bytes.Equal(ha, hb) {
		t.Errorf("history.csv differs:\n%s\nvs\n%s", ha, hb)
	}
	ca, err1 := checkpoint.Load(filepath.Join(a, train.LastName), "")
	cb, err2 := checkpoint.Load(filepath.Join(b, train.LastName), "")
	if err1 != nil || err2 != nil {
		t.Fatalf("last.ckpt: %v, %v", err1, err2)
	}
	n := 0
	for k, x := range ca.Tensors {
		if !strings.HasPrefix(k, "model/") && !strings.HasPrefix(k, "ema/") && !strings.HasPrefix(k, "optim/") {
			continue
		}
		n++
		y, ok := cb.Tensors[k]
		if !ok || !x.Equal(y) {
			t.Errorf("tensor %s differs between the uninterrupted and the resumed run", k)
		}
	}
	if n == 0 || n != countPrefixed(cb) {
		t.Errorf("tensor sets differ: %d vs %d", n, countPrefixed(cb))
	}
	var sa, sb map[string]any
	json.Unmarshal(ca.States["optimizer"], &sa)
	json.Unmarshal(cb.States["optimizer"], &sb)
	if fmt.Sprint(sa) != fmt.Sprint(sb) {
		t.Errorf("optimizer states differ: %v vs %v", sa, sb)
	}
}

func countPrefixed(c *checkpoint.Checkpoint) int {
	n := 0
	for k := range c.Tensors {
		if strings.HasPrefix(k, "model/") || strings.HasPrefix(k, "ema/") || strings.HasPrefix(k, "optim/") {
			n++
		}
	}
	return n
}
