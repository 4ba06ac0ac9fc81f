// alloc.cpp: a CPU allocator for libtorch that avoids the page-fault storm
// of glibc's default behaviour on large tensors.
//
// glibc serves every block above its mmap threshold (at most 32 MiB) with a
// fresh mmap and returns it with munmap, so each activation of a large
// network is faulted in 4 KiB page by page (and zeroed by the kernel) on
// every forward and backward pass; from a Go program, whose goroutines run on
// many OS threads, medium blocks also scatter over per-thread arenas. Here
// blocks of at least big_bytes get their own anonymous mapping, rounded to
// 2 MiB and advised MADV_HUGEPAGE (so the kernel faults them in 2 MiB at a
// time), and freed blocks are kept for reuse by the next request of about
// the same size (best fit, at most 1/8 larger), which the same shapes of the
// next training step or sampler call make. The cache never lets the mapped
// total (in use + cached) grow past the high-water mark of the bytes in use:
// a request that would is served after unmapping the least recently freed
// blocks, so resident memory stays what the largest live set needs, as with
// an allocator that returns every block at once. Smaller blocks go to c10's
// own alloc_cpu/free_cpu.
//
// A request that finds no cached block of about its size resizes the cached
// block nearest in size
// (munmap of the tail to shrink it, mremap to grow it) instead of unmapping
// old blocks and mapping a fresh one: only the pages a block gains are
// faulted in, where a fresh mapping faults (and the kernel zeroes) all of
// them.
//
// Blocks carry no header: a big block's data pointer is its mapping, whose
// length a table keeps, so a tensor of an exact multiple of 2 MiB (most
// activations of a batch of 256x256 maps) takes exactly its own huge pages.
// Pointers not in the table are small blocks of c10's allocator (64-byte
// aligned, as c10 requires), so one deleter frees both kinds and the raw
// allocate/deallocate interface works.
#include "alloc.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <torch/version.h>

#include <sys/mman.h>

#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kHuge = size_t(2) << 20;

struct State {
  std::mutex mu;
  size_t big = 0;       // threshold for the mapped path
  size_t cache_max = 0; // bound of cached bytes
  size_t cached = 0;
  size_t in_use = 0;
  size_t peak = 0;
  uint64_t maps = 0;
  uint64_t hits = 0;
  uint64_t resizes = 0;
  uint64_t clock = 0;                           // free order
  std::multimap<size_t, uint64_t> by_size;      // map_len -> free time
  std::map<uint64_t, std::pair<size_t, void *>> by_age; // free time -> block
  std::unordered_map<void *, size_t> live;      // big blocks in use -> length
};

// take removes and returns a cached block of at least len and at most
// len + len/8 bytes (best fit), or nullptr. Caller holds s.mu.
void *take(State &s, size_t len, size_t *got) {
  auto it = s.by_size.lower_bound(len);
  if (it == s.by_size.end() || it->first > len + len / 8) {
    return nullptr;
  }
  auto age = s.by_age.find(it->second);
  void *base = age->second.second;
  *got = it->first;
  s.cached -= it->first;
  s.by_age.erase(age);
  s.by_size.erase(it);
  return base;
}

// take_nearest removes and returns the cached block whose length is
// nearest to len (nullptr when the cache is empty). Caller holds s.mu.
void *take_nearest(State &s, size_t len, size_t *got) {
  if (s.by_size.empty()) {
    return nullptr;
  }
  auto it = s.by_size.lower_bound(len);
  if (it == s.by_size.end() || (it != s.by_size.begin() && len - std::prev(it)->first < it->first - len)) {
    --it;
  }
  auto age = s.by_age.find(it->second);
  void *base = age->second.second;
  *got = it->first;
  s.cached -= it->first;
  s.by_age.erase(age);
  s.by_size.erase(it);
  return base;
}

// resize_block makes the mapping base of old bytes len bytes long and
// returns its (possibly moved) address, or nullptr when that fails (the
// block is then unmapped).
void *resize_block(void *base, size_t old, size_t len) {
  if (len < old) {
    munmap(static_cast<char *>(base) + len, old - len);
    return base;
  }
  void *p = mremap(base, old, len, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) {
    munmap(base, old);
    return nullptr;
  }
  return p;
}

// evict_oldest removes the least recently freed block from the cache and
// returns it for unmapping. Caller holds s.mu; the cache is not empty.
std::pair<size_t, void *> evict_oldest(State &s) {
  auto age = s.by_age.begin();
  auto b = age->second;
  auto range = s.by_size.equal_range(b.first);
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second == age->first) {
      s.by_size.erase(it);
      break;
    }
  }
  s.by_age.erase(age);
  s.cached -= b.first;
  return b;
}

State &state() {
  static State *s = new State(); // never destroyed: frees may come at exit
  return *s;
}

void *map_block(size_t len) {
  void *p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return nullptr;
  }
#ifdef MADV_HUGEPAGE
  madvise(p, len, MADV_HUGEPAGE);
#endif
  return p;
}

void delete_block(void *data) {
  if (data == nullptr) {
    return;
  }
  State &s = state();
  size_t len = 0;
  {
    std::lock_guard<std::mutex> g(s.mu);
    auto it = s.live.find(data);
    if (it != s.live.end()) {
      len = it->second;
      s.live.erase(it);
      s.in_use -= len;
      if (s.cached + len <= s.cache_max) {
        uint64_t t = ++s.clock;
        s.by_age.emplace(t, std::make_pair(len, data));
        s.by_size.emplace(len, t);
        s.cached += len;
        return;
      }
    }
  }
  if (len == 0) {
    c10::free_cpu(data);
    return;
  }
  munmap(data, len);
}

// libtorch 2.3 made Allocator::allocate non-const and added copy_data;
// 1.13 (Debian) and 2.1 (gotch's CUDA target) have the const form.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define MFIF_ALLOC_CONST
#define MFIF_ALLOC_COPY_DATA                                                  \
  void copy_data(void *dest, const void *src, std::size_t count) const override { \
    default_copy_data(dest, src, count);                                      \
  }
#else
#define MFIF_ALLOC_CONST const
#define MFIF_ALLOC_COPY_DATA
#endif

class Allocator final : public c10::Allocator {
 public:
  MFIF_ALLOC_COPY_DATA

  c10::DataPtr allocate(size_t n) MFIF_ALLOC_CONST override {
    State &s = state();
    if (n < s.big) {
      void *data = c10::alloc_cpu(n);
      return {data, data, &delete_block, c10::Device(c10::DeviceType::CPU)};
    }
    size_t len = (n + kHuge - 1) / kHuge * kHuge;
    void *base = nullptr;
    void *resize = nullptr;
    size_t resize_from = 0;
    std::vector<std::pair<size_t, void *>> evicted;
    {
      std::lock_guard<std::mutex> g(s.mu);
      size_t got = 0;
      base = take(s, len, &got);
      if (base != nullptr) {
        len = got;
        s.hits++;
        s.in_use += len;
        s.live.emplace(base, len);
      } else {
        // Resize the cached block nearest in size rather than map anew, and
        // keep in use + cached within the high-water mark of in use.
        size_t limit = s.peak > s.in_use + len ? s.peak : s.in_use + len;
        if (s.in_use + s.cached + len > limit) {
          resize = take_nearest(s, len, &resize_from);
        }
        while (!s.by_age.empty() && s.in_use + s.cached + len > limit) {
          evicted.push_back(evict_oldest(s));
        }
      }
    }
    for (auto &b : evicted) {
      munmap(b.second, b.first);
    }
    if (base == nullptr) {
      bool resized = false;
      if (resize != nullptr) {
        base = resize_block(resize, resize_from, len);
        resized = base != nullptr;
      }
      if (base == nullptr) {
        base = map_block(len);
      }
      if (base == nullptr) {
        // Out of address space or memory: give the cache back and retry.
        mfif_alloc_release();
        base = map_block(len);
      }
      if (base == nullptr) {
        throw std::bad_alloc();
      }
      std::lock_guard<std::mutex> g(s.mu);
      if (resized) {
        s.resizes++;
      } else {
        s.maps++;
      }
      s.in_use += len;
      s.live.emplace(base, len);
    }
    {
      std::lock_guard<std::mutex> g(s.mu);
      if (s.in_use > s.peak) {
        s.peak = s.in_use;
      }
    }
    return {base, base, &delete_block, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &delete_block; }
};

} // namespace

extern "C" {

int mfif_alloc_install(uint64_t big_bytes, uint64_t cache_bytes) {
  static Allocator *alloc = new Allocator();
  State &s = state();
  {
    std::lock_guard<std::mutex> g(s.mu);
    s.big = big_bytes < 64 ? 64 : big_bytes;
    s.cache_max = cache_bytes;
  }
  c10::SetCPUAllocator(alloc, 1);
  return c10::GetCPUAllocator() == alloc ? 0 : 1;
}

void mfif_alloc_stats(uint64_t *in_use, uint64_t *cached, uint64_t *peak, uint64_t *maps,
                      uint64_t *hits, uint64_t *resizes) {
  State &s = state();
  std::lock_guard<std::mutex> g(s.mu);
  *in_use = s.in_use;
  *cached = s.cached;
  *peak = s.peak;
  *maps = s.maps;
  *hits = s.hits;
  *resizes = s.resizes;
}

void mfif_alloc_release(void) {
  State &s = state();
  std::vector<std::pair<size_t, void *>> list;
  {
    std::lock_guard<std::mutex> g(s.mu);
    for (auto &a : s.by_age) {
      list.push_back(a.second);
    }
    s.by_age.clear();
    s.by_size.clear();
    s.cached = 0;
  }
  for (auto &b : list) {
    munmap(b.second, b.first);
  }
}

} // extern "C"
