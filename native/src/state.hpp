// Internal: the complete state of one L-BFGS-B run, and the routines of Algorithm 778 that act on it.
// Everything is plain data owned by Minimizer::State, so a run can be saved and resumed bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "lbfgsb/minimizer.hpp"

namespace lbfgsb {

namespace memory {
// Arrays of at least this many bytes (n >= 262,144 doubles) are mapped on their own, 2 MiB aligned,
// with transparent huge pages asked for (memory.cpp).
constexpr std::size_t kLargeBytes = std::size_t{2} << 20;
// Zeroed, 2 MiB-aligned memory for `bytes`; throws std::bad_alloc. When huge_pages_enabled(),
// madvise(MADV_HUGEPAGE) on it (lbfgsb/memory.hpp: why, and how to turn it off).
void* map_large(std::size_t bytes);
void unmap_large(void* p, std::size_t bytes);
// Whether map_large asks for huge pages: lbfgsb::huge_pages() / set_huge_pages().
bool huge_pages_enabled();
void set_huge_pages_enabled(bool on);
}  // namespace memory

// A 64-byte aligned array owned by the state (no std::vector: no value-initialisation of 1e8 doubles
// that are written before they are read anyway).
template <class T>
class Buffer {
public:
    Buffer() = default;
    explicit Buffer(std::int64_t count) { reset(count); }
    ~Buffer() { release(); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    Buffer(Buffer&& o) noexcept
        : p_(std::exchange(o.p_, nullptr)), size_(std::exchange(o.size_, 0)), owned_(std::exchange(o.owned_, false)) {}

    void reset(std::int64_t count) {
        release();
        if (count <= 0) return;
        std::size_t bytes = static_cast<std::size_t>(count) * sizeof(T);
        if (bytes >= memory::kLargeBytes) {
            p_ = static_cast<T*>(memory::map_large(bytes));
        } else {
            bytes = (bytes + 63) / 64 * 64;
            p_ = static_cast<T*>(std::aligned_alloc(64, bytes));
            if (p_ == nullptr) throw std::bad_alloc();
        }
        size_ = count;
        owned_ = true;
    }
    // Uses caller-owned memory (not freed here).
    void adopt(T* external, std::int64_t count) {
        release();
        p_ = external;
        size_ = count;
        owned_ = false;
    }
    T* data() { return p_; }
    const T* data() const { return p_; }
    T& operator[](std::int64_t i) { return p_[i]; }
    const T& operator[](std::int64_t i) const { return p_[i]; }
    std::int64_t size() const { return size_; }

private:
    void release() {
        if (owned_) {
            const std::size_t bytes = static_cast<std::size_t>(size_) * sizeof(T);
            if (bytes >= memory::kLargeBytes) memory::unmap_large(p_, bytes);  // as reset mapped it
            else std::free(p_);
        }
        p_ = nullptr;
        size_ = 0;
        owned_ = false;
    }
    T* p_ = nullptr;
    std::int64_t size_ = 0;
    bool owned_ = false;
};

// Where the run resumes on the next call (the labels of the Fortran mainlb).
enum class Phase : int {
    NotStarted = 0,
    FirstEvaluation = 1,       // waiting for f, g at x0 (label 111)
    LineSearchEvaluation = 2,  // waiting for f, g at a trial point (label 666)
    NewIterate = 3,            // waiting for proceed() (label 777)
    Finished = 4,
};

// dcsrch's saved variables (MINPACK-2 isave/dsave).
struct LineSearchState {
    int task = 0;  // LsTask
    bool brackt = false;
    int stage = 1;
    double ginit = 0, gtest = 0, gx = 0, gy = 0, finit = 0, fx = 0, fy = 0;
    double stx = 0, sty = 0, stmin = 0, stmax = 0, width = 0, width1 = 0;
};

enum LsTask : int { kLsStart = 0, kLsFg = 1, kLsConvergence = 2, kLsWarning = 3, kLsError = 4 };

// bound types per variable (nbd of the Fortran)
enum : std::int8_t { kUnbounded = 0, kLowerOnly = 1, kBoth = 2, kUpperOnly = 3 };

struct Minimizer::State {
    std::int64_t n = 0;
    int m = 0;
    Options opt;

    // Problem vectors.
    Buffer<double> x, g, l, u;
    Buffer<std::int8_t> nbd, iwhere;
    // Compact L-BFGS representation: S and Y column-major (column j of ws is s_j), the small
    // matrices S'Y (sy), S'S (ss), Cholesky factor of theta*S'S + L D^-1 L' (wt), the factorised
    // K (wn) and its unfactorised blocks (snd).
    Buffer<double> ws, wy, sy, ss, wt, wn, snd;
    // Work vectors: z (Cauchy / subspace point), r (reduced gradient, then old g, then y),
    // d (direction, then s), t (breakpoints, then old x), xp (safeguard copy), wa (8m scratch).
    Buffer<double> z, r, d, t, xp, wa;
    Buffer<std::int64_t> index, indx2;

    // Flags (lsave).
    bool prjctd = false, cnstnd = false, boxed = false, updatd = false, wrk = false;
    // Counters (isave).
    std::int64_t nintol = 0, iback = 0, nskip = 0, iter = 0, nseg = 0, nfgv = 0, ifun = 0;
    std::int64_t nfree = 0, nact = 0, ileave = 0, nenter = 0;
    int head = 0, col = 0, itail = 0, iupdat = 0, iword = 0, info = 0;
    // Scalars (dsave).
    double theta = 1.0, fold = 0.0, tol = 0.0, dnorm = 0.0, gd = 0.0, stpmx = 0.0, sbgnrm = 0.0;
    double stp = 0.0, gdold = 0.0, dtd = 0.0, xstep = 0.0;
    double f = 0.0;
    LineSearchState ls;
    // Line-search extras (not in SciPy): non-finite back-tracks so far, and the best trial
    // (its f and step; its gradient lives in xp while the line search runs).
    std::int64_t nonfinite_backtracks = 0;
    double best_f = 0.0, best_stp = 0.0;
    bool have_best = false;

    // Driver-level bookkeeping (what SciPy's Python loop counts).
    Phase phase = Phase::NotStarted;
    Task task = Task::Evaluate;
    Status status = Status::Running;
    const char* message = "";
    std::int64_t evaluations = 0;  // f,g evaluations actually made (SciPy's nfev)
    std::int64_t iterations = 0;   // accepted iterates (SciPy's nit)
    bool stop_requested = false;
    int redefining = -1;  // next gradient index expected by redefine_gradient(), -1 when idle

    // Arithmetic::Fast only, scratch (never set at an iteration boundary, so not saved): the newest
    // pair is stored but its products with the older pairs (S'Y, S'S) and formt are left to the
    // next pass over the history (fast_passes.cpp).
    bool update_pending = false;
    bool direction_ready = false;  // the subspace pass already did line_search_start's work (d, dtd, t, r, gd)
    double fast_ready_stpmx = 0.0;  // and, bounded, its step to the bounds
    std::vector<double> fast_lanes, fast_totals;  // the sums of a pass (lanes: per thread)
    std::vector<double> fast_chunk_sums;          // per chunk, added in chunk order
    std::vector<double> fast_new_column;          // formk's products of the newest pair (4 col)
    // Bounded: cauchy's W'd pass also formed fast_new_column, over the free set of the previous
    // iteration (fast_free_before: 1 where iwhere was <= 0 when cauchy began), and recorded the
    // GCP's step length, so W'Zq comes from cauchy's p (reduced_gradient_from_cauchy) and formk
    // corrects the new column for the variables that entered or left the free set. cauchy sets
    // fast_from_cauchy when all of that holds for this iteration.
    bool fast_from_cauchy = false;
    bool fast_new_column_before = false;
    double fast_tsum = 0.0;
    Buffer<std::int8_t> fast_free_before;
    std::vector<double> fast_dense_m;             // cauchy's M, formed after many segments
    std::vector<double> formk_sums;               // formk's scratch (no allocation per iteration)
    std::vector<double> fast_sweep_sums;          // formk's sweep, per chunk of rows (Fast)
    std::vector<const double*> formk_columns;

    State(std::int64_t n_, const Options& o, double* external_x);

    // The columns of W = [Y, S] in chronological order (oldest first): [0, col) are y_0..y_{col-1},
    // [col, 2col) are s_0..s_{col-1}. Derived from head and col (scratch, not state).
    const double* const* history_columns();
    std::vector<const double*> wcols;
    int wcols_head = -1, wcols_col = -1;  // what wcols was derived from

    // The mainlb steps; each returns the next Task.
    Task begin_iteration();       // label 222: Cauchy point, subspace minimisation, line search
    Task begin_line_search();     // label 555: d = z - x, first trial
    Task continue_line_search();  // label 666: after an evaluation
    Task line_search_step();      // continue_line_search with g'd already in gd
    Task request_trial();         // ask for f, g at the step dcsrch chose
    Task line_search_failed();    // restore, then restart with no memory or stop ABNORMAL
    Task update_and_continue();   // label 777 after the tests: matupd/formt then label 222
    Task finish(Status s, const char* msg);
    void set_trial_point();       // x = z (stp = 1) or t + stp d clipped to the box
    void reset_memory();
};

// SciPy's message for a status.
const char* status_message(Status status);

// The arrays that make up a saved state (checkpoint.cpp).
struct Segment {
    const char* name;
    void* data;
    std::uint64_t bytes;
};
std::vector<Segment> state_segments(Minimizer::State& s);

// formk's unfactorised blocks (snd) computed from scratch for the current free set.
void rebuild_snd(Minimizer::State& s);

// Routines of Algorithm 778 (one family per file).
// active_set.cpp
void active(Minimizer::State& s);
double projgr(const Minimizer::State& s);
void freev(Minimizer::State& s);
// cauchy.cpp
int cauchy(Minimizer::State& s);
// bfgs_matrix.cpp
// own_linalg: small_linalg.hpp instead of LAPACK (Arithmetic::Fast).
int bmv(int m, const double* sy, const double* wt, int col, const double* v, double* p, bool own_linalg);
void matupd(Minimizer::State& s, double rr, double dr);
int formt(Minimizer::State& s);
// new_column: the products of the newest pair over the free / active rows, computed by a fused
// pass (fast_passes.cpp); nullptr computes them here. previous_free_set: they were taken over the
// previous iteration's free set, so the sweep over the entering and leaving variables corrects
// them too.
int formk(Minimizer::State& s, const double* new_column = nullptr, bool previous_free_set = false);
// subspace.cpp
int cmprlb(Minimizer::State& s);
int subsm(Minimizer::State& s);
// fast_passes.cpp (Arithmetic::Fast)
// One row of lnsrlb's scan for the largest step along d that stays in the box: stpmx after row
// i, given stpmx before it (a1 = d_i; rows in increasing order, as the reference does).
inline double step_to_bound(double stpmx, double a1, std::int8_t b, double x, double l, double u) {
    if (b == kUnbounded) return stpmx;
    if (a1 < 0.0 && b <= kBoth) {
        const double a2 = l - x;
        if (a2 >= 0.0) return 0.0;
        if (a1 * stpmx < a2) return a2 / a1;
    } else if (a1 > 0.0 && b >= kBoth) {
        const double a2 = u - x;
        if (a2 <= 0.0) return 0.0;
        if (a1 * stpmx > a2) return a2 / a1;
    }
    return stpmx;
}

namespace fast {
// Returned by the passes when the deferred formt failed: discard the memory and start again.
constexpr int kUpdateFailed = -30;
bool enabled(const Minimizer::State& s);
// Stores the accepted pair (y = g - r written straight into Y, s = stp d into S), theta, the
// diagonals of S'Y and S'S; the rest of matupd and formt wait for the next pass.
void store_pair(Minimizer::State& s, double dr);
// The deferred products and formt, in a pass of their own. Returns kUpdateFailed if formt fails.
int finish_update_alone(Minimizer::State& s);
// Cauchy's p = W'd (into p) and the deferred products; then formt. Returns kUpdateFailed.
int cauchy_products(Minimizer::State& s, const double* d, double* p);
// Whether the free set is dense enough for the masked full-length passes.
bool dense_free_set(const Minimizer::State& s);
// subsm's W'Zr (bounded: W'Zq, q = -theta (z - x) - g, completed by complete_reduced_gradient),
// formk's products of the newest pair and (unconstrained) the deferred products in one pass.
// Bounded, cmprlb's M c goes to wa[6m, 8m) and the reduced gradient is not formed.
int reduced_gradient_pass(Minimizer::State& s);
// Bounded, when cauchy's pass has done the work of reduced_gradient_pass (fast_from_cauchy): cmprlb's
// M c into wa[6m, 8m) and W'Zq = (1 - theta tsum) W'Zd from cauchy's p, with no pass over W.
int reduced_gradient_from_cauchy(Minimizer::State& s);
// formk's sweep (kernels::sweep_rows) over rows[0, count), adding into yy, ss and sy (zero on
// entry). Fast order: the rows in chunks of kChunk, each chunk's sums in row order, the chunks'
// sums added in chunk order (so the bits do not depend on Options::threads, which share out the
// chunks).
void sweep_rows(Minimizer::State& s, const std::int64_t* rows, std::int64_t count, int upcl, double* yy, double* ss,
                double* sy);
// Bounded, after formk: W'Zr = W'Zq + (W'ZZ'W) M c, the Gram blocks taken from formk's.
void complete_reduced_gradient(Minimizer::State& s);
// subsm, forming the reduced gradient on the way (bounded) or from -g (unconstrained).
int subsm(Minimizer::State& s);
// The start of a line search in one pass: d = z - x and d'd, the largest step to the bounds along
// d from stpmx (when step_to_bounds: the reference scan, rows in order), t = x, r = g, and g'd.
// d'd and g'd in the Fast order (the bits of dot()). Unconstrained, the subspace pass does this
// work itself (direction_ready).
struct LineSearchStart {
    double dtd, gd, stpmx;
};
LineSearchStart line_search_start(Minimizer::State& s, bool step_to_bounds, double stpmx);
}  // namespace fast
// line_search.cpp
void dcsrch(LineSearchState& ls, double f, double g, double& stp, double ftol, double gtol,
            double xtol, double stpmin, double stpmax);

}  // namespace lbfgsb
