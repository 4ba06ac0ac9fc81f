// Package backend is the only package in mfif that sets up the libtorch
// binding (github.com/sugarme/gotch). It seeds libtorch, sets its thread
// count, resolves the compute device, and provides the helpers every model
// and training loop uses: OS-thread-locked execution (Run, NoGrad),
// deterministic release of intermediate tensors (Scope), image <-> tensor
// conversion, .npy/.npz reading and PyTorch state_dict loading.
//
// Thread rule: libtorch keeps its grad mode per OS thread, while Go moves
// goroutines between OS threads at will. All tensor work must therefore run
// inside Run or NoGrad (which lock the goroutine to its OS thread for their
// duration) or on a Worker (one goroutine locked to one OS thread).
//
// Building: packages importing backend need the cgo flags from
// scripts/torchenv (the Makefile sources it for every target).
package backend

/*
#cgo CXXFLAGS: -std=c++17
#cgo LDFLAGS: -lstdc++ -ltorch_cpu -lc10
#include "torchhelp.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/sugarme/gotch"
)

// Options configures Init.
type Options struct {
	// Seed seeds libtorch's CPU (and, when present, CUDA) generators.
	Seed int64
	// Threads is libtorch's intra-op thread count; 0 keeps libtorch's
	// default (one per core).
	Threads int
	// Device is "cpu", "cuda" or "auto" ("" means "auto"): auto picks CUDA
	// when libtorch reports a usable GPU, else the CPU; "cuda" without a GPU
	// is an error.
	Device string
}

var (
	mu     sync.Mutex
	device = gotch.CPU
)

// Init applies opts: seeds libtorch, sets the thread count and resolves the
// device, which Device returns afterwards. It may be called again (e.g. by
// each test) and returns the resolved device.
func Init(opts Options) (gotch.Device, error) {
	d, err := ResolveDevice(opts.Device)
	if err != nil {
		return gotch.CPU, err
	}
	if opts.Threads < 0 {
		return gotch.CPU, fmt.Errorf("backend: threads must be >= 0, got %d", opts.Threads)
	}
	mu.Lock()
	defer mu.Unlock()
	if opts.Threads > 0 {
		C.mfif_set_num_threads(C.int(opts.Threads))
	}
	ManualSeed(opts.Seed)
	device = d
	return d, nil
}

// Device returns the device resolved by the last Init (CPU before Init).
func Device() gotch.Device {
	mu.Lock()
	defer mu.Unlock()
	return device
}

// ResolveDevice maps a --device flag value ("cpu", "cuda", "auto" or "")
// onto a gotch device.
func ResolveDevice(name string) (gotch.Device, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "cpu":
		return gotch.CPU, nil
	case "", "auto":
		if CUDAAvailable() {
			return gotch.CudaBuilder(0), nil
		}
		return gotch.CPU, nil
	case "cuda", "gpu":
		if !CUDAAvailable() {
			return gotch.CPU, fmt.Errorf("backend: --device cuda requested but libtorch reports no usable CUDA device (this build uses %s; see docs/cuda.md)", Flavor())
		}
		return gotch.CudaBuilder(0), nil
	default:
		return gotch.CPU, fmt.Errorf("backend: unknown device %q (want cpu, cuda or auto)", name)
	}
}

// Version returns the libtorch version the binary was compiled against,
// e.g. "1.13.0".
func Version() string { return C.GoString(C.mfif_torch_version()) }

// Flavor describes the libtorch build in use, for error messages and logs.
func Flavor() string {
	if C.mfif_torch_has_cuda() != 0 {
		return "libtorch " + Version() + " with CUDA"
	}
	return "libtorch " + Version() + " CPU-only"
}

// CUDAAvailable reports whether libtorch can use a CUDA device.
func CUDAAvailable() bool { return gotch.CUDA.IsAvailable() }

// ManualSeed seeds libtorch's random generators (torch.manual_seed).
func ManualSeed(seed int64) { C.mfif_manual_seed(C.uint64_t(uint64(seed))) }

// SetThreads sets libtorch's intra-op thread count (n >= 1).
func SetThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("backend: thread count must be >= 1, got %d", n)
	}
	C.mfif_set_num_threads(C.int(n))
	return nil
}

// Threads returns libtorch's intra-op thread count.
func Threads() int { return int(C.mfif_get_num_threads()) }

// GradEnabled reports libtorch's grad mode on the calling OS thread. It is
// only meaningful inside Run, NoGrad or a Worker.
func GradEnabled() bool { return C.mfif_grad_enabled() != 0 }

// setGrad sets the grad mode of the calling OS thread and returns the
// previous one.
func setGrad(on bool) bool {
	prev := GradEnabled()
	v := 0
	if on {
		v = 1
	}
	C.mfif_set_grad_enabled(C.int(v))
	return prev
}

// Run calls fn with the goroutine locked to its OS thread, so libtorch's
// per-thread state (grad mode) stays consistent for all of fn. Panics from
// gotch's Must* helpers are returned as errors.
func Run(fn func() error) (err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer recoverInto(&err)
	return fn()
}

// NoGrad calls fn with gradient tracking off on a locked OS thread and
// restores the previous grad mode afterwards, even if fn panics.
func NoGrad(fn func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prev := setGrad(false)
	defer setGrad(prev)
	fn()
}

// NoGradErr is NoGrad for functions that fail; panics become errors.
func NoGradErr(fn func() error) (err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prev := setGrad(false)
	defer setGrad(prev)
	defer recoverInto(&err)
	return fn()
}

// recoverInto turns a panic (gotch's Must* functions panic on libtorch
// errors) into an error.
func recoverInto(err *error) {
	if r := recover(); r != nil {
		if os.Getenv("MFIF_DEBUG_PANIC") != "" {
			debug.PrintStack()
		}
		if e, ok := r.(error); ok {
			*err = fmt.Errorf("backend: libtorch: %w", e)
			return
		}
		*err = fmt.Errorf("backend: libtorch: %v", r)
	}
}
