// torchhelp.h: the few libtorch calls gotch v0.9.1 does not expose.
#ifndef MFIF_BACKEND_TORCHHELP_H
#define MFIF_BACKEND_TORCHHELP_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
void mfif_manual_seed(uint64_t seed);
void mfif_set_num_threads(int n);
int mfif_get_num_threads(void);
int mfif_grad_enabled(void);
void mfif_set_grad_enabled(int on);
const char *mfif_torch_version(void);
int mfif_torch_has_cuda(void);
#ifdef __cplusplus
}
#endif
#endif
