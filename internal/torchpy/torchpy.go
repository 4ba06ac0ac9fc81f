// Package torchpy runs Python snippets with PyTorch for tests that check
// files mfif writes for PyTorch users (exported state_dicts): that
// torch.load reads them and that modules load them strictly. Tests skip
// when no Python interpreter that can import torch is available, so the
// suite passes on machines without PyTorch.
//
// The interpreter is $MFIF_PYTHON, or else /usr/bin/python3 (Debian's
// python3-torch installs there; a python3 found first on PATH, such as a
// pyenv one, often lacks torch).
package torchpy

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// DefaultPython is the interpreter used when MFIF_PYTHON is unset.
const DefaultPython = "/usr/bin/python3"

var (
	once    sync.Once
	python  string
	skipMsg string
)

// Python returns the path of a Python interpreter that can import torch,
// or skips the test saying why there is none. The check runs once per
// test binary.
func Python(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		p := os.Getenv("MFIF_PYTHON")
		if p == "" {
			p = DefaultPython
		}
		if _, err := os.Stat(p); err != nil {
			skipMsg = "no Python interpreter for PyTorch checks: " + err.Error()
			return
		}
		out, err := exec.Command(p, "-c", "import torch; print(torch.__version__)").CombinedOutput()
		if err != nil {
			skipMsg = p + " cannot import torch: " + lastLine(string(out))
			return
		}
		python = p
	})
	if python == "" {
		t.Skip(skipMsg)
	}
	return python
}

// Run runs the Python source script with the given command-line arguments
// (sys.argv[1:]) and returns its standard output. The test fails, showing
// the standard error, when the script exits with an error. It skips like
// Python when PyTorch is unavailable.
func Run(t testing.TB, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Python(t), append([]string{"-c", script}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// One thread: the tests run beside other work and the models are tiny.
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1")
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
