// optimstep.cpp: the optimizer's per-parameter tensor operations for the
// whole model in one call. Through gotch each operation is a cgo call, a
// Go tensor handle (registry entry, finalizer, Go allocation) and a free;
// Adam costs about 17 of them per parameter tensor, more than half of all
// handles in a step of a small network. The operations here are the same
// ATen calls, with the same scalars, in the same order, so the results
// are bit-identical to the Go sequence they replace (train/optim.go).
#include "optimstep.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>
#include <exception>
#include <string>

namespace {

thread_local std::string last_err;

const char *fail(const std::exception &e) {
  last_err = e.what();
  return last_err.c_str();
}

at::Tensor &tensor(void *p) { return *static_cast<at::Tensor *>(p); }

} // namespace

extern "C" {

const char *mfif_has_grad(void **params, int n, uint8_t *has) {
  try {
    for (int i = 0; i < n; i++) {
      has[i] = tensor(params[i]).grad().defined() ? 1 : 0;
    }
  } catch (const std::exception &e) {
    return fail(e);
  }
  return nullptr;
}

const char *mfif_zero_grads(void **params, int n) {
  try {
    at::NoGradGuard no_grad;
    for (int i = 0; i < n; i++) {
      const at::Tensor &g = tensor(params[i]).grad();
      if (g.defined()) {
        g.copy_(at::zeros_like(g));
      }
    }
  } catch (const std::exception &e) {
    return fail(e);
  }
  return nullptr;
}

const char *mfif_adam(void **params, void **m, void **v, int n, const double *bc1,
                      const double *bc2, double lr, double beta1, double beta2, double eps,
                      double wd, int wd_mode) {
  try {
    at::NoGradGuard no_grad;
    for (int i = 0; i < n; i++) {
      at::Tensor &w = tensor(params[i]);
      at::Tensor g = w.grad();
      if (!g.defined()) {
        continue;
      }
      at::Tensor &mi = tensor(m[i]);
      at::Tensor &vi = tensor(v[i]);
      if (wd_mode == 2) {
        w.copy_(w.mul(at::Scalar(1 - lr * wd)));
      } else if (wd_mode == 1) {
        g = w.mul(at::Scalar(wd)).add(g);
      }
      // m = b1 m + (1-b1) g ; v = b2 v + ((1-b2) g) g
      mi.copy_(mi.mul(at::Scalar(beta1)).add(g.mul(at::Scalar(1 - beta1))));
      at::Tensor g2 = g.mul(at::Scalar(1 - beta2)).mul(g);
      vi.copy_(vi.mul(at::Scalar(beta2)).add(g2));
      // w += (-lr/bc1 m) / (sqrt(v)/sqrt(bc2) + eps)
      at::Tensor den = vi.sqrt().div(at::Scalar(std::sqrt(bc2[i]))).add(at::Scalar(eps));
      at::Tensor upd = mi.mul(at::Scalar(-lr / bc1[i])).div(den);
      w.copy_(w.add(upd));
    }
  } catch (const std::exception &e) {
    return fail(e);
  }
  return nullptr;
}

} // extern "C"
