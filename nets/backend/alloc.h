// alloc.h: mfif's CPU allocator for libtorch (see alloc.cpp and alloc.go).
#ifndef MFIF_BACKEND_ALLOC_H
#define MFIF_BACKEND_ALLOC_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
// mfif_alloc_install makes the allocator libtorch's CPU allocator. Blocks of
// at least big_bytes come from their own anonymous mappings advised for
// transparent huge pages; freed ones are kept for reuse while the cached
// total stays within cache_bytes. Returns 0 on success.
int mfif_alloc_install(uint64_t big_bytes, uint64_t cache_bytes);
// mfif_alloc_stats reports the bytes in use and cached in big blocks, the
// peak of in-use big bytes, and the counts of fresh mappings, cache hits and
// cached blocks resized for a request.
void mfif_alloc_stats(uint64_t *in_use, uint64_t *cached, uint64_t *peak,
                      uint64_t *maps, uint64_t *hits, uint64_t *resizes);
// mfif_alloc_release unmaps every cached block.
void mfif_alloc_release(void);
#ifdef __cplusplus
}
#endif
#endif
