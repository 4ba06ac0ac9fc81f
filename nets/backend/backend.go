// Package backend is the only package in mfif that sets up the libtorch
// binding (github.com/sugarme/gotch). It seeds libtorch, sets its thread
// count, resolves the compute device, and provides the helpers every model
// and training loop uses: OS-thread-locked execution (Run, NoGrad),
// deterministic release of intermediate tensors (Scope), image <-> tensor
// conversion, .npy/.npz reading and PyTorch state_dict loading.
//
// It also installs mfif's CPU allocator (alloc.cpp) when the package is
// loaded, and converts between VarStores and checkpoints (vars.go).
//
// Thread rule: libtorch keeps its grad mode per OS thread, while Go moves
// goroutines between OS threads at will. All tensor work must therefore run
// inside Run or NoGrad (which lock the goroutine to its OS thread for their
// duration).
//
// Building: packages importing backend need the cgo flags from
// scripts/torchenv (the Makefile sources it for every target).
package backend

/*
#cgo CXXFLAGS: -std=c++17
#cgo LDFLAGS: -lstdc++ -ltorch_cpu -lc10 -ldl
#include "torchhelp.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/sugarme/gotch"
)

// Options configures Init.
type Options struct {
	// Device is "auto" (or ""), "cpu", "cuda" or "cuda:N": auto picks CUDA
	// device 0 when libtorch reports one and falls back to the CPU; "cuda"
	// without a usable GPU is an error.
	Device string
	// Threads is libtorch's intra-op thread count; 0 means one per CPU
	// core (PyTorch's usual default; some libtorch builds, Debian's among
	// them, start with 1).
	Threads int
	// Seed seeds libtorch's CPU and CUDA generators.
	Seed int64
	// Deterministic turns off TF32 in cuBLAS and cuDNN and asks cuDNN for
	// deterministic algorithms, so that a CUDA run follows the CPU run of
	// the same seed to float32 rounding (slower). Off, libtorch's defaults
	// hold (as in PyTorch: TF32 for convolutions, not for matrix products).
	// No effect on the CPU.
	Deterministic bool
}

// Info describes what Init resolved.
type Info struct {
	// Device is the compute device every tensor is created on.
	Device gotch.Device
	// Name is the device as text ("cpu", "cuda:0").
	Name string
	// Threads is libtorch's intra-op thread count.
	Threads int
	// Note, when not empty, is one line for the user about the choice
	// (e.g. that auto fell back to the CPU).
	Note string
}

var (
	mu     sync.Mutex
	device = gotch.CPU
)

// Init resolves the device, sets libtorch's thread count and seeds its
// generators. Every command that computes with tensors calls it once,
// before building any model; Device returns the result afterwards. It may
// be called again (tests do).
func Init(opts Options) (Info, error) {
	d, note, err := ResolveDevice(opts.Device)
	if err != nil {
		return Info{}, err
	}
	if opts.Threads < 0 {
		return Info{}, fmt.Errorf("backend: threads must be >= 0, got %d", opts.Threads)
	}
	n := opts.Threads
	if n == 0 {
		n = runtime.NumCPU()
	}
	mu.Lock()
	defer mu.Unlock()
	C.mfif_set_num_threads(C.int(n))
	ManualSeed(opts.Seed)
	if opts.Deterministic {
		C.mfif_set_cuda_math(0, 1)
	}
	device = d
	if c := ConvNote(); c != "" {
		note = strings.TrimPrefix(note+"; "+c, "; ")
	}
	return Info{Device: d, Name: DeviceName(d), Threads: Threads(), Note: note}, nil
}

// convCheck holds the outcome of the convolution self-check.
var convCheck struct {
	once sync.Once
	note string
	err  error
}

// checkConv runs once per process, before the first tensor work (Run,
// NoGrad and Init call it): a few float32 convolutions whose channel
// counts are not a multiple of oneDNN's block size, against the same
// convolutions in float64. Debian 13's libtorch 2.6 (with oneDNN 3.7.2)
// gets such convolutions wrong on CPUs with AVX2 or AVX-512, by up to half
// the output's range, which silently wrecks training. When the check fails
// it turns oneDNN off for the process (libtorch then uses its own
// convolution kernels: right, and slower) and ConvNote says so; when the
// result is still wrong, every later Run fails with the reason.
func checkConv() error {
	convCheck.once.Do(func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if C.mfif_mkldnn_enabled() == 0 {
			return
		}
		capped := capOneDNN()
		e := float64(C.mfif_conv_selfcheck())
		if e >= 0 && e <= convTolerance {
			if capped != "" {
				convCheck.note = capped
			}
			return
		}
		C.mfif_set_mkldnn_enabled(0)
		e2 := float64(C.mfif_conv_selfcheck())
		convCheck.note = fmt.Sprintf("libtorch %s computes float32 convolutions of 12-24 channels wrongly through oneDNN on this CPU (relative error %.2g): oneDNN is off for this process, so convolutions are right but slower (docs/cuda.md)", Version(), e)
		if e2 < 0 || e2 > convTolerance {
			convCheck.err = fmt.Errorf("backend: libtorch %s computes float32 convolutions wrongly on this CPU, with oneDNN (relative error %.2g) and without (%.2g); see docs/cuda.md", Version(), e, e2)
		}
	})
	return convCheck.err
}

// oneDNNQuirks are libtorch and oneDNN pairings (major.minor each) known to
// compute float32 convolutions wrongly with oneDNN's AVX2 and AVX-512
// kernels and rightly with its SSE4.1 ones: Debian 13 builds libtorch 2.6
// against oneDNN 3.6 and ships oneDNN 3.7 under the 3.6 name. Measured on
// this project's 2-core AVX-512 machine in the Debian 13 root: the
// self-check's error is 0.46 with oneDNN's default ISA, 1.4 at AVX2 and
// 8e-7 at SSE4.1, and a 32-channel 3×3 convolution of 8×128² runs 3 to 7
// times faster at SSE4.1 than with oneDNN off.
var oneDNNQuirks = []struct{ torch, onednn string }{{"2.6", "3.7"}}

// capOneDNN limits oneDNN to its SSE4.1 kernels before its first use when
// the loaded libtorch and oneDNN are a pairing of oneDNNQuirks and neither
// ONEDNN_MAX_CPU_ISA nor DNNL_MAX_CPU_ISA is set (the user's choice wins).
// It returns a note when it did.
func capOneDNN() string {
	if os.Getenv("ONEDNN_MAX_CPU_ISA") != "" || os.Getenv("DNNL_MAX_CPU_ISA") != "" {
		return ""
	}
	dnnl := oneDNNVersion()
	if dnnl == "" {
		return ""
	}
	for _, q := range oneDNNQuirks {
		if strings.HasPrefix(Version()+".", q.torch+".") && strings.HasPrefix(dnnl, q.onednn+".") {
			if C.mfif_onednn_cap_sse41() != 0 {
				return ""
			}
			return fmt.Sprintf("libtorch %s with oneDNN %s computes float32 convolutions wrongly with oneDNN's AVX2 and AVX-512 kernels: oneDNN is limited to SSE4.1 for this process (set ONEDNN_MAX_CPU_ISA to choose; docs/cuda.md)", Version(), dnnl)
		}
	}
	return ""
}

// oneDNNVersion returns the version of a oneDNN library that libtorch
// loaded as a separate shared library (Debian's packaging), or "" when
// oneDNN is linked into libtorch without exported symbols.
func oneDNNVersion() string {
	var ma, mi, pa C.int
	if C.mfif_onednn_version(&ma, &mi, &pa) != 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", int(ma), int(mi), int(pa))
}

// convTolerance bounds the self-check's relative error: float32 rounding
// of sums of at most 588 products stays below 1e-6.
const convTolerance = 1e-4

// OneDNN reports whether libtorch may use oneDNN (the convolution
// self-check turns it off where it computes wrongly).
func OneDNN() bool { return C.mfif_mkldnn_enabled() != 0 }

// convSelfCheck runs the self-check's convolutions now and returns their
// worst relative error (-1 when libtorch failed).
func convSelfCheck() float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return float64(C.mfif_conv_selfcheck())
}

// ConvNote returns, after running the convolution self-check if it has not
// run yet, a one-line note when the check turned oneDNN off, else "".
func ConvNote() string {
	checkConv()
	return convCheck.note
}

// Device returns the device resolved by the last Init (the CPU before
// Init). Every VarStore and tensor of mfif is created on it.
func Device() gotch.Device {
	mu.Lock()
	defer mu.Unlock()
	return device
}

// DeviceName formats a device as "cpu" or "cuda:N".
func DeviceName(d gotch.Device) string {
	if d.IsCuda() {
		return fmt.Sprintf("cuda:%d", d.Value)
	}
	return "cpu"
}

// ResolveDevice maps a --device value ("auto" or "", "cpu", "cuda",
// "cuda:N") onto a device. For auto it also returns a note when it falls
// back to the CPU.
func ResolveDevice(name string) (gotch.Device, string, error) {
	v := strings.ToLower(strings.TrimSpace(name))
	noCUDA := func() error {
		return fmt.Errorf("--device %s: no usable CUDA device: %s; use --device cpu, or see docs/cuda.md", name, NoCUDAReason())
	}
	switch {
	case v == "cpu":
		return gotch.CPU, "", nil
	case v == "" || v == "auto":
		if CUDAAvailable() {
			return gotch.CudaBuilder(0), "", nil
		}
		return gotch.CPU, fmt.Sprintf("device auto: no usable CUDA device (%s); using the CPU", NoCUDAReason()), nil
	case v == "cuda" || v == "gpu":
		if !CUDAAvailable() {
			return gotch.CPU, "", noCUDA()
		}
		return gotch.CudaBuilder(0), "", nil
	case strings.HasPrefix(v, "cuda:"):
		k, err := strconv.Atoi(strings.TrimPrefix(v, "cuda:"))
		if err != nil || k < 0 {
			return gotch.CPU, "", fmt.Errorf("--device %q: want cuda:N with N a device index", name)
		}
		if !CUDAAvailable() {
			return gotch.CPU, "", noCUDA()
		}
		if n := gotch.CUDA.DeviceCount(); int64(k) >= n {
			return gotch.CPU, "", fmt.Errorf("--device %s: libtorch sees %d CUDA device(s) (0..%d)", name, n, n-1)
		}
		return gotch.CudaBuilder(uint(k)), "", nil
	}
	return gotch.CPU, "", fmt.Errorf("--device %q: want auto, cpu, cuda or cuda:N", name)
}

// Version returns the libtorch version the binary was compiled against,
// e.g. "1.13.0".
func Version() string { return C.GoString(C.mfif_torch_version()) }

// Flavor describes the libtorch build in use, for error messages and logs:
// "libtorch 2.6.0 with CUDA 12.4" or "libtorch 1.13.0 CPU-only".
func Flavor() string {
	if v := int(C.mfif_torch_has_cuda()); v > 1 {
		return fmt.Sprintf("libtorch %s with CUDA %d.%d", Version(), v/1000, v%1000/10)
	} else if v == 1 {
		return "libtorch " + Version() + " with CUDA"
	}
	return "libtorch " + Version() + " CPU-only"
}

// CUDAAvailable reports whether libtorch can use a CUDA device.
func CUDAAvailable() bool { return gotch.CUDA.IsAvailable() }

// CUDABuild reports whether the libtorch in use was built with CUDA (its
// CUDA kernels are loaded), whether or not a device is present.
func CUDABuild() bool { return C.mfif_torch_has_cuda() != 0 }

// NoCUDAReason says, in one clause, why no CUDA device can be used: a
// CPU-only libtorch, or a CUDA libtorch whose runtime finds no device (with
// the runtime's own reason, e.g. no driver). Empty when a device is usable.
func NoCUDAReason() string {
	if CUDAAvailable() {
		return ""
	}
	if !CUDABuild() {
		return "this mfif is built against " + Flavor() + ", which cannot use a GPU"
	}
	var n C.int
	if msg := C.mfif_cuda_probe(&n); msg != nil {
		return Flavor() + " finds none: " + C.GoString(msg)
	}
	return Flavor() + " finds none"
}

// CUDAMath reports whether TF32 is allowed for CUDA matrix products
// (cuBLAS) and convolutions (cuDNN).
func CUDAMath() (tf32Matmul, tf32Conv bool) {
	v := C.mfif_cuda_tf32()
	return v&1 != 0, v&2 != 0
}

// DeviceMemory returns the bytes in use and in total on CUDA device d as
// the CUDA runtime reports them (cudaMemGetInfo: every allocation of the
// device, the CUDA context and libtorch's cached blocks included); ok is
// false on the CPU or when no CUDA runtime is loaded.
func DeviceMemory(d gotch.Device) (used, total int64, ok bool) {
	if !d.IsCuda() {
		return 0, 0, false
	}
	var f, t C.uint64_t
	if C.mfif_cuda_mem_info(C.int(d.Value), &f, &t) != 0 {
		return 0, 0, false
	}
	return int64(t) - int64(f), int64(t), true
}

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
// only meaningful inside Run or NoGrad.
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

// Run calls fn with the goroutine locked to its OS thread and gradient
// tracking on (libtorch's default), restoring the thread's previous mode
// afterwards, so libtorch's per-thread state stays consistent for all of
// fn. Setting the mode explicitly also repairs threads left with tracking
// off by gotch's own ts.NoGrad, which gotch's initializers call: it turns
// tracking off and back on around its function on whatever OS threads the
// calling goroutine happens to run on. Panics from gotch's Must* helpers
// (and nets/layers) are returned as errors.
func Run(fn func() error) (err error) {
	if err := checkConv(); err != nil {
		return err
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prev := setGrad(true)
	defer setGrad(prev)
	defer recoverInto(&err)
	return fn()
}

// NoGrad calls fn with gradient tracking off, on the calling goroutine's
// OS thread locked for the call (libtorch's grad mode is per thread), and
// restores the previous mode afterwards. A panic from gotch's Must*
// helpers (a libtorch error) comes back as an error. gotch's own ts.NoGrad
// must not be used: it always re-enables tracking afterwards.
func NoGrad(fn func() error) (err error) {
	if err := checkConv(); err != nil {
		return err
	}
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
