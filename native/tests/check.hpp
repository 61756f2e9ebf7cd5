// Minimal test harness for the native tests: CHECK records failures, report() prints
// "<name>: N passed, M failed" (a closing line CI recognises) and gives the exit code.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstring>

namespace check {

inline int& passed() { static int p = 0; return p; }
inline int& failed() { static int f = 0; return f; }

inline void record(bool ok, const char* expr, const char* file, int line) {
    if (ok) {
        ++passed();
    } else {
        ++failed();
        std::printf("FAILED %s:%d: %s\n", file, line, expr);
    }
}

inline bool bits_equal(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline bool close(double a, double b, double rel) {
    return std::fabs(a - b) <= rel * std::fmax(std::fabs(a), std::fabs(b));
}

inline int report(const char* name) {
    std::printf("%s: %d passed, %d failed\n", name, passed(), failed());
    return failed() == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK(expr) ::check::record(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
#define CHECK_EQ(a, b)                                                                    \
    do {                                                                                  \
        auto va_ = (a);                                                                   \
        auto vb_ = (b);                                                                   \
        bool ok_ = va_ == vb_;                                                            \
        ::check::record(ok_, #a " == " #b, __FILE__, __LINE__);                           \
        if (!ok_) std::printf("    left: %.17g  right: %.17g\n", (double)va_, (double)vb_); \
    } while (0)
