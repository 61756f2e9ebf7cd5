// Saving the complete state at any point and restoring it into a fresh minimizer continues bit for
// bit; foreign, corrupt and mismatching headers are refused.
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "lbfgsb/minimizer.hpp"
#include "problems.hpp"

using lbfgsb::Minimizer;
using lbfgsb::Options;
using lbfgsb::Status;
using lbfgsb::Task;

namespace {

struct Saved {
    std::vector<std::uint8_t> header;
    std::vector<std::vector<std::uint8_t>> segments;
    Task task;
};

Saved save(const Minimizer& m, Task task) {
    Saved s;
    s.task = task;
    s.header.resize(m.state_header_size());
    m.write_state_header(s.header.data());
    for (int i = 0; i < m.state_segment_count(); ++i) {
        const auto* p = static_cast<const std::uint8_t*>(m.state_segment(i));
        s.segments.emplace_back(p, p + m.state_segment_size(i));
    }
    // The one-call copy (write_state) gives the same bytes back to back, and the same sizes.
    std::vector<std::uint8_t> whole(m.state_size());
    std::uint64_t sizes[Minimizer::kMaxStateSegments];
    CHECK_EQ(m.write_state(whole.data(), sizes), m.state_segment_count());
    std::vector<std::uint8_t> concatenated(s.header);
    for (std::size_t i = 0; i < s.segments.size(); ++i) {
        CHECK_EQ(sizes[i], s.segments[i].size());
        concatenated.insert(concatenated.end(), s.segments[i].begin(), s.segments[i].end());
    }
    CHECK(whole == concatenated);
    return s;
}

void restore(Minimizer& m, const Saved& s) {
    m.read_state_header(s.header.data(), s.header.size());
    CHECK_EQ(m.state_segment_count(), static_cast<int>(s.segments.size()));
    for (int i = 0; i < m.state_segment_count(); ++i) {
        CHECK_EQ(m.state_segment_size(i), s.segments[i].size());
        std::memcpy(m.state_segment_target(i), s.segments[i].data(), s.segments[i].size());
    }
}

struct Outcome {
    Status status;
    std::int64_t nit, nfev;
    double f;
    std::vector<double> x, g, trace;
};

// Drives m from `t` to the end; saves the state when the evaluation count reaches save_at.
Outcome finish(Minimizer& m, Task t, std::int64_t save_at = -1, Saved* saved = nullptr) {
    Outcome o{};
    std::int64_t evaluations = m.evaluations();
    while (t != Task::Done) {
        if (saved != nullptr && evaluations == save_at && saved->header.empty()) *saved = save(m, t);
        if (t == Task::Evaluate) {
            double f = 0;
            problems::driver(m.size(), m.x(), &f, m.gradient(), nullptr);
            ++evaluations;
            t = m.submit(f);
        } else {
            o.trace.push_back(m.f());
            t = m.proceed();
        }
    }
    o.status = m.status();
    o.nit = m.iterations();
    o.nfev = m.evaluations();
    o.f = m.f();
    o.x.assign(m.x(), m.x() + m.size());
    o.g.assign(m.gradient(), m.gradient() + m.size());
    return o;
}

Options driver_options(lbfgsb::Arithmetic arithmetic = lbfgsb::Arithmetic::Reference) {
    Options o;
    o.arithmetic = arithmetic;
    o.history_size = 5;
    o.relative_reduction_tolerance = 0.0;  // driver2: long runs through many history wraps
    o.projected_gradient_tolerance = 0.0;
    o.max_evaluations = 90;
    return o;
}

Minimizer* fresh(std::int64_t n, lbfgsb::Arithmetic arithmetic = lbfgsb::Arithmetic::Reference) {
    Minimizer* m = new Minimizer(n, driver_options(arithmetic));
    problems::driver_bounds(n, m->lower(), m->upper());
    for (std::int64_t i = 0; i < n; ++i) m->x()[i] = 3.0;
    return m;
}

void resuming_anywhere_continues_bit_for_bit(lbfgsb::Arithmetic arithmetic) {
    const std::int64_t n = 25;
    Minimizer* reference = fresh(n, arithmetic);
    Outcome expected = finish(*reference, reference->start());
    delete reference;
    CHECK(expected.nfev > 60);
    // Save after every evaluation count, at iteration boundaries and inside line searches.
    int compared = 0;
    for (std::int64_t at = 1; at < expected.nfev; at += 3) {
        Minimizer* a = fresh(n, arithmetic);
        Saved saved;
        Outcome run = finish(*a, a->start(), at, &saved);
        delete a;
        CHECK(!saved.header.empty());
        // Restored into a minimizer built with the default options: the header carries them.
        Minimizer b(n, Options{driver_options()});
        restore(b, saved);
        // Continue from the saved task: an evaluation is still owed, or proceed() is.
        Outcome resumed = finish(b, saved.task);
        CHECK(resumed.status == expected.status && resumed.nit == expected.nit && resumed.nfev == expected.nfev);
        CHECK(check::bits_equal(resumed.f, expected.f));
        CHECK(resumed.x == expected.x && resumed.g == expected.g);
        CHECK(run.x == expected.x);
        ++compared;
    }
    CHECK(compared > 20);
}

void a_restored_minimizer_can_save_again() {
    Minimizer* a = fresh(25);
    Saved first;
    finish(*a, a->start(), 10, &first);
    delete a;
    Minimizer b(25, driver_options());
    restore(b, first);
    Saved second = save(b, first.task);
    CHECK(second.header == first.header);
    CHECK(second.segments == first.segments);
}

void bad_headers_are_refused() {
    Minimizer* a = fresh(25);
    Saved s;
    finish(*a, a->start(), 5, &s);
    delete a;
    CHECK_EQ(Minimizer::state_header_size_n(s.header.data(), s.header.size()), 25);
    CHECK_EQ(Minimizer::state_header_history_size(s.header.data(), s.header.size()), 5);
    CHECK_EQ(Minimizer::state_header_size_n(s.header.data(), s.header.size() - 8), -1);  // truncated
    std::vector<std::uint8_t> foreign = s.header;
    foreign[0] ^= 0xff;
    CHECK_EQ(Minimizer::state_header_size_n(foreign.data(), foreign.size()), -1);
    std::vector<std::uint8_t> future = s.header;
    future[8] = 3;  // version 3
    CHECK_EQ(Minimizer::state_header_size_n(future.data(), future.size()), -1);
    std::vector<std::uint8_t> v1_with_v2_size = s.header;
    v1_with_v2_size[8] = 1;  // version 1 has two fields less
    CHECK_EQ(Minimizer::state_header_size_n(v1_with_v2_size.data(), v1_with_v2_size.size()), -1);

    auto refused = [](Minimizer& m, const std::vector<std::uint8_t>& h) {
        try {
            m.read_state_header(h.data(), h.size());
        } catch (const std::invalid_argument&) {
            return true;
        }
        return false;
    };
    Minimizer wrong_n(24, driver_options());
    CHECK(refused(wrong_n, s.header));
    Options other = driver_options();
    other.history_size = 6;
    Minimizer wrong_m(25, other);
    CHECK(refused(wrong_m, s.header));
    Minimizer ok(25, driver_options());
    CHECK(refused(ok, foreign));
    // A header whose col field (an index) is out of range.
    std::vector<std::uint8_t> corrupt = s.header;
    // find col: it is the 33rd scalar (see visit_scalars); overwrite with a huge value
    const std::size_t col_field = 3 + 32;
    std::int64_t huge = 1 << 20;
    std::memcpy(corrupt.data() + 8 * col_field, &huge, 8);
    CHECK(refused(ok, corrupt));
}

}  // namespace

// A version-1 header (no arithmetic field) is still read, as Arithmetic::Reference, and the run
// continues exactly as the uninterrupted one.
void version_one_headers_are_read() {
    Minimizer* reference = fresh(25);
    Outcome expected = finish(*reference, reference->start());
    delete reference;
    Minimizer* a = fresh(25);
    Saved saved;
    finish(*a, a->start(), 12, &saved);
    delete a;
    std::vector<std::uint8_t> v1 = saved.header;
    v1.resize(v1.size() - 16);
    v1[8] = 1;
    std::uint64_t count = 0;
    std::memcpy(&count, v1.data() + 16, 8);
    count -= 2;
    std::memcpy(v1.data() + 16, &count, 8);
    saved.header = v1;
    CHECK_EQ(Minimizer::state_header_size_n(v1.data(), v1.size()), 25);
    Minimizer b(25, driver_options(lbfgsb::Arithmetic::Fast));
    restore(b, saved);
    CHECK(b.options().arithmetic == lbfgsb::Arithmetic::Reference);
    Outcome resumed = finish(b, saved.task);
    CHECK(resumed.nfev == expected.nfev && resumed.x == expected.x);
}

int main() {
    resuming_anywhere_continues_bit_for_bit(lbfgsb::Arithmetic::Reference);
    resuming_anywhere_continues_bit_for_bit(lbfgsb::Arithmetic::Fast);
    version_one_headers_are_read();
    a_restored_minimizer_can_save_again();
    bad_headers_are_refused();
    return check::report("checkpoint_test");
}
