// gotch-compat2.h: lets github.com/sugarme/gotch v0.9.1 (generated against
// libtorch 2.1) compile against libtorch 2.2 and later.
//
// scripts/torchenv force-includes this file into every cgo C++ compile when
// it builds against libtorch 2.x. It is inert unless both hold:
//   * the libtorch being compiled against is newer than 2.1, and
//   * the translation unit is gotch's libtch/torch_api.cpp (detected by its
//     generated wrapper file being on the include path).
//
// Two kinds of wrapper fail to compile; mfif calls none of them. For each, a
// function of the 2.1 shape is declared in namespace at that throws
// std::runtime_error("mfif: <op> ... is not available ..."), which gotch's
// PROTECT turns into an ordinary Go error.
//
// 1. Ops whose signature changed after 2.1 (the three failures against
// 2.6; the compiler errors are in docs/cuda.md):
//   _cslt_sparse_mm  2.1: (A, B, bias, transpose_result). Later versions
//                    put optional alpha/out_dtype before transpose_result,
//                    so a bool no longer converts.
//   _scaled_mm       2.1: (self, mat2, bias, out_dtype, scale_a, scale_b,
//   _scaled_mm_out   scale_result) returning (out, amax). Later versions
//                    take scale_a and scale_b as required tensors right
//                    after mat2 and return one tensor.
// 2. Ops removed later (against 2.14: align_as, align_tensors, cholesky,
// cholesky_out, qr, qr_out; the named-tensor API and the long-deprecated
// torch.cholesky/torch.qr, replaced by torch.linalg). Each is declared only
// when ATen's own header for the op is absent (__has_include), so the
// header fits every version in between without knowing when an op went.
// Tensor::align_as is a member call, which cannot be overloaded from
// outside the class: a function-like macro, defined after every libtorch
// header, rewrites it into an expression of the same type that throws.
//
// The overloads are variadic templates, so they take any argument list the
// generated 2.1 call passes; every declaration comes after all of libtorch's
// headers that torch_api.cpp includes, so libtorch's own inline code never
// sees them.
#ifndef MFIF_GOTCH_COMPAT2_H
#define MFIF_GOTCH_COMPAT2_H

#if defined(__cplusplus) && __has_include("torch_api_generated.cpp.h") && \
    __has_include(<torch/version.h>)
#include <torch/version.h>
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR > 1)
#define MFIF_COMPAT2_ACTIVE 1

// Everything torch_api.cpp includes, first.
#include "ATen/core/interned_strings.h"
#include <ATen/autocast_mode.h>
#include <stdexcept>
#include <string>
#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/jit/passes/fixup_trace_scope_blocks.h>
#include <torch/csrc/jit/passes/normalize_ops.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/script.h>
#include <torch/torch.h>
#include <tuple>
#include <vector>

namespace mfif_compat2 {
[[noreturn]] inline void unavailable(const char *op) {
  throw std::runtime_error(std::string("mfif: ") + op +
                           " with gotch v0.9.1's (libtorch 2.1) signature is not available with libtorch " +
                           TORCH_VERSION);
}
inline at::Tensor unavailable_tensor(const char *op) { unavailable(op); }
} // namespace mfif_compat2

namespace at {
template <typename... A> inline at::Tensor _cslt_sparse_mm(const at::Tensor &, const at::Tensor &, const at::Tensor &, bool, A &&...) {
  ::mfif_compat2::unavailable("_cslt_sparse_mm");
}
template <typename... A>
inline std::tuple<at::Tensor, at::Tensor> _scaled_mm(const at::Tensor &, const at::Tensor &, const at::Tensor &,
                                                      c10::optional<at::ScalarType>, A &&...) {
  ::mfif_compat2::unavailable("_scaled_mm");
}
template <typename... A>
inline std::tuple<at::Tensor, at::Tensor> _scaled_mm_out(at::Tensor &, at::Tensor &, const at::Tensor &,
                                                          const at::Tensor &, const at::Tensor &,
                                                          c10::optional<at::ScalarType>, A &&...) {
  ::mfif_compat2::unavailable("_scaled_mm_out");
}

#if !__has_include(<ATen/ops/align_tensors.h>)
template <typename... A> inline std::vector<at::Tensor> align_tensors(A &&...) {
  ::mfif_compat2::unavailable("align_tensors");
}
#endif
#if !__has_include(<ATen/ops/cholesky.h>)
template <typename... A> inline at::Tensor cholesky(A &&...) { ::mfif_compat2::unavailable("cholesky"); }
template <typename... A> inline at::Tensor &cholesky_out(at::Tensor &, A &&...) {
  ::mfif_compat2::unavailable("cholesky_out");
}
#endif
#if !__has_include(<ATen/ops/qr.h>)
template <typename... A> inline std::tuple<at::Tensor, at::Tensor> qr(A &&...) { ::mfif_compat2::unavailable("qr"); }
template <typename... A>
inline std::tuple<at::Tensor &, at::Tensor &> qr_out(at::Tensor &, at::Tensor &, A &&...) {
  ::mfif_compat2::unavailable("qr_out");
}
#endif
} // namespace at

#if !__has_include(<ATen/ops/align_as.h>)
#define align_as(...) add(::mfif_compat2::unavailable_tensor("align_as"))
#endif

#endif // TORCH_VERSION > 2.1
#endif // compiling gotch's libtch
#endif // MFIF_GOTCH_COMPAT2_H
