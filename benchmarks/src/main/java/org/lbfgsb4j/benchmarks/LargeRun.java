package org.lbfgsb4j.benchmarks;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.lbfgsb4j.Arithmetic;
import org.lbfgsb4j.Bounds;
import org.lbfgsb4j.IterationListener;
import org.lbfgsb4j.Lbfgsb;
import org.lbfgsb4j.LbfgsbOptions;
import org.lbfgsb4j.LbfgsbResult;
import org.lbfgsb4j.Objective;
import org.lbfgsb4j.internal.LbfgsbNative;

/**
 * One large minimization of the driver problem ({@link BenchmarkProblems#driver}, bounded: odd
 * variables (1-based) in [1, 100], even ones in [-100, 100], from x = 3) at a given n and m, to see
 * what n = 10<sup>8</sup> costs in time and memory.
 *
 * <pre>
 * java -Xmx6g -XX:MaxDirectMemorySize=1g -XX:MinHeapFreeRatio=1 -XX:MaxHeapFreeRatio=10 \
 *     -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp benchmarks/target/benchmarks.jar org.lbfgsb4j.benchmarks.LargeRun \
 *     --n 1e8 --m 5 [--arithmetic REFERENCE|FAST] [--max-iterations K] [--retain-final-state false|true] [--force]
 * </pre>
 *
 * <p>(benchmarks/README.md explains each JVM option.)
 *
 * <p>Where the memory is (bytes per variable, m = history size):
 * <ul>
 *   <li>x: a direct {@link DoubleBuffer} (8 n, counted against {@code -XX:MaxDirectMemorySize}),
 *       which the solver uses in place ({@code Lbfgsb.minimize(Objective, DoubleBuffer, ...)}).
 *   <li>the native workspace, allocated by the C++ core outside the Java heap and outside
 *       {@code MaxDirectMemorySize}: (2m + 7) n doubles (g, l, u, S and Y (m n each), z, r, d, t,
 *       xp) plus 2 n one-byte codes (nbd, iwhere) and 2 n 64-bit indices (index, indx2), i.e.
 *       (16m + 74) n bytes; O(m^2) besides.
 *   <li>the Java heap: the {@link Bounds} keep their own copy of the lower and upper arrays (16 n;
 *       {@code Bounds.of} copies, so 32 n while they are built), and the result copies x and the
 *       gradient into two {@code double[]} (16 n) while the native workspace is still allocated.
 *   <li>with {@code --retain-final-state true} (the library's default, off here) the result also keeps
 *       a copy of the final state, about (2m + 9) n doubles, on top of everything else.
 * </ul>
 *
 * <p>The objective is allocation-free and streams once over x: it copies x in blocks of
 * {@value #BLOCK} doubles into a scratch array, computes f and that block of the gradient, and
 * copies the block out. It adds in the same order as {@link BenchmarkProblems#driver} (checked
 * bit for bit at start-up on a small n).
 *
 * <p>One progress line per iteration (iteration, evaluations, f, projected gradient norm, seconds
 * of the iteration and since the start, resident set); then iterations, evaluations, termination,
 * wall time, peak RSS ({@code VmHWM}), and the JVM's limits and memory pools.
 */
public final class LargeRun {
    private LargeRun() {}

    /** Doubles per block of the streaming objective. */
    static final int BLOCK = 8192;

    /** The driver problem's f and gradient, one streaming pass, no allocation per call. */
    static final class StreamingDriver implements Objective {
        private final double[] xs = new double[BLOCK + 1];
        private final double[] gs = new double[BLOCK];
        long nanos;
        long calls;

        @Override
        public double evaluate(DoubleBuffer x, DoubleBuffer g) {
            long start = System.nanoTime();
            int n = x.limit();
            double[] xs = this.xs;
            double[] gs = this.gs;
            double x0 = x.get(0);
            double f = 0.25 * (x0 - 1.0) * (x0 - 1.0);
            double tPrev = 0.0; // t_{i-1}, where t_i = x_{i+1} - x_i^2
            // Blocks over i in [s, e), e <= n - 1: the i that have a t_i; each reads x[s..e].
            for (int s = 0; s < n - 1; s += BLOCK) {
                int len = Math.min(BLOCK, n - 1 - s);
                x.get(s, xs, 0, len + 1);
                int k = 0;
                if (s == 0) {
                    double t0 = xs[1] - xs[0] * xs[0];
                    f += t0 * t0;
                    gs[0] = 2.0 * (xs[0] - 1.0) - 16.0 * xs[0] * t0;
                    tPrev = t0;
                    k = 1;
                }
                for (; k < len; k++) {
                    double xi = xs[k];
                    double ti = xs[k + 1] - xi * xi;
                    f += ti * ti;
                    gs[k] = 8.0 * tPrev - 16.0 * xi * ti;
                    tPrev = ti;
                }
                g.put(s, gs, 0, len);
            }
            g.put(n - 1, 8.0 * tPrev);
            nanos += System.nanoTime() - start;
            calls++;
            return 4.0 * f;
        }
    }

    public static void main(String[] args) throws IOException {
        int n = 0;
        int m = 5;
        Arithmetic arithmetic = LbfgsbOptions.DEFAULT_ARITHMETIC;
        long maxIterations = LbfgsbOptions.DEFAULT_MAX_ITERATIONS;
        boolean retainFinalState = false;
        boolean force = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : (i + 1 < args.length ? args[i + 1] : null);
            String key = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            boolean consumed = !a.contains("=");
            switch (key) {
                case "--n": n = BenchmarkProblems.parseSize(v); break;
                case "--m": m = Integer.parseInt(v); break;
                case "--arithmetic": arithmetic = SideBySide.parseArithmetic(v); break;
                case "--max-iterations": maxIterations = Long.parseLong(v); break;
                case "--retain-final-state":
                    if (v == null || v.startsWith("--")) { // bare flag
                        retainFinalState = true;
                        consumed = false;
                    } else {
                        retainFinalState = Boolean.parseBoolean(v);
                    }
                    break;
                case "--force": force = true; consumed = false; break;
                default:
                    usage("unknown argument " + a);
            }
            if (consumed) {
                if (v == null) {
                    usage(a + " needs a value");
                }
                i++;
            }
        }
        if (n < 2) {
            usage("--n is required (n >= 2)");
        }

        long nativeBytes = nativeWorkspaceBytes(n, m);
        long heapPeak = 32L * n;        // Bounds.of: 2 arrays + their 2 copies; later Bounds + result x, g
        long directBytes = 8L * n;      // x
        long finalState = retainFinalState ? (2L * m + 9) * 8 * n : 0;
        long estimate = nativeBytes + directBytes + 16L * n /* Bounds */ + 16L * n /* result */ + finalState
                + 100L * 1024 * 1024 /* the JVM */;
        long available = meminfoKb("MemAvailable") * 1024;
        System.out.printf(Locale.ROOT, "driver problem, n = %,d, m = %d, arithmetic %s, maxIterations %d, retainFinalState %s%n",
                n, m, arithmetic, maxIterations, retainFinalState);
        System.out.printf(Locale.ROOT, "memory plan: native workspace %s ((2m+7)n doubles + 2n bytes + 2n longs), "
                + "x direct %s, heap %s at most (Bounds copies %s, result x and g %s)%s; total about %s; "
                + "MemAvailable %s%n",
                gb(nativeBytes), gb(directBytes), gb(heapPeak), gb(16L * n), gb(16L * n),
                retainFinalState ? ", retained final state " + gb(finalState) : "", gb(estimate), gb(available));
        System.out.printf(Locale.ROOT, "JVM: -Xmx (Runtime.maxMemory) %s, MaxDirectMemorySize %s, JavaCPP maxBytes %s, "
                + "maxPhysicalBytes %s, arguments %s%n",
                gb(Runtime.getRuntime().maxMemory()), vmOption("MaxDirectMemorySize"),
                gb(org.bytedeco.javacpp.Pointer.maxBytes()), gb(org.bytedeco.javacpp.Pointer.maxPhysicalBytes()),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (available > 0 && estimate > available && !force) {
            System.out.println("refusing: the estimate exceeds MemAvailable (--force to try anyway)");
            System.exit(3);
        }
        // G1 never moves a humongous array and needs contiguous free regions for each new one: with
        // -Xmx4g at n = 1e8 (3 GB live) the result's gradient array did not fit. Unused heap costs
        // address space, not resident memory, so ask for twice the live size.
        if (Runtime.getRuntime().maxMemory() < 2 * heapPeak) {
            System.out.printf(Locale.ROOT, "warning: -Xmx %s is below twice the %s the Bounds and the result need; "
                    + "G1 may fail to place their n-double arrays (OutOfMemoryError: Java heap space)%n",
                    gb(Runtime.getRuntime().maxMemory()), gb(heapPeak));
        }

        checkObjective();
        LbfgsbNative.load();

        long t0 = System.nanoTime();
        DoubleBuffer x = ByteBuffer.allocateDirect(8 * n).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        double[] block = new double[BLOCK];
        Arrays.fill(block, 3.0);
        for (int i = 0; i < n; i += BLOCK) {
            x.put(i, block, 0, Math.min(BLOCK, n - i));
        }
        Bounds bounds = BenchmarkProblems.driverBounds(n); // builds two arrays, Bounds.of copies them
        System.gc(); // drop the two originals before the native workspace exists
        double setup = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "setup %.1f s (x0 and bounds); VmRSS %s, heap used %s committed %s, direct %s%n",
                setup, mb(SideBySide.statusKb("VmRSS") * 1024), mb(heap().getUsed()), mb(heap().getCommitted()),
                mb(directUsed()));

        StreamingDriver objective = new StreamingDriver();
        long[] lastNanos = {0};
        LbfgsbOptions options = LbfgsbOptions.builder()
                .historySize(m)
                .maxIterations(maxIterations)
                .arithmetic(arithmetic)
                .retainFinalState(retainFinalState)
                .iterationListener(s -> {
                    long now = s.elapsed().toNanos();
                    System.out.printf(Locale.ROOT,
                            "iter %5d  evals %5d  f %.10e  |proj g| %.3e  iteration %8.3f s  elapsed %9.3f s  VmRSS %s%n",
                            s.iteration(), s.evaluations(), s.value(), s.projectedGradientNorm(),
                            (now - lastNanos[0]) / 1e9, now / 1e9, mb(SideBySide.statusKb("VmRSS") * 1024));
                    lastNanos[0] = now;
                    return IterationListener.Action.CONTINUE;
                })
                .build();

        long start = System.nanoTime();
        LbfgsbResult r = Lbfgsb.minimize(objective, x, bounds, options);
        double wall = (System.nanoTime() - start) / 1e9;
        double inObjective = objective.nanos / 1e9;

        System.out.println();
        System.out.println("termination        " + r.termination() + " (" + r.message() + ")");
        System.out.printf(Locale.ROOT, "f                  %.17g%n", r.value());
        System.out.printf(Locale.ROOT, "|proj g|           %.3e%n", r.projectedGradientNorm());
        System.out.printf(Locale.ROOT, "iterations         %d%n", r.iterations());
        System.out.printf(Locale.ROOT, "evaluations        %d%n", r.evaluations());
        System.out.printf(Locale.ROOT, "wall time          %.3f s (objective %.3f s in %d calls = %.1f ms each; "
                + "solver %.3f s = %.1f ms per iteration)%n",
                wall, inObjective, objective.calls, inObjective * 1e3 / Math.max(1, objective.calls),
                wall - inObjective, (wall - inObjective) * 1e3 / Math.max(1, r.iterations()));
        System.out.printf(Locale.ROOT, "x[0..3]            %.6f %.6f %.6f %.6f%n", x.get(0), x.get(1), x.get(2), x.get(3));
        System.out.printf(Locale.ROOT, "peak RSS (VmHWM)   %s%n", mb(SideBySide.statusKb("VmHWM") * 1024));
        System.out.printf(Locale.ROOT, "VmRSS now          %s (heap used %s, committed %s; direct buffers %s)%n",
                mb(SideBySide.statusKb("VmRSS") * 1024), mb(heap().getUsed()), mb(heap().getCommitted()),
                mb(directUsed()));
        System.out.printf(Locale.ROOT, "JVM                -Xmx %s (Runtime.maxMemory %s), MaxDirectMemorySize %s%n",
                xmxArgument(), gb(Runtime.getRuntime().maxMemory()), vmOption("MaxDirectMemorySize"));
        System.out.printf(Locale.ROOT, "estimate was       %s (native workspace %s)%n", gb(estimate), gb(nativeBytes));
    }

    /** (2m + 7) n doubles, 2 n int8 codes, 2 n int64 indices, and the O(m^2) matrices. */
    static long nativeWorkspaceBytes(long n, int m) {
        long mm = (long) m * m;
        return (2L * m + 7) * 8 * n + 2L * n + 16L * n + (11 * mm + 8L * m) * 8;
    }

    /** The streaming objective must give BenchmarkProblems.driver's bits (same order of additions). */
    private static void checkObjective() {
        for (int n : new int[] {2, 3, BLOCK, BLOCK + 1, BLOCK + 2, 3 * BLOCK + 17}) {
            DoubleBuffer x = DoubleBuffer.allocate(n);
            for (int i = 0; i < n; i++) {
                x.put(i, 3.0 - 5.0 * Math.sin(0.37 * i)); // deterministic, not smooth
            }
            DoubleBuffer g1 = DoubleBuffer.allocate(n);
            DoubleBuffer g2 = DoubleBuffer.allocate(n);
            double f1 = new StreamingDriver().evaluate(x, g1);
            double f2 = BenchmarkProblems.driver(x, g2);
            if (Double.doubleToLongBits(f1) != Double.doubleToLongBits(f2) || !g1.equals(g2)) {
                throw new IllegalStateException("the streaming objective differs from BenchmarkProblems.driver at n = " + n
                        + ": f " + f1 + " vs " + f2);
            }
        }
    }

    private static MemoryUsage heap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    }

    private static long directUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    private static String vmOption(String name) {
        try {
            com.sun.management.HotSpotDiagnosticMXBean hs =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            String v = hs.getVMOption(name).getValue();
            return v.equals("0") ? "0 (default: = max heap)" : gb(Long.parseLong(v));
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String xmxArgument() {
        List<String> in = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = in.size() - 1; i >= 0; i--) {
            if (in.get(i).startsWith("-Xmx") || in.get(i).startsWith("-XX:MaxHeapSize=")) {
                return in.get(i);
            }
        }
        return "(not set: the JVM's default)";
    }

    /** A field of /proc/meminfo in kB, or -1. */
    static long meminfoKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MiB", bytes / (double) (1L << 20));
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: LargeRun --n N [--m 5] [--arithmetic REFERENCE|FAST] [--max-iterations K]"
                + " [--retain-final-state false|true] [--force]");
        System.exit(2);
    }
}
