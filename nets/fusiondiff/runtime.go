package fusiondiff

/*
#include <stdint.h>
// Defined in gotch's libtch (torch_api.cpp), which every binary importing
// gotch links; gotch v0.9.1 has no Go wrapper for them.
void at_manual_seed(int64_t);
void at_set_num_threads(int);
*/
import "C"

// ManualSeed seeds libtorch's global CPU generator (torch.manual_seed), which
// dropout and ts.MustRandn draw from. It is a stopgap until nets/backend
// offers the same.
func ManualSeed(seed int64) { C.at_manual_seed(C.int64_t(seed)) }

// SetThreads sets libtorch's intra-op thread count (torch.set_num_threads);
// n <= 0 leaves it unchanged.
func SetThreads(n int) {
	if n > 0 {
		C.at_set_num_threads(C.int(n))
	}
}
