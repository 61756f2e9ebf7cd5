// Large state arrays: mapped on their own, 2 MiB aligned, zeroed, whole; small ones from the heap.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "check.hpp"
#include "lbfgsb/memory.hpp"
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
    CHECK(lbfgsb::huge_pages() == !off);
}

// The kernel's THP mode: "always", "madvise" or "never" (empty if unknown).
std::string thp_mode() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    std::getline(in, line);
    const auto open = line.find('[');
    const auto close = line.find(']');
    return open == std::string::npos || close == std::string::npos ? "" : line.substr(open + 1, close - open - 1);
}

// THPeligible of the mapping that holds p (/proc/self/smaps), -1 if not found.
int thp_eligible(const void* p) {
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    std::ifstream in("/proc/self/smaps");
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        unsigned long long lo = 0, hi = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
            inside = addr >= lo && addr < hi;
            continue;
        }
        if (inside && line.rfind("THPeligible:", 0) == 0) return std::atoi(line.c_str() + 12);
    }
    return -1;
}

// set_huge_pages switches the advice for arrays allocated afterwards; where the kernel gives huge
// pages only on request ("madvise", the usual default), the mapping's eligibility shows it.
void huge_pages_can_be_switched() {
    const bool before = lbfgsb::huge_pages();
    const bool madvise_mode = thp_mode() == "madvise";
    for (bool on : {false, true}) {
        lbfgsb::set_huge_pages(on);
        CHECK(lbfgsb::huge_pages() == on);
        lbfgsb::Buffer<double> b(1 << 20);  // 8 MiB
        b[0] = 1.0;
        const int eligible = madvise_mode ? thp_eligible(b.data()) : -1;
        if (eligible >= 0) {  // -1: a kernel without THPeligible in smaps
            CHECK(eligible == (on ? 1 : 0));
            if (eligible != (on ? 1 : 0)) std::printf("  set_huge_pages(%d): THPeligible %d\n", on, eligible);
        }
    }
    if (!madvise_mode) std::printf("  THP mode \"%s\": eligibility not checked\n", thp_mode().c_str());
    lbfgsb::set_huge_pages(before);
}

}  // namespace

int main() {
    large_arrays_are_aligned_zeroed_and_whole();
    small_arrays_stay_on_the_heap();
    huge_pages_follow_the_environment();
    huge_pages_can_be_switched();
    return check::report("memory_test");
}
