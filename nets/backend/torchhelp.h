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
long mfif_torch_has_cuda(void);
void mfif_set_cuda_math(int allow_tf32, int deterministic);
int mfif_cuda_tf32(void);
const char *mfif_cuda_probe(int *count);
double mfif_conv_selfcheck(void);
int mfif_mkldnn_enabled(void);
int mfif_onednn_version(int *major, int *minor, int *patch);
int mfif_onednn_cap_sse41(void);
void mfif_set_mkldnn_enabled(int on);
int mfif_cuda_mem_info(int device, uint64_t *free_bytes, uint64_t *total_bytes);
#ifdef __cplusplus
}
#endif
#endif
