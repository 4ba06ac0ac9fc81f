// torchhelp.cpp: extern "C" wrappers for libtorch calls gotch v0.9.1 lacks
// (seeding, intra-op thread count, reading the grad mode without changing
// it). Only headers that exist in both libtorch 1.13 and 2.1 are used.
#include "torchhelp.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

extern "C" {

void mfif_manual_seed(uint64_t seed) { at::manual_seed(seed); }

void mfif_set_num_threads(int n) { at::set_num_threads(n); }

int mfif_get_num_threads(void) { return at::get_num_threads(); }

int mfif_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

void mfif_set_grad_enabled(int on) { c10::GradMode::set_enabled(on != 0); }

const char *mfif_torch_version(void) { return TORCH_VERSION; }

int mfif_torch_has_cuda(void) { return at::hasCUDA() ? 1 : 0; }

} // extern "C"
