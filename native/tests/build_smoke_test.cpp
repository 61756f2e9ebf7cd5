// Build smoke test: the core library, its public headers and the preset's OpenBLAS link and run
// together. It checks plumbing only (not the numerics, which have their own tests).
#include <cblas.h>

#include <cmath>
#include <cstdio>
#include <exception>
#include <stdexcept>

#include "lbfgsb/minimizer.hpp"

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const char* what) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::printf("FAILED: %s\n", what);
    }
}

void minimizer_constructs_with_its_size_and_default_bounds() {
    lbfgsb::Options options;
    options.history_size = 5;
    lbfgsb::Minimizer m(3, options);
    check(m.size() == 3 && m.options().history_size == 5 && m.x() != nullptr &&
              m.gradient() != nullptr && std::isinf(m.lower()[0]) && m.lower()[0] < 0 &&
              std::isinf(m.upper()[2]) && m.upper()[2] > 0,
          "Minimizer(3, options) has size 3, its options, and infinite default bounds");
}

void cblas_ddot_links_and_computes() {
    const double a[3] = {1.0, 2.0, 3.0};
    const double b[3] = {4.0, -5.0, 6.0};
    check(cblas_ddot(3, a, 1, b, 1) == 12.0, "cblas_ddot([1,2,3], [4,-5,6]) == 12");
}

}  // namespace

int main() {
    try {
        minimizer_constructs_with_its_size_and_default_bounds();
        cblas_ddot_links_and_computes();
    } catch (const std::exception& e) {
        ++failed;
        std::printf("FAILED: unexpected exception: %s\n", e.what());
    }
    std::printf("build_smoke_test: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
