// lbfgsb4j JNI glue: lbfgsb::run driving a Java objective and a Java iteration hook through plain
// JNI upcalls (no JavaCPP FunctionPointer trampoline, so no limit on runs at once).
//
// Compiled into libjniLbfgsbNative.so: the @Platform include list of the binding
// org.lbfgsb4j.internal.NativeGlue names this header, and the javacpp plugin finds it through the
// includePath java/src/main/native (java/pom.xml).
//
// How a run goes. Java calls run_java_objective (or run_c_objective) through a JavaCPP binding
// with a @Raw(withEnv = true) parameter, so the JNIEnv* of the calling thread and the binding's
// jclass arrive as the first two arguments, and the Java object holding the objective and the
// hook arrives as a jobject (a local reference, valid for this native call). lbfgsb::run then
// calls the two plain C functions below with a pointer to an UpcallContext {env, object, method
// ids} as their user data (the ids are looked up once per process and checked against the
// object's class once per run); each makes one JNI call into Java on the same thread. No JNI
// local reference is created per call, and nothing is allocated on either side per call.
//
// The Java side (org.lbfgsb4j.internal.NativeCallbacks.Upcalls) catches every Throwable, stores
// it, and reports it: evaluate() (or evaluateAt) returns NaN and failed() says true; afterIteration() returns
// nonzero. The native side aborts the run, and Java rethrows the stored throwable (same object)
// after the run returns. A Java exception that is nevertheless pending after an upcall (say a
// StackOverflowError thrown before the Java handler is entered) also aborts the run, no further
// JNI call is made, and it stays pending: it is thrown at the Java caller when the native method
// returns. The method names and descriptors below must match NativeCallbacks.Upcalls (any class
// with these four methods works: the tests drive the native side with their own).
#pragma once

#include <jni.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "lbfgsb/minimizer.hpp"

namespace lbfgsb4j {

// The Java methods called back.
struct UpcallMethods {
    jmethodID evaluate;         // double evaluate(): at the minimizer's own x and gradient
    jmethodID evaluate_at;      // double evaluateAt(long n, long x, long g): anywhere else
    jmethodID failed;           // boolean failed()
    jmethodID after_iteration;  // int afterIteration()
};

namespace upcall_detail {

// The method ids of one upcall class, found once per process. The class is held by a weak global
// reference, so the cache pins no class loader.
struct CachedClass {
    jweak type;
    UpcallMethods methods;
};

inline std::atomic<const CachedClass*>& cache() {
    static std::atomic<const CachedClass*> cached{nullptr};
    return cached;
}

}  // namespace upcall_detail

// The method ids for `upcalls`'s class into *out: the cached ones when it is the class seen first
// (NativeCallbacks.Upcalls, in practice always), else looked up for this run. Returns false with a
// Java exception (NoSuchMethodError) pending when a method is missing. Costs a few JNI calls per
// run, none per evaluation.
inline bool find_upcall_methods(JNIEnv* env, jobject upcalls, UpcallMethods* out) {
    jclass type = env->GetObjectClass(upcalls);
    if (type == nullptr) return false;
    const upcall_detail::CachedClass* cached = upcall_detail::cache().load(std::memory_order_acquire);
    if (cached != nullptr && env->IsSameObject(type, cached->type)) {
        *out = cached->methods;
        env->DeleteLocalRef(type);
        return true;
    }
    UpcallMethods found{};
    found.evaluate = env->GetMethodID(type, "evaluate", "()D");
    if (found.evaluate != nullptr) found.evaluate_at = env->GetMethodID(type, "evaluateAt", "(JJJ)D");
    if (found.evaluate_at != nullptr) found.failed = env->GetMethodID(type, "failed", "()Z");
    if (found.failed != nullptr) found.after_iteration = env->GetMethodID(type, "afterIteration", "()I");
    if (found.after_iteration == nullptr) {
        env->DeleteLocalRef(type);
        return false;
    }
    if (cached == nullptr) {
        // The first class seen is cached for the life of the process (one small struct). A thread
        // that loses the race frees its copy.
        jweak weak = env->NewWeakGlobalRef(type);
        if (weak != nullptr) {
            auto* fresh = new upcall_detail::CachedClass{weak, found};
            const upcall_detail::CachedClass* expected = nullptr;
            if (!upcall_detail::cache().compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
                env->DeleteWeakGlobalRef(weak);
                delete fresh;
            }
        }
    }
    env->DeleteLocalRef(type);
    *out = found;
    return true;
}

// The user data of the two C functions below: one per run, on the stack of the native call.
struct UpcallContext {
    JNIEnv* env;
    jobject upcalls;
    UpcallMethods methods;
    const double* own_x;  // the minimizer's x and gradient, which the Java side has views of
    const double* own_g;
};

// lbfgsb::ObjectiveFunction calling Upcalls.evaluate() (or evaluateAt(n, x, g) should the core
// ever hand over other memory than the minimizer's own x and gradient: it does not today).
// Nonzero aborts the run. The argument-free call is the cheaper JNI call.
inline int java_objective(std::int64_t n, const double* x, double* f, double* g, void* user) {
    const UpcallContext& c = *static_cast<const UpcallContext*>(user);
    JNIEnv* env = c.env;
    const jdouble value =
        x == c.own_x && g == c.own_g
            ? env->CallDoubleMethod(c.upcalls, c.methods.evaluate)
            : env->CallDoubleMethod(c.upcalls, c.methods.evaluate_at, static_cast<jlong>(n),
                                    static_cast<jlong>(reinterpret_cast<std::intptr_t>(x)),
                                    static_cast<jlong>(reinterpret_cast<std::intptr_t>(g)));
    if (env->ExceptionCheck()) return 1;  // left pending for the Java caller
    // NaN is also what a failed evaluation returns: only then ask which it was.
    if (std::isnan(value)) {
        const jboolean failed = env->CallBooleanMethod(c.upcalls, c.methods.failed);
        if (failed || env->ExceptionCheck()) return 1;
    }
    *f = value;
    return 0;
}

// lbfgsb::IterationFunction calling Upcalls.afterIteration(). Nonzero stops the run.
inline int java_iteration_hook(void* user) {
    const UpcallContext& c = *static_cast<const UpcallContext*>(user);
    JNIEnv* env = c.env;
    const jint stop = env->CallIntMethod(c.upcalls, c.methods.after_iteration);
    if (env->ExceptionCheck()) return 1;  // left pending for the Java caller
    return stop != 0 ? 1 : 0;
}

namespace upcall_detail {

// Runs `body` (which calls lbfgsb::run) and turns the outcome into a Status value. A C++ exception
// escapes to JavaCPP (which throws it as a RuntimeException) unless a Java exception is already
// pending: that one wins (JavaCPP's handler would make JNI calls that are not allowed while an
// exception is pending).
template <class Body>
int guarded(JNIEnv* env, Body&& body) {
    try {
        return static_cast<int>(body());
    } catch (...) {
        if (env->ExceptionCheck()) return static_cast<int>(lbfgsb::Status::AbortedByObjective);
        throw;
    }
}

}  // namespace upcall_detail

// lbfgsb::run with the Java objective upcalls.evaluate and, when with_hook, the iteration hook
// upcalls.afterIteration. Returns the lbfgsb::Status value; with a Java exception pending the
// value does not matter (the exception is thrown at the caller).
inline int run_java_objective(JNIEnv* env, jclass /*binding*/, lbfgsb::Minimizer& minimizer, jobject upcalls,
                              bool with_hook) {
    if (upcalls == nullptr) throw std::invalid_argument("upcalls = null: must be a NativeCallbacks.Upcalls");
    UpcallContext context{env, upcalls, {}, minimizer.x(), minimizer.gradient()};
    if (!find_upcall_methods(env, upcalls, &context.methods)) {
        return static_cast<int>(lbfgsb::Status::AbortedByObjective);  // NoSuchMethodError pending
    }
    return upcall_detail::guarded(env, [&] {
        return lbfgsb::run(minimizer, &java_objective, &context, with_hook ? &java_iteration_hook : nullptr,
                           with_hook ? &context : nullptr);
    });
}

// lbfgsb::run with the C objective at `objective` (called with `objective_user`) and, when
// `hook_upcalls` is not null, its afterIteration() as the iteration hook. Without a hook this is
// lbfgsb::run itself: no JNI call during the run.
inline int run_c_objective(JNIEnv* env, jclass /*binding*/, lbfgsb::Minimizer& minimizer,
                           lbfgsb::ObjectiveFunction objective, void* objective_user, jobject hook_upcalls) {
    if (objective == nullptr) throw std::invalid_argument("objective = null: must be a C function");
    if (hook_upcalls == nullptr) {
        return static_cast<int>(lbfgsb::run(minimizer, objective, objective_user));
    }
    UpcallContext context{env, hook_upcalls, {}, nullptr, nullptr};
    if (!find_upcall_methods(env, hook_upcalls, &context.methods)) {
        return static_cast<int>(lbfgsb::Status::AbortedByObjective);  // NoSuchMethodError pending
    }
    return upcall_detail::guarded(env, [&] {
        return lbfgsb::run(minimizer, objective, objective_user, &java_iteration_hook, &context);
    });
}

}  // namespace lbfgsb4j
