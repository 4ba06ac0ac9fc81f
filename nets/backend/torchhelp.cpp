// torchhelp.cpp: extern "C" wrappers for libtorch calls gotch v0.9.1 lacks
// (seeding, intra-op thread count, reading the grad mode without changing
// it, CUDA math settings, device memory). Only headers that exist in every
// libtorch mfif builds with (1.13 and 2.x, CPU and CUDA builds) are used: the
// CUDA runtime is reached through dlsym, so a CPU build compiles unchanged.
#include "torchhelp.h"

#include <dlfcn.h>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

extern "C" {

void mfif_manual_seed(uint64_t seed) { at::manual_seed(seed); }

void mfif_set_num_threads(int n) { at::set_num_threads(n); }

int mfif_get_num_threads(void) { return at::get_num_threads(); }

int mfif_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

void mfif_set_grad_enabled(int on) { c10::GradMode::set_enabled(on != 0); }

const char *mfif_torch_version(void) { return TORCH_VERSION; }

// mfif_torch_has_cuda reports whether libtorch's CUDA part is loaded (its
// hooks say the CUDA runtime is linked), GPU or not: at::hasCUDA() is false
// on a CUDA build without a device. Returns the runtime's version (e.g.
// 12040), or 0 for a CPU-only libtorch.
long mfif_torch_has_cuda(void) {
  try {
    const auto &hooks = at::detail::getCUDAHooks();
    if (!hooks.hasCUDART()) {
      return 0;
    }
    long v = hooks.versionCUDART();
    return v > 0 ? v : 1;
  } catch (const std::exception &) {
    return 0;
  }
}

void mfif_set_cuda_math(int allow_tf32, int deterministic) {
  auto &ctx = at::globalContext();
  ctx.setAllowTF32CuBLAS(allow_tf32 != 0);
  ctx.setAllowTF32CuDNN(allow_tf32 != 0);
  ctx.setDeterministicCuDNN(deterministic != 0);
  ctx.setBenchmarkCuDNN(false);
}

int mfif_cuda_tf32(void) {
  auto &ctx = at::globalContext();
  return (ctx.allowTF32CuBLAS() ? 1 : 0) | (ctx.allowTF32CuDNN() ? 2 : 0);
}

double mfif_conv_selfcheck(void) {
  // Float32 3x3 and 7x7 convolutions whose input channels are not a multiple
  // of oneDNN's block of 8 or 16 (the failing case of Debian 13's libtorch
  // 2.6 with oneDNN 3.7.2, which pads the blocked layout with garbage),
  // against the same convolution in float64 (which never goes through
  // oneDNN). Deterministic inputs: no random generator is touched. Returns
  // the worst error relative to the largest reference value.
  struct Shape {
    int64_t n, ic, oc, hw, k;
  };
  const Shape shapes[] = {{2, 12, 8, 8, 3}, {2, 20, 8, 8, 3}, {2, 24, 8, 8, 3}, {1, 12, 4, 16, 7}};
  double worst = 0;
  try {
  at::NoGradGuard no_grad;
  for (const Shape &sh : shapes) {
    auto xo = at::arange(sh.n * sh.ic * sh.hw * sh.hw, at::kDouble).reshape({sh.n, sh.ic, sh.hw, sh.hw});
    auto wo = at::arange(sh.oc * sh.ic * sh.k * sh.k, at::kDouble).reshape({sh.oc, sh.ic, sh.k, sh.k});
    auto x = at::sin(xo * 0.37);
    auto w = at::cos(wo * 0.11) * 0.1;
    auto ref = at::conv2d(x, w, {}, 1, sh.k / 2);
    auto got = at::conv2d(x.to(at::kFloat), w.to(at::kFloat), {}, 1, sh.k / 2).to(at::kDouble);
    double scale = ref.abs().max().item<double>();
    double err = (got - ref).abs().max().item<double>() / (scale > 0 ? scale : 1);
    if (err > worst) {
      worst = err;
    }
  }
  } catch (const std::exception &) {
    return -1;
  }
  return worst;
}

// oneDNN is reached through dlsym: it is a separate shared library only in
// some packagings (Debian's), and PyTorch's wheels do not export it.
struct mfif_dnnl_version {
  int major, minor, patch;
};

int mfif_onednn_version(int *major, int *minor, int *patch) {
  typedef const mfif_dnnl_version *(*version_fn)(void);
  auto fn = reinterpret_cast<version_fn>(dlsym(RTLD_DEFAULT, "dnnl_version"));
  if (fn == nullptr) {
    return -1;
  }
  const mfif_dnnl_version *v = fn();
  *major = v->major;
  *minor = v->minor;
  *patch = v->patch;
  return 0;
}

int mfif_onednn_cap_sse41(void) {
  // dnnl_set_max_cpu_isa(dnnl_cpu_isa_sse41 = 0x1) only succeeds before
  // oneDNN's first primitive; it returns dnnl_success (0) then.
  typedef int (*cap_fn)(int);
  auto fn = reinterpret_cast<cap_fn>(dlsym(RTLD_DEFAULT, "dnnl_set_max_cpu_isa"));
  if (fn == nullptr) {
    return -1;
  }
  return fn(0x1);
}

int mfif_mkldnn_enabled(void) { return at::globalContext().userEnabledMkldnn() ? 1 : 0; }

void mfif_set_mkldnn_enabled(int on) { at::globalContext().setUserEnabledMkldnn(on != 0); }

const char *mfif_cuda_probe(int *count) {
  // Asks the CUDA runtime directly, for a message that says why there is no
  // device (no driver, no GPU, a driver too old); NULL when no CUDA runtime
  // is loaded or it reports no error.
  typedef int (*count_fn)(int *);
  typedef const char *(*err_fn)(int);
  auto cnt = reinterpret_cast<count_fn>(dlsym(RTLD_DEFAULT, "cudaGetDeviceCount"));
  auto err = reinterpret_cast<err_fn>(dlsym(RTLD_DEFAULT, "cudaGetErrorString"));
  *count = 0;
  if (cnt == nullptr) {
    return nullptr;
  }
  int rc = cnt(count);
  if (rc == 0) {
    return nullptr;
  }
  *count = 0;
  return err != nullptr ? err(rc) : "cudaGetDeviceCount failed";
}

int mfif_cuda_mem_info(int device, uint64_t *free_bytes, uint64_t *total_bytes) {
  // cudaGetDevice/cudaSetDevice/cudaMemGetInfo of the CUDA runtime that a
  // CUDA libtorch has loaded; -1 when there is none (CPU builds).
  typedef int (*get_dev_fn)(int *);
  typedef int (*set_dev_fn)(int);
  typedef int (*mem_fn)(size_t *, size_t *);
  auto get_dev = reinterpret_cast<get_dev_fn>(dlsym(RTLD_DEFAULT, "cudaGetDevice"));
  auto set_dev = reinterpret_cast<set_dev_fn>(dlsym(RTLD_DEFAULT, "cudaSetDevice"));
  auto mem = reinterpret_cast<mem_fn>(dlsym(RTLD_DEFAULT, "cudaMemGetInfo"));
  if (get_dev == nullptr || set_dev == nullptr || mem == nullptr) {
    return -1;
  }
  int old = 0;
  if (get_dev(&old) != 0 || set_dev(device) != 0) {
    return -2;
  }
  size_t f = 0, t = 0;
  int rc = mem(&f, &t);
  set_dev(old);
  if (rc != 0) {
    return -3;
  }
  *free_bytes = f;
  *total_bytes = t;
  return 0;
}

} // extern "C"
