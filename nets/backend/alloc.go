package backend

/*
#include "alloc.h"
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Allocator settings. Blocks of at least allocBig bytes get their own
// huge-page mapping; freed ones are cached up to allocCache bytes.
const (
	allocBig   = 1 << 20
	allocCache = 1 << 40
)

// AllocStats describes libtorch's CPU memory in blocks served by mfif's
// allocator (the large ones; small blocks go to the C library).
type AllocStats struct {
	// InUse and Cached are the bytes held by live tensors and kept for
	// reuse; Peak is the largest InUse so far.
	InUse, Cached, Peak uint64
	// Maps counts fresh mappings, Hits allocations served from the cache
	// and Resizes those built from cached blocks of other sizes (a larger
	// one split, smaller ones moved together; only what they do not cover
	// is new memory).
	Maps, Hits, Resizes uint64
}

// allocMode is how libtorch's CPU memory is allocated: "mfif" (the
// default, see alloc.cpp) or "system" (libtorch's own allocator), set by
// MFIF_ALLOCATOR.
var allocMode = "mfif"

func init() {
	if v := strings.TrimSpace(os.Getenv("MFIF_ALLOCATOR")); v != "" {
		allocMode = v
	}
	cache := uint64(allocCache)
	if v := os.Getenv("MFIF_ALLOC_CACHE_MB"); v != "" {
		if mb, err := strconv.ParseUint(v, 10, 32); err == nil {
			cache = mb << 20
		}
	}
	if allocMode == "mfif" {
		if C.mfif_alloc_install(C.uint64_t(allocBig), C.uint64_t(cache)) != 0 {
			allocMode = "system"
		}
	}
}

// Allocator names the CPU allocator in use: "mfif" or "system".
func Allocator() string { return allocMode }

// ReadAllocStats returns the allocator's counters (zero with "system").
func ReadAllocStats() AllocStats {
	var s AllocStats
	var inUse, cached, peak, maps, hits, resizes C.uint64_t
	C.mfif_alloc_stats(&inUse, &cached, &peak, &maps, &hits, &resizes)
	s.InUse, s.Cached, s.Peak = uint64(inUse), uint64(cached), uint64(peak)
	s.Maps, s.Hits, s.Resizes = uint64(maps), uint64(hits), uint64(resizes)
	return s
}

// ReleaseCache returns the allocator's cached blocks to the system.
func ReleaseCache() { C.mfif_alloc_release() }

// String formats the counters in MiB.
func (s AllocStats) String() string {
	return fmt.Sprintf("in use %d MiB, cached %d MiB, peak %d MiB, %d maps, %d cache hits, %d resizes",
		s.InUse>>20, s.Cached>>20, s.Peak>>20, s.Maps, s.Hits, s.Resizes)
}
