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
 * Cost of one Java-to-native crossing of the binding: a trivial getter, and the
 * {@code submit(f)} downcall of the Java-driven loop (start() re-arms the minimizer each time;
 * against the temporary native skeleton both are trivial in C++, so this is JNI cost).
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

    /** One downcall: a getter. */
    @Benchmark
    public long getter() {
        return session.evaluations();
    }

    /** Two downcalls: start() and submit(f), the shape of one evaluation in the Java loop. */
    @Benchmark
    public int startAndSubmit() {
        session.start();
        return session.submit(1.0);
    }
}
