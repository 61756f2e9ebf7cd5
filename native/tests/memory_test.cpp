// Large state arrays: mapped on their own, 2 MiB aligned, zeroed, whole; small ones from the heap.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "check.hpp"
#include "state.hpp"

namespace {

constexpr std::uintptr_t kTwoMiB = std::uintptr_t{2} << 20;

void large_arrays_are_aligned_zeroed_and_whole() {
    // Sizes below, at and above one huge page, and one that ends mid-page.
    const std::int64_t counts[] = {262144, 262145, 3 * 262144 + 17, 1 << 22};
    for (std::int64_t count : counts) {
        lbfgsb::Buffer<double> b(count);
        CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % kTwoMiB == 0);
        CHECK_EQ(b.size(), count);
        bool zero = true;
        for (std::int64_t i = 0; i < count; i += 509) zero = zero && b[i] == 0.0;
        CHECK(zero && b[count - 1] == 0.0);
        b[0] = 1.0;  // both ends writable
        b[count - 1] = 2.0;
        lbfgsb::Buffer<double> moved(std::move(b));
        CHECK(moved[0] == 1.0 && moved[count - 1] == 2.0);
        CHECK(b.data() == nullptr && b.size() == 0);
        moved.reset(count / 2);  // unmaps the old one, maps again
        CHECK(moved[count / 2 - 1] == 0.0);
    }
}

void small_arrays_stay_on_the_heap() {
    lbfgsb::Buffer<double> b(1000);
    CHECK(reinterpret_cast<std::uintptr_t>(b.data()) % 64 == 0);
    CHECK_EQ(b.size(), std::int64_t{1000});
    lbfgsb::Buffer<std::int8_t> bytes(lbfgsb::memory::kLargeBytes - 1);
    bytes[lbfgsb::memory::kLargeBytes - 2] = 7;
    CHECK(bytes[lbfgsb::memory::kLargeBytes - 2] == 7);
}

void huge_pages_follow_the_environment() {
    const char* v = std::getenv("LBFGSB4J_HUGE_PAGES");
    const bool off = v != nullptr && (std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0 ||
                                      std::strcmp(v, "false") == 0);
    CHECK(lbfgsb::memory::huge_pages_enabled() == !off);
}

}  // namespace

int main() {
    large_arrays_are_aligned_zeroed_and_whole();
    small_arrays_stay_on_the_heap();
    huge_pages_follow_the_environment();
    return check::report("memory_test");
}
