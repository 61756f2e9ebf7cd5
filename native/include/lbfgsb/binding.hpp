// Included by the JVM binding only (java/.../LbfgsbNative.java, @Platform include).
//
// Plain allocation: the binding creates and frees options and minimizers through these functions
// rather than JavaCPP's allocate(), whose deallocator registration takes a global lock and
// queries the process's physical memory (Pointer.physicalBytesInaccurate, for its limit check)
// on every allocation. The Java owner frees them (NativeSession: close() or a Cleaner).
//
// OpenBLAS threads: when the JNI library is loaded, whichever Java class loads it first,
// OpenBLAS is set to one thread (see blas_threads.hpp for why). OpenBLAS is a dependency of that
// library, so it is initialised before this runs. Setting it here rather than in a Java static initialiser leaves no path
// through the binding that could skip it. An explicit OPENBLAS_NUM_THREADS in the environment is
// the user's choice and is left as OpenBLAS read it.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "lbfgsb/blas_threads.hpp"
#include "lbfgsb/minimizer.hpp"
#include "lbfgsb/options.hpp"

extern "C" int blas_thread_shutdown_(void);  // OpenBLAS: ends the worker pool

namespace lbfgsb::binding {

inline Options* new_options() { return new Options(); }
inline void delete_options(Options* o) { delete o; }

// Minimizers created here and not yet deleted, for the leak tests.
inline std::atomic<std::int64_t>& live_minimizer_count() {
    static std::atomic<std::int64_t> count{0};
    return count;
}
inline std::int64_t live_minimizers() { return live_minimizer_count().load(std::memory_order_relaxed); }

inline Minimizer* new_minimizer(std::int64_t n, const Options& o) {
    Minimizer* m = new Minimizer(n, o);
    live_minimizer_count().fetch_add(1, std::memory_order_relaxed);
    return m;
}
inline Minimizer* new_minimizer_on(std::int64_t n, const Options& o, double* x) {
    Minimizer* m = new Minimizer(n, o, x);
    live_minimizer_count().fetch_add(1, std::memory_order_relaxed);
    return m;
}
inline void delete_minimizer(Minimizer* m) {
    if (m == nullptr) return;
    delete m;
    live_minimizer_count().fetch_sub(1, std::memory_order_relaxed);
}

inline bool one_blas_thread_unless_chosen() {
    if (std::getenv("OPENBLAS_NUM_THREADS") == nullptr) {
        set_blas_threads(1);
        // The pool OpenBLAS started when it loaded would spin for a while and then sleep: end it
        // now (OpenBLAS starts it again by itself if a caller later asks for more threads).
        blas_thread_shutdown_();
    }
    return true;
}

inline const bool one_blas_thread_at_load = one_blas_thread_unless_chosen();

}  // namespace lbfgsb::binding
