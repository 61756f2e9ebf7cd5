package org.lbfgsb4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.lbfgsb4j.internal.NativeSession;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one Java-to-native crossing of the binding, the fixed price of every
 * {@code submit(f)}/{@code proceed()} in the Java-driven loop: downcalls whose C++ side is
 * trivial (a getter returning a double, and a void call that writes the minimizer's state), so
 * what is measured is JNI plus the session's open check.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar NativeCrossingBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class NativeCrossingBenchmark {
    @Param({"1000"})
    public long n;

    private NativeSession session;

    @Setup(Level.Trial)
    public void setUp() {
        session = new NativeSession(n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
    }

    /** One downcall returning a double. */
    @Benchmark
    public double getter() {
        return session.f();
    }

    /** One void downcall that writes native state (request_stop()). */
    @Benchmark
    public void stateWrite() {
        session.requestStop();
    }
}
