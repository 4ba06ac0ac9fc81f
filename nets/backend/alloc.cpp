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
// next training step or sampler call make. The mapped total (in use +
// cached) never grows past the high-water mark of the bytes in use, so
// resident memory stays what the largest live set needs, as with an
// allocator that returns every block at once. Smaller blocks go to c10's
// own alloc_cpu/free_cpu.
//
// A request that finds no cached block of about its size is built from
// cached blocks of other sizes, so that no page already faulted in is given
// back and faulted in (and zeroed by the kernel) again: a larger block is
// split (its tail stays cached as a block of its own, bookkeeping only),
// and smaller ones are moved side by side into one fresh range with
// mremap(MREMAP_FIXED), which moves their page tables (whole huge pages,
// every block being 2 MiB aligned) without touching the data. Only the part
// the cache cannot cover is new memory, faulted in on first touch; that
// happens only when the bytes in use pass their high-water mark, since the
// cache is always used up first.
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

#include <cstdint>
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

// remove takes the cached block at it out of the cache and returns it
// (length, address). Caller holds s.mu.
std::pair<size_t, void *> remove(State &s, std::multimap<size_t, uint64_t>::iterator it) {
  auto age = s.by_age.find(it->second);
  auto b = age->second;
  s.by_age.erase(age);
  s.by_size.erase(it);
  s.cached -= b.first;
  return b;
}

// cache_back puts blocks into the cache. Caller holds s.mu.
void cache_back(State &s, const std::vector<std::pair<size_t, void *>> &blocks) {
  for (auto &b : blocks) {
    uint64_t t = ++s.clock;
    s.by_age.emplace(t, b);
    s.by_size.emplace(b.first, t);
    s.cached += b.first;
  }
}

State &state() {
  static State *s = new State(); // never destroyed: frees may come at exit
  return *s;
}

// map_block maps len bytes (a multiple of 2 MiB) of fresh memory at a
// 2 MiB-aligned address, advised for huge pages, or returns nullptr.
void *map_block(size_t len) {
  size_t span = len + kHuge;
  void *p = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return nullptr;
  }
  uintptr_t at = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(uintptr_t(kHuge) - 1);
  size_t head = at - reinterpret_cast<uintptr_t>(p);
  if (head > 0) {
    munmap(p, head);
  }
  if (span - head > len) {
    munmap(reinterpret_cast<char *>(at) + len, span - head - len);
  }
  void *base = reinterpret_cast<void *>(at);
#ifdef MADV_HUGEPAGE
  madvise(base, len, MADV_HUGEPAGE);
#endif
  return base;
}

// assemble returns a block of len bytes made of pieces (cached blocks taken
// out of the cache, largest first) and fresh memory for what they do not
// cover; the parts of pieces it does not use are appended to spare. It
// returns nullptr (pieces then all in spare) when no memory can be mapped.
void *assemble(size_t len, const std::vector<std::pair<size_t, void *>> &pieces,
               std::vector<std::pair<size_t, void *>> *spare) {
  if (pieces.size() == 1 && pieces[0].first >= len) {
    // Split a larger block: its tail stays cached on its own.
    char *base = static_cast<char *>(pieces[0].second);
    if (pieces[0].first > len) {
      spare->emplace_back(pieces[0].first - len, base + len);
    }
    return base;
  }
  char *dst = static_cast<char *>(map_block(len));
  if (dst == nullptr) {
    spare->insert(spare->end(), pieces.begin(), pieces.end());
    return nullptr;
  }
  size_t off = 0;
  for (auto &p : pieces) {
    size_t need = p.first < len - off ? p.first : len - off;
    char *src = static_cast<char *>(p.second);
    if (need == 0) {
      spare->push_back(p);
      continue;
    }
    void *moved = mremap(src, need, need, MREMAP_MAYMOVE | MREMAP_FIXED, dst + off);
    if (moved == MAP_FAILED) {
      spare->push_back(p); // that part of dst stays fresh memory
    } else if (need < p.first) {
      spare->emplace_back(p.first - need, src + need);
    }
    off += need;
  }
  return dst;
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
    std::vector<std::pair<size_t, void *>> pieces, spare;
    {
      std::lock_guard<std::mutex> g(s.mu);
      size_t got = 0;
      base = take(s, len, &got);
      if (base != nullptr) {
        len = got;
        s.hits++;
        s.in_use += len;
        s.live.emplace(base, len);
        if (s.in_use > s.peak) {
          s.peak = s.in_use;
        }
        return {base, base, &delete_block, c10::Device(c10::DeviceType::CPU)};
      }
      // Use the cache up before new memory: the smallest larger block,
      // else the largest blocks until they cover len.
      auto it = s.by_size.lower_bound(len);
      if (it != s.by_size.end()) {
        pieces.push_back(remove(s, it));
      } else {
        for (size_t have = 0; have < len && !s.by_size.empty();) {
          pieces.push_back(remove(s, std::prev(s.by_size.end())));
          have += pieces.back().first;
        }
      }
    }
    base = assemble(len, pieces, &spare);
    if (base == nullptr) {
      // Out of address space or memory: give the cache back and retry.
      {
        std::lock_guard<std::mutex> g(s.mu);
        cache_back(s, spare);
      }
      spare.clear();
      mfif_alloc_release();
      base = map_block(len);
      pieces.clear();
    }
    if (base == nullptr) {
      throw std::bad_alloc();
    }
    std::lock_guard<std::mutex> g(s.mu);
    cache_back(s, spare);
    if (pieces.empty()) {
      s.maps++;
    } else {
      s.resizes++;
    }
    s.in_use += len;
    s.live.emplace(base, len);
    if (s.in_use > s.peak) {
      s.peak = s.in_use;
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
