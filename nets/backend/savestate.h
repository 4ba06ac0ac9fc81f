// savestate.h: writes and re-reads torch.save-compatible files through
// libtorch's own serializer (torch::pickle_save / torch::pickle_load).
#ifndef MFIF_BACKEND_SAVESTATE_H
#define MFIF_BACKEND_SAVESTATE_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
// mfif_pickle_state_dict serialises n (name, tensor) pairs as a dict in
// torch.save's zip format. tensors are gotch tensor handles (torch::Tensor*).
// On success *out/*out_len hold a malloc'd buffer; on failure a malloc'd
// message is returned.
char *mfif_pickle_state_dict(const char **names, void **tensors, int n,
                             char **out, size_t *out_len);
// mfif_unpickle_count loads a torch.save file image with libtorch and counts
// the tensors of the top-level dict; returns a malloc'd message on failure.
char *mfif_unpickle_count(const char *data, size_t len, int *count);
#ifdef __cplusplus
}
#endif
#endif
