// optimstep.h: whole-model optimizer updates in one call (see optimstep.go).
#ifndef MFIF_BACKEND_OPTIMSTEP_H
#define MFIF_BACKEND_OPTIMSTEP_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
// mfif_has_grad sets has[i] to 1 when params[i] (gotch tensor handles) has a
// defined gradient, else 0. Returns NULL or an error message (static).
const char *mfif_has_grad(void **params, int n, uint8_t *has);
// mfif_zero_grads zeroes the defined gradients of params.
const char *mfif_zero_grads(void **params, int n);
// mfif_adam applies one Adam/AdamW update to each params[i] with the moment
// tensors m[i], v[i] and bias corrections bc1[i], bc2[i]; params whose
// gradient is undefined are skipped. wd_mode: 0 none, 1 Adam's L2 term added
// to the gradient, 2 AdamW's decoupled decay.
const char *mfif_adam(void **params, void **m, void **v, int n, const double *bc1,
                      const double *bc2, double lr, double beta1, double beta2, double eps,
                      double wd, int wd_mode);
#ifdef __cplusplus
}
#endif
#endif
