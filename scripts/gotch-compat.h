// gotch-compat.h: lets github.com/sugarme/gotch v0.9.1 (generated against
// libtorch 2.1) compile against Debian's libtorch 1.13.
//
// scripts/torchenv force-includes this file into every cgo C++ compile
// (CGO_CXXFLAGS="-include <this file>"). It is inert unless both hold:
//   * the libtorch being compiled against is 1.13, and
//   * the translation unit is gotch's libtch/torch_api.cpp (detected by its
//     generated wrapper file being on the include path).
//
// Approach: gotch's torch_api_generated.cpp.h wraps every ATen op. 105 of
// those wrappers call ops that are missing in 1.13 or whose signature changed
// by 2.1. For each we declare a function of the 2.1 shape:
//   * ops mfif may plausibly reach (squeeze with a dim list, std/var with a
//     Scalar correction, unary max/min into out) are implemented on top of
//     the 1.13 API;
//   * every other op (sparse layouts, fused attention kernels, MPS/MKLDNN
//     RNNs, symbolic-shape helpers, ...) throws std::runtime_error
//     "mfif: <op> is not available with libtorch 1.13", which gotch's PROTECT
//     turns into an ordinary Go error.
// Declarations go into namespace at (torch re-exports at through a
// using-directive, so torch::<op> finds them without hiding at's own
// overloads), except for factory functions that torch declares itself.
// Member calls (self->op(...)) cannot be overloaded from outside the class;
// those few are rewritten with function-like macros that are defined only
// after every libtorch header used by torch_api.cpp has been included, so
// they touch gotch's wrapper code and nothing else.
//
// Editing this file: the Makefile/torchenv put a hash of it into the cgo
// flags (-DMFIF_COMPAT_SHA=...), so the Go build cache notices edits.
#ifndef MFIF_GOTCH_COMPAT_H
#define MFIF_GOTCH_COMPAT_H

#if defined(__cplusplus) && __has_include("torch_api_generated.cpp.h") && \
    __has_include(<torch/version.h>)
#include <torch/version.h>
#if TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR == 13
#define MFIF_COMPAT_ACTIVE 1

// Everything torch_api.cpp includes, so that the macros below cannot reach
// into libtorch's own headers (they are include-guarded / #pragma once).
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

namespace mfif_compat {

[[noreturn]] inline void unavailable(const char *op) {
  throw std::runtime_error(std::string("mfif: ") + op +
                           " is not available with libtorch 1.13");
}

inline at::Tensor unavailable_tensor(const char *op) { unavailable(op); }

// squeeze_dim maps the 2.1 "dims" argument of Tensor::squeeze_ onto the
// single-dim 1.13 overload.
inline int64_t squeeze_dim(int64_t d) { return d; }
inline int64_t squeeze_dim(at::IntArrayRef dims) {
  if (dims.size() != 1) {
    unavailable("in-place squeeze_ over several dims");
  }
  return dims[0];
}

// squeeze_dims squeezes every listed dim of size 1 (2.1 semantics).
inline at::Tensor squeeze_dims(const at::Tensor &self, at::IntArrayRef dims) {
  const int64_t n = self.dim();
  std::vector<bool> drop(static_cast<size_t>(n), false);
  for (int64_t d : dims) {
    int64_t w = at::maybe_wrap_dim(d, n == 0 ? 1 : n);
    if (n > 0 && self.size(w) == 1) {
      drop[static_cast<size_t>(w)] = true;
    }
  }
  at::Tensor out = self;
  for (int64_t d = n - 1; d >= 0; --d) {
    if (drop[static_cast<size_t>(d)]) {
      out = out.squeeze(d);
    }
  }
  return out;
}

inline c10::optional<int64_t> correction(const c10::Scalar &c) {
  if (c.isFloatingPoint()) {
    double v = c.toDouble();
    if (v != static_cast<double>(static_cast<int64_t>(v))) {
      unavailable("non-integer correction in std/var");
    }
    return static_cast<int64_t>(v);
  }
  return c.toLong();
}

inline at::Tensor &assign(at::Tensor &out, const at::Tensor &v) {
  out.resize_(v.sizes());
  out.copy_(v);
  return out;
}

} // namespace mfif_compat

#define MFIF_NA(ret, op)                                                       \
  template <typename... A> inline ret op(A &&...) {                            \
    ::mfif_compat::unavailable(#op);                                           \
  }
#define MFIF_T at::Tensor
#define MFIF_T2 std::tuple<at::Tensor, at::Tensor>
#define MFIF_T3 std::tuple<at::Tensor, at::Tensor, at::Tensor>
#define MFIF_T4 std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor>
#define MFIF_T5                                                                \
  std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor>
#define MFIF_T6                                                                \
  std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor,      \
             at::Tensor>
#define MFIF_T7                                                                \
  std::tuple<at::Tensor, at::Tensor, at::Tensor, at::Tensor, at::Tensor,      \
             at::Tensor, at::Tensor>

namespace at {
// Ops absent from 1.13 (or present only with another shape and called from
// exactly one wrapper): throw.
MFIF_NA(MFIF_T, _cslt_compress)
MFIF_NA(MFIF_T, _cslt_sparse_mm)
MFIF_NA(MFIF_T4, _efficient_attention_backward)
MFIF_NA(MFIF_T, _fill_mem_eff_dropout_mask_)
MFIF_NA(MFIF_T3, _flash_attention_backward)
MFIF_NA(MFIF_T, _functional_assert_async)
MFIF_NA(MFIF_T, _functional_sym_constrain_range)
MFIF_NA(MFIF_T, _functional_sym_constrain_range_for_size)
MFIF_NA(int64_t, _fused_sdp_choice)
MFIF_NA(MFIF_T, _int_mm)
MFIF_NA(MFIF_T, _int_mm_out)
MFIF_NA(MFIF_T, _is_all_true)
MFIF_NA(MFIF_T, _is_any_true)
MFIF_NA(MFIF_T6, _lstm_mps)
MFIF_NA(MFIF_T6, _lstm_mps_out)
MFIF_NA(MFIF_T, _make_dep_token)
MFIF_NA(MFIF_T3, _native_batch_norm_legit)
MFIF_NA(MFIF_T5, _native_batch_norm_legit_functional)
MFIF_NA(MFIF_T3, _native_batch_norm_legit_no_training)
MFIF_NA(MFIF_T3, _native_batch_norm_legit_no_training_out)
MFIF_NA(MFIF_T3, _native_batch_norm_legit_out)
MFIF_NA(MFIF_T, _nested_view_from_buffer)
MFIF_NA(MFIF_T, _nested_view_from_buffer_copy)
MFIF_NA(MFIF_T, _nested_view_from_buffer_copy_out)
MFIF_NA(MFIF_T, _prelu_kernel)
MFIF_NA(MFIF_T2, _prelu_kernel_backward)
MFIF_NA(void, _propagate_xla_data)
MFIF_NA(MFIF_T, _reshape_copy)
MFIF_NA(MFIF_T2, _scaled_dot_product_attention_math)
MFIF_NA(MFIF_T4, _scaled_dot_product_efficient_attention)
MFIF_NA(MFIF_T3, _scaled_dot_product_flash_attention_backward)
MFIF_NA(MFIF_T2, _scaled_mm)
MFIF_NA(MFIF_T2, _scaled_mm_out)
MFIF_NA(MFIF_T, _sparse_coo_tensor_with_dims_and_tensors_out)
MFIF_NA(MFIF_T, _sparse_mask_projection_out)
MFIF_NA(MFIF_T2, _sparse_mm_reduce_impl)
MFIF_NA(MFIF_T, _sparse_semi_structured_linear)
MFIF_NA(MFIF_T, _test_check_tensor)
MFIF_NA(MFIF_T, _test_functorch_fallback)
MFIF_NA(MFIF_T, _test_functorch_fallback_out)
MFIF_NA(MFIF_T, _to_dense_out)
MFIF_NA(MFIF_T, _to_sparse_bsc_out)
MFIF_NA(MFIF_T, _to_sparse_bsr_out)
MFIF_NA(MFIF_T, _to_sparse_csc_out)
MFIF_NA(MFIF_T, _to_sparse_csr_out)
MFIF_NA(MFIF_T, _to_sparse_out)
MFIF_NA(MFIF_T2, _to_sparse_semi_structured)
MFIF_NA(MFIF_T, _unsafe_index)
MFIF_NA(MFIF_T, _unsafe_index_put)
MFIF_NA(MFIF_T, empty_permuted)
MFIF_NA(MFIF_T, empty_permuted_out)
MFIF_NA(MFIF_T, max_pool2d_backward)
MFIF_NA(MFIF_T, max_pool2d_backward_out)
MFIF_NA(MFIF_T, mkldnn_reorder_conv2d_weight)
MFIF_NA(MFIF_T, mkldnn_reorder_conv2d_weight_out)
MFIF_NA(MFIF_T4, mkldnn_rnn_layer)
MFIF_NA(MFIF_T7, mkldnn_rnn_layer_backward)
MFIF_NA(MFIF_T7, mkldnn_rnn_layer_backward_out)
MFIF_NA(MFIF_T4, mkldnn_rnn_layer_out)
MFIF_NA(MFIF_T, nonzero_static)
MFIF_NA(MFIF_T, nonzero_static_out)
MFIF_NA(MFIF_T, quantized_max_pool3d)
MFIF_NA(MFIF_T, quantized_max_pool3d_out)
MFIF_NA(MFIF_T, scaled_dot_product_attention)
MFIF_NA(void, sym_constrain_range)
MFIF_NA(void, sym_constrain_range_for_size)
MFIF_NA(MFIF_T, to_dense_backward)

// Ops that exist in 1.13 with other overloads that gotch also calls: exact
// signatures only, so the working overloads keep winning.
inline std::tuple<Tensor, Tensor>
_ctc_loss_out(Tensor &, Tensor &, const Tensor &, const Tensor &,
              const Tensor &, const Tensor &, int64_t, bool) {
  ::mfif_compat::unavailable("_ctc_loss_out with tensor lengths");
}
inline Tensor _sparse_mm(const Tensor &, const Tensor &, std::string) {
  ::mfif_compat::unavailable("_sparse_mm with reduce");
}
inline Tensor max_out(Tensor &out, const Tensor &self) {
  return ::mfif_compat::assign(out, self.max());
}
inline Tensor min_out(Tensor &out, const Tensor &self) {
  return ::mfif_compat::assign(out, self.min());
}
inline Tensor squeeze(const Tensor &self, IntArrayRef dims) {
  return ::mfif_compat::squeeze_dims(self, dims);
}
inline Tensor squeeze_copy(const Tensor &self, IntArrayRef dims) {
  return ::mfif_compat::squeeze_dims(self, dims).clone();
}
inline Tensor squeeze_copy_out(Tensor &out, const Tensor &self,
                               IntArrayRef dims) {
  return ::mfif_compat::assign(out, ::mfif_compat::squeeze_dims(self, dims));
}
inline Tensor std(const Tensor &self, OptionalIntArrayRef dim,
                  const c10::Scalar &c, bool keepdim) {
  return at::std(self, dim, ::mfif_compat::correction(c), keepdim);
}
inline Tensor std_out(Tensor &out, const Tensor &self,
                      OptionalIntArrayRef dim, const c10::Scalar &c,
                      bool keepdim) {
  return at::std_out(out, self, dim, ::mfif_compat::correction(c), keepdim);
}
inline std::tuple<Tensor, Tensor> std_mean(const Tensor &self,
                                           OptionalIntArrayRef dim,
                                           const c10::Scalar &c,
                                           bool keepdim) {
  return at::std_mean(self, dim, ::mfif_compat::correction(c), keepdim);
}
inline std::tuple<Tensor, Tensor>
std_mean_out(Tensor &o0, Tensor &o1, const Tensor &self,
             OptionalIntArrayRef dim, const c10::Scalar &c, bool keepdim) {
  auto r = at::std_mean(self, dim, ::mfif_compat::correction(c), keepdim);
  ::mfif_compat::assign(o0, std::get<0>(r));
  ::mfif_compat::assign(o1, std::get<1>(r));
  return std::make_tuple(o0, o1);
}
inline Tensor var(const Tensor &self, OptionalIntArrayRef dim,
                  const c10::Scalar &c, bool keepdim) {
  return at::var(self, dim, ::mfif_compat::correction(c), keepdim);
}
inline Tensor var_out(Tensor &out, const Tensor &self,
                      OptionalIntArrayRef dim, const c10::Scalar &c,
                      bool keepdim) {
  return at::var_out(out, self, dim, ::mfif_compat::correction(c), keepdim);
}
inline std::tuple<Tensor, Tensor> var_mean(const Tensor &self,
                                           OptionalIntArrayRef dim,
                                           const c10::Scalar &c,
                                           bool keepdim) {
  return at::var_mean(self, dim, ::mfif_compat::correction(c), keepdim);
}
inline std::tuple<Tensor, Tensor>
var_mean_out(Tensor &o0, Tensor &o1, const Tensor &self,
             OptionalIntArrayRef dim, const c10::Scalar &c, bool keepdim) {
  auto r = at::var_mean(self, dim, ::mfif_compat::correction(c), keepdim);
  ::mfif_compat::assign(o0, std::get<0>(r));
  ::mfif_compat::assign(o1, std::get<1>(r));
  return std::make_tuple(o0, o1);
}
} // namespace at

// Factory functions torch declares in its own namespace (hiding at's).
namespace torch {
inline at::Tensor _sparse_coo_tensor_unsafe(const at::Tensor &,
                                            const at::Tensor &,
                                            at::IntArrayRef,
                                            at::TensorOptions, bool) {
  ::mfif_compat::unavailable("_sparse_coo_tensor_unsafe with is_coalesced");
}
inline at::Tensor _sparse_coo_tensor_with_dims_and_tensors(
    int64_t, int64_t, at::IntArrayRef, const at::Tensor &, const at::Tensor &,
    at::TensorOptions, bool) {
  ::mfif_compat::unavailable(
      "_sparse_coo_tensor_with_dims_and_tensors with is_coalesced");
}
inline at::Tensor sparse_coo_tensor(const at::Tensor &, const at::Tensor &,
                                    at::TensorOptions, bool) {
  ::mfif_compat::unavailable("sparse_coo_tensor with is_coalesced");
}
inline at::Tensor sparse_coo_tensor(const at::Tensor &, const at::Tensor &,
                                    at::IntArrayRef, at::TensorOptions, bool) {
  ::mfif_compat::unavailable("sparse_coo_tensor with is_coalesced");
}
} // namespace torch

// Member calls whose 2.1 signature 1.13's at::Tensor lacks. The expansion
// keeps the expression well-typed (a Tensor) and throws while evaluating
// the argument.
#define MFIF_NA_MEMBER(op) add(::mfif_compat::unavailable_tensor(#op))
#define MFIF_NARGS(...) MFIF_NARGS_(__VA_ARGS__, 3, 2, 1, 0)
#define MFIF_NARGS_(a, b, c, n, ...) n
#define MFIF_CAT(a, b) MFIF_CAT_(a, b)
#define MFIF_CAT_(a, b) a##b

#define _to_dense(...) MFIF_NA_MEMBER(_to_dense)
#define to_dense(...) MFIF_NA_MEMBER(to_dense)
#define _to_sparse(...) MFIF_NA_MEMBER(_to_sparse)
#define _to_sparse_bsc(...) MFIF_NA_MEMBER(_to_sparse_bsc)
#define _to_sparse_bsr(...) MFIF_NA_MEMBER(_to_sparse_bsr)
#define _to_sparse_csc(...) MFIF_NA_MEMBER(_to_sparse_csc)
#define _to_sparse_csr(...) MFIF_NA_MEMBER(_to_sparse_csr)
#define to_sparse_bsc(...) MFIF_NA_MEMBER(to_sparse_bsc)
#define to_sparse_bsr(...) MFIF_NA_MEMBER(to_sparse_bsr)
#define to_sparse_csc(...) MFIF_NA_MEMBER(to_sparse_csc)
#define to_sparse_csr(...) MFIF_NA_MEMBER(to_sparse_csr)
#define _sparse_mask_projection(...) MFIF_NA_MEMBER(_sparse_mask_projection)
// to_sparse(sparse_dim) still works in 1.13; only the 3-argument 2.1 form
// is rejected.
#define to_sparse(...)                                                         \
  MFIF_CAT(MFIF_TO_SPARSE_, MFIF_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define MFIF_TO_SPARSE_1(a) to_sparse(a)
#define MFIF_TO_SPARSE_3(a, b, c) MFIF_NA_MEMBER(to_sparse)
// squeeze_() and squeeze_(dim) keep working; squeeze_(dims) maps onto the
// single-dim form.
#define squeeze_(...) squeeze_(__VA_OPT__(::mfif_compat::squeeze_dim(__VA_ARGS__)))

#endif // TORCH_VERSION 1.13
#endif // compiling gotch's libtch
#endif // MFIF_GOTCH_COMPAT_H
