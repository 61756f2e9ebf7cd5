// Large arrays: their own 2 MiB-aligned mappings, with transparent huge pages asked for
// (lbfgsb/memory.hpp).
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "lbfgsb/memory.hpp"
#include "state.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace lbfgsb {
namespace memory {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t rounded(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }

bool environment_allows_huge_pages() {
    const char* v = std::getenv("LBFGSB4J_HUGE_PAGES");
    return v == nullptr || (std::strcmp(v, "0") != 0 && std::strcmp(v, "off") != 0 && std::strcmp(v, "false") != 0);
}

// -1: not decided yet (the environment decides at the first question), else 0 or 1.
std::atomic<int> huge_pages_setting{-1};

}  // namespace

bool huge_pages_enabled() {
    int v = huge_pages_setting.load(std::memory_order_relaxed);
    if (v < 0) {
        int expected = -1;
        huge_pages_setting.compare_exchange_strong(expected, environment_allows_huge_pages() ? 1 : 0);
        v = huge_pages_setting.load(std::memory_order_relaxed);
    }
    return v == 1;
}

void set_huge_pages_enabled(bool on) { huge_pages_setting.store(on ? 1 : 0, std::memory_order_relaxed); }

#if defined(__linux__)

void* map_large(std::size_t bytes) {
    const std::size_t length = rounded(bytes);
    // Over-map by one huge page, then give back the unaligned head and the tail.
    void* raw = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
    const std::size_t head = aligned - start;
    if (head > 0) munmap(raw, head);
    const std::size_t tail = kHugePage - head;
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + length), tail);
    void* p = reinterpret_cast<void*>(aligned);
    if (huge_pages_enabled()) madvise(p, length, MADV_HUGEPAGE);  // advice only: failure is harmless
    return p;
}

void unmap_large(void* p, std::size_t bytes) { munmap(p, rounded(bytes)); }

#else

void* map_large(std::size_t bytes) {
    void* p = std::aligned_alloc(kHugePage, rounded(bytes));
    if (p == nullptr) throw std::bad_alloc();
    std::memset(p, 0, rounded(bytes));
    return p;
}

void unmap_large(void* p, std::size_t) { std::free(p); }

#endif

}  // namespace memory

void set_huge_pages(bool on) { memory::set_huge_pages_enabled(on); }

bool huge_pages() { return memory::huge_pages_enabled(); }

}  // namespace lbfgsb
