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

// convGuard precedes every script: the Python twin of nets/backend's
// convolution self-check. Where PyTorch's oneDNN computes float32
// convolutions of 12-24 channels wrongly (Debian 13's PyTorch 2.6 with
// oneDNN 3.7.2 on AVX2/AVX-512 CPUs), it turns oneDNN off, as mfif does
// for itself, so the reference values the tests compare with are right.
const convGuard = `
import torch as _mfif_torch
def _mfif_conv_ok():
    F = _mfif_torch.nn.functional
    worst = 0.0
    with _mfif_torch.no_grad():
        for n, ic, oc, hw, k in ((2, 12, 8, 8, 3), (2, 20, 8, 8, 3), (2, 24, 8, 8, 3), (1, 12, 4, 16, 7)):
            x = _mfif_torch.sin(_mfif_torch.arange(n * ic * hw * hw, dtype=_mfif_torch.float64).reshape(n, ic, hw, hw) * 0.37)
            w = _mfif_torch.cos(_mfif_torch.arange(oc * ic * k * k, dtype=_mfif_torch.float64).reshape(oc, ic, k, k) * 0.11) * 0.1
            ref = F.conv2d(x, w, None, 1, k // 2)
            got = F.conv2d(x.float(), w.float(), None, 1, k // 2).double()
            worst = max(worst, ((got - ref).abs().max() / ref.abs().max()).item())
    return worst <= 1e-4
if not _mfif_conv_ok():
    _mfif_torch.backends.mkldnn.enabled = False
`

// Run runs the Python source script with the given command-line arguments
// (sys.argv[1:]) and returns its standard output. The test fails, showing
// the standard error, when the script exits with an error. It skips like
// Python when PyTorch is unavailable.
func Run(t testing.TB, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Python(t), append([]string{"-c", convGuard + script}, args...)...)
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
