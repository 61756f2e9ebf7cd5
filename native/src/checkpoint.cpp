// Saving and restoring the complete minimizer state (not in L-BFGS-B: its state lives in the
// caller's wa/iwa/isave/dsave arrays; here it is one header of scalars plus named array segments).
//
// Header format, version 2: a sequence of 8-byte little-endian fields,
//   magic "LBFGSB4S", version, field count, then every scalar of the state in the fixed order of
//   visit_scalars() below (integers and booleans as int64, doubles by their IEEE-754 bits).
// Version 1 lacked the last two fields (Options::arithmetic, threads) and is still read, as
// Reference on one thread.
// The file format around it (framing, checksum, atomic writes) belongs to the Java side.
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "state.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the state format is little-endian");

namespace lbfgsb {

namespace {

constexpr std::uint64_t kMagic = 0x533442474653424cULL;  // "LBFGSB4S" read as little-endian bytes
constexpr std::uint64_t kVersion = 2;
constexpr std::uint64_t kOldestVersion = 1;  // without the last two fields
constexpr std::size_t kPreamble = 3;  // magic, version, field count

// Visits every scalar of the state in the format's order: f(int64&) / f(double&) / f(bool&) /
// f(int&). The same function drives writing and reading, so the two cannot drift apart.
template <class S, class F>
void visit_scalars(S& s, F&& f) {
    // Dimensions first: readers check them before anything else.
    f(s.n);
    f(s.opt.history_size);
    // Options.
    f(s.opt.relative_reduction_tolerance);
    f(s.opt.projected_gradient_tolerance);
    f(s.opt.max_iterations);
    f(s.opt.max_evaluations);
    f(s.opt.max_line_search_steps);
    f(s.opt.line_search_sufficient_decrease);
    f(s.opt.line_search_curvature);
    f(s.opt.line_search_step_tolerance);
    f(s.opt.line_search_max_step);
    f(s.opt.curvature_pair_threshold);
    f(s.opt.target_value);
    f(s.opt.max_non_finite_backtracks);
    f(s.opt.track_best_point);
    // mainlb's lsave, isave, dsave.
    f(s.prjctd);
    f(s.cnstnd);
    f(s.boxed);
    f(s.updatd);
    f(s.wrk);
    f(s.nintol);
    f(s.iback);
    f(s.nskip);
    f(s.iter);
    f(s.nseg);
    f(s.nfgv);
    f(s.ifun);
    f(s.nfree);
    f(s.nact);
    f(s.ileave);
    f(s.nenter);
    f(s.head);
    f(s.col);
    f(s.itail);
    f(s.iupdat);
    f(s.iword);
    f(s.info);
    f(s.theta);
    f(s.fold);
    f(s.tol);
    f(s.dnorm);
    f(s.gd);
    f(s.stpmx);
    f(s.sbgnrm);
    f(s.stp);
    f(s.gdold);
    f(s.dtd);
    f(s.xstep);
    f(s.f);
    // dcsrch.
    f(s.ls.task);
    f(s.ls.brackt);
    f(s.ls.stage);
    f(s.ls.ginit);
    f(s.ls.gtest);
    f(s.ls.gx);
    f(s.ls.gy);
    f(s.ls.finit);
    f(s.ls.fx);
    f(s.ls.fy);
    f(s.ls.stx);
    f(s.ls.sty);
    f(s.ls.stmin);
    f(s.ls.stmax);
    f(s.ls.width);
    f(s.ls.width1);
    // Line-search extras and the driver's bookkeeping.
    f(s.nonfinite_backtracks);
    f(s.best_f);
    f(s.best_stp);
    f(s.have_best);
    f(s.phase);
    f(s.task);
    f(s.status);
    f(s.evaluations);
    f(s.iterations);
    f(s.stop_requested);
    // Version 2.
    f(s.opt.arithmetic);
    f(s.opt.threads);
}

std::size_t field_count() {
    static const std::size_t count = [] {
        Minimizer::State dummy(0, Options{}, nullptr);
        std::size_t c = 0;
        visit_scalars(dummy, [&c](auto&) { ++c; });
        return c;
    }();
    return count;
}

struct Writer {
    std::uint8_t* out;
    void put(std::uint64_t bits) {
        std::memcpy(out, &bits, 8);
        out += 8;
    }
    void operator()(const std::int64_t& v) { put(static_cast<std::uint64_t>(v)); }
    void operator()(const int& v) { put(static_cast<std::uint64_t>(static_cast<std::int64_t>(v))); }
    void operator()(const bool& v) { put(v ? 1 : 0); }
    void operator()(const double& v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, 8);
        put(bits);
    }
    template <class E>
    void operator()(const E& v) {
        static_assert(std::is_enum<E>::value, "unexpected field type");
        put(static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
    }
};

struct Reader {
    const std::uint8_t* in;
    const std::uint8_t* end;  // fields past it (absent in an older version) keep their value
    std::int64_t next() {
        std::uint64_t bits;
        std::memcpy(&bits, in, 8);
        in += 8;
        return static_cast<std::int64_t>(bits);
    }
    bool more() const { return in < end; }
    void operator()(std::int64_t& v) {
        if (more()) v = next();
    }
    void operator()(int& v) {
        if (more()) v = static_cast<int>(next());
    }
    void operator()(bool& v) {
        if (more()) v = next() != 0;
    }
    void operator()(double& v) {
        if (!more()) return;
        std::int64_t bits = next();
        std::memcpy(&v, &bits, 8);
    }
    template <class E>
    void operator()(E& v) {
        static_assert(std::is_enum<E>::value, "unexpected field type");
        if (more()) v = static_cast<E>(next());
    }
};

std::uint64_t field(const std::uint8_t* in, std::size_t index) {
    std::uint64_t bits;
    std::memcpy(&bits, in + 8 * index, 8);
    return bits;
}

// The number of fields of a header of `version` (0 for an unknown version).
std::size_t fields_of_version(std::uint64_t version) {
    if (version == kVersion) return field_count();
    if (version == kOldestVersion) return field_count() - 2;
    return 0;
}

// -1 unless `in` starts with a header of a known version and the right size.
std::int64_t checked_field(const std::uint8_t* in, std::size_t len, std::size_t index) {
    if (in == nullptr || len < 8 * kPreamble || field(in, 0) != kMagic) return -1;
    const std::size_t fields = fields_of_version(field(in, 1));
    if (fields == 0 || len != 8 * (kPreamble + fields) || field(in, 2) != fields) return -1;
    return static_cast<std::int64_t>(field(in, kPreamble + index));
}

}  // namespace

std::vector<Segment> state_segments(Minimizer::State& s) {
    const std::uint64_t n = static_cast<std::uint64_t>(s.n);
    const std::uint64_t m = static_cast<std::uint64_t>(s.m);
    const std::uint64_t d8 = sizeof(double);
    std::vector<Segment> v = {
        {"x", s.x.data(), n * d8},
        {"gradient", s.g.data(), n * d8},
        {"lower", s.l.data(), n * d8},
        {"upper", s.u.data(), n * d8},
        {"nbd", s.nbd.data(), n},
        {"iwhere", s.iwhere.data(), n},
        {"S", s.ws.data(), n * m * d8},
        {"Y", s.wy.data(), n * m * d8},
        {"SY", s.sy.data(), m * m * d8},
        {"SS", s.ss.data(), m * m * d8},
        {"WT", s.wt.data(), m * m * d8},
        {"WN", s.wn.data(), 4 * m * m * d8},
        {"SND", s.snd.data(), 4 * m * m * d8},
        {"r", s.r.data(), n * d8},
        {"d", s.d.data(), n * d8},
        {"index", s.index.data(), n * sizeof(std::int64_t)},
    };
    // Scratch that the next step rewrites before reading: needed only inside an iteration.
    const bool boundary = s.phase == Phase::NewIterate || s.phase == Phase::Finished || s.phase == Phase::NotStarted;
    if (!boundary) {
        v.push_back({"z", s.z.data(), n * d8});
        v.push_back({"t", s.t.data(), n * d8});
        v.push_back({"xp", s.xp.data(), n * d8});
        v.push_back({"wa", s.wa.data(), 8 * m * d8});
        v.push_back({"indx2", s.indx2.data(), n * sizeof(std::int64_t)});
    }
    return v;
}

std::size_t Minimizer::state_header_size() const { return 8 * (kPreamble + field_count()); }

void Minimizer::write_state_header(std::uint8_t* out) const {
    Writer w{out};
    w.put(kMagic);
    w.put(kVersion);
    w.put(field_count());
    visit_scalars(static_cast<const State&>(*s_), w);
}

std::uint64_t Minimizer::state_size() const {
    std::uint64_t total = state_header_size();
    for (const Segment& seg : state_segments(*s_)) total += seg.bytes;
    return total;
}

int Minimizer::write_state(std::uint8_t* out, std::uint64_t* sizes) const {
    write_state_header(out);
    out += state_header_size();
    const std::vector<Segment> segments = state_segments(*s_);
    int i = 0;
    for (const Segment& seg : segments) {
        if (seg.bytes > 0) std::memcpy(out, seg.data, seg.bytes);
        out += seg.bytes;
        sizes[i++] = seg.bytes;
    }
    return i;
}

int Minimizer::state_segment_count() const { return static_cast<int>(state_segments(*s_).size()); }

const char* Minimizer::state_segment_name(int i) const { return state_segments(*s_).at(i).name; }

std::uint64_t Minimizer::state_segment_size(int i) const { return state_segments(*s_).at(i).bytes; }

const void* Minimizer::state_segment(int i) const { return state_segments(*s_).at(i).data; }

void* Minimizer::state_segment_target(int i) { return state_segments(*s_).at(i).data; }

std::int64_t Minimizer::state_header_size_n(const std::uint8_t* in, std::size_t len) {
    return checked_field(in, len, 0);
}

std::int64_t Minimizer::state_header_history_size(const std::uint8_t* in, std::size_t len) {
    return checked_field(in, len, 1);
}

void Minimizer::read_state_header(const std::uint8_t* in, std::size_t len) {
    State& s = *s_;
    if (s.phase != Phase::NotStarted) throw std::logic_error("read_state_header(): the minimizer was already started");
    const std::int64_t n = checked_field(in, len, 0);
    const std::int64_t m = checked_field(in, len, 1);
    if (n < 0 || m < 0) throw std::invalid_argument("not an lbfgsb4j state header of version 1 or 2");
    if (n != s.n || m != s.opt.history_size)
        throw std::invalid_argument("the state is for n = " + std::to_string(n) + ", history size " +
                                    std::to_string(m) + "; this minimizer has n = " + std::to_string(s.n) +
                                    ", history size " + std::to_string(s.opt.history_size));
    State restored_scalars(0, s.opt, nullptr);  // a scratch holder for the scalars
    restored_scalars.opt.arithmetic = Arithmetic::Reference;  // what a version-1 header implies
    restored_scalars.opt.threads = 1;
    Reader r{in + 8 * kPreamble, in + len};
    visit_scalars(restored_scalars, r);
    // Sanity of what drives indexing: a corrupt header must not send the core out of bounds.
    const auto& t = restored_scalars;
    const bool sane = t.col >= 0 && t.col <= m && t.head >= 0 && t.head < m && t.itail >= 0 && t.itail < m &&
                      t.iupdat >= 0 && t.nfree >= 0 && t.nfree <= n && t.nenter >= 0 && t.nenter <= n &&
                      t.ileave >= 0 && t.ileave <= n && static_cast<int>(t.phase) >= 0 &&
                      static_cast<int>(t.phase) <= static_cast<int>(Phase::Finished) &&
                      static_cast<int>(t.status) >= 0 && static_cast<int>(t.status) <= static_cast<int>(Status::Cancelled);
    const int arithmetic = static_cast<int>(t.opt.arithmetic);
    const bool sane_arithmetic = (arithmetic == 0 || arithmetic == 1) && t.opt.threads >= 1 && t.opt.threads <= 256;
    if (!sane || !sane_arithmetic) throw std::invalid_argument("corrupt lbfgsb4j state header (indices out of range)");
    s.opt.arithmetic = Arithmetic::Reference;
    s.opt.threads = 1;
    Reader again{in + 8 * kPreamble, in + len};
    visit_scalars(s, again);
    s.message = status_message(s.status);
}

}  // namespace lbfgsb
