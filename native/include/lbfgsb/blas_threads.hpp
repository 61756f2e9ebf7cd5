// The OpenBLAS thread count, for callers of the core (the JVM binding, the native harnesses).
//
// OpenBLAS keeps one process-wide pool of worker threads. The core calls BLAS on the caller's
// thread with short vectors or small matrices (2m x 2m), where the pool's hand-off costs more
// than it saves, and its workers spin for a while after every threaded call, taking a core from
// the objective or from other solves (measured with perf on native/bench/small_solve_bench at
// n = 10 and the pool's default of one thread per core: 62% of the process's CPU samples were
// OpenBLAS workers waiting, a whole second core busy for nothing). So callers set one thread.
#pragma once

extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace lbfgsb {

/** Sets the OpenBLAS threads of the whole process (>= 1). */
inline void set_blas_threads(int threads) { openblas_set_num_threads(threads); }

/** The OpenBLAS threads of the whole process. */
inline int blas_threads() { return openblas_get_num_threads(); }

}  // namespace lbfgsb
