// TEMPORARY SKELETON (being replaced by the real port): lets the build plumbing link.
#include "lbfgsb/minimizer.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace lbfgsb {

struct Minimizer::State {
    std::int64_t n;
    Options opt;
    std::vector<double> x, g, l, u;
    Task task = Task::Done;
    Status status = Status::Running;
    double f = 0;
    std::int64_t iter = 0, nfg = 0;
};

Minimizer::Minimizer(std::int64_t n, const Options& options) : s_(new State) {
    if (n <= 0) throw std::invalid_argument("n <= 0");
    s_->n = n;
    s_->opt = options;
    s_->x.assign(n, 0.0);
    s_->g.assign(n, 0.0);
    s_->l.assign(n, -std::numeric_limits<double>::infinity());
    s_->u.assign(n, std::numeric_limits<double>::infinity());
}
Minimizer::~Minimizer() = default;
std::int64_t Minimizer::size() const { return s_->n; }
const Options& Minimizer::options() const { return s_->opt; }
double* Minimizer::x() { return s_->x.data(); }
double* Minimizer::gradient() { return s_->g.data(); }
double* Minimizer::lower() { return s_->l.data(); }
double* Minimizer::upper() { return s_->u.data(); }
Task Minimizer::start() { s_->task = Task::Evaluate; return s_->task; }
Task Minimizer::submit(double f) {
    s_->f = f;
    s_->nfg++;
    s_->status = Status::AbnormalLineSearch;
    s_->task = Task::Done;
    return s_->task;
}
Task Minimizer::proceed() { return s_->task; }
void Minimizer::request_stop() {}
Task Minimizer::task() const { return s_->task; }
Status Minimizer::status() const { return s_->status; }
const char* Minimizer::message() const { return "ABNORMAL: "; }
double Minimizer::f() const { return s_->f; }
std::int64_t Minimizer::iterations() const { return s_->iter; }
std::int64_t Minimizer::evaluations() const { return s_->nfg; }
double Minimizer::projected_gradient_norm() const { return 0; }
double Minimizer::step_length() const { return 0; }
std::int64_t Minimizer::free_variables() const { return 0; }
std::int64_t Minimizer::line_search_evaluations() const { return 0; }
bool Minimizer::x0_projected() const { return false; }

Status run(Minimizer& m, ObjectiveFunction objective, void* user, IterationFunction it, void* it_user) {
    Task t = m.start();
    while (t != Task::Done) {
        if (t == Task::Evaluate) {
            double f = 0;
            if (objective(m.size(), m.x(), &f, m.gradient(), user) != 0) return Status::AbortedByObjective;
            t = m.submit(f);
        } else {
            if (it && it(it_user) != 0) m.request_stop();
            t = m.proceed();
        }
    }
    return m.status();
}

}  // namespace lbfgsb
