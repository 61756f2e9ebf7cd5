package org.lbfgsb4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.lbfgsb4j.Arithmetic;
import org.lbfgsb4j.Bounds;
import org.lbfgsb4j.Lbfgsb;
import org.lbfgsb4j.LbfgsbOptions;
import org.lbfgsb4j.LbfgsbResult;
import org.lbfgsb4j.Objective;
import org.lbfgsb4j.benchmarks.BenchmarkProblems.Problem;
import org.lbfgsb4j.internal.LbfgsbNative;

/**
 * The lbfgsb4j half of {@code benchmarks/scipy/side_by_side.py}: one run in a fresh JVM, one JSON line
 * on standard output.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.lbfgsb4j.benchmarks.SideBySide &lt;problem&gt; &lt;n&gt; &lt;maxiter&gt; [m] [--arithmetic A]
 * java -cp benchmarks/target/benchmarks.jar org.lbfgsb4j.benchmarks.SideBySide small &lt;n&gt; &lt;solves&gt; [m] [--arithmetic A]
 * </pre>
 *
 * <p>{@code --arithmetic} ({@code REFERENCE}, the library's default, or {@code FAST}, any case) sets
 * {@code LbfgsbOptions.arithmetic} for every solve of the process, the untimed warm-up solves
 * included; one process measures one arithmetic (the Python driver starts one per arithmetic).
 *
 * <p>First, in both modes, the native library is loaded and a 2-variable problem solved (library
 * loading is not timed); large mode then also solves its problem at min(n, {@value #WARM_UP_SIZE})
 * variables with the same options, untimed, so first-call costs (class loading, the interpreter)
 * stay out of the measurement, as in the SciPy half. Then the resident set size is noted
 * ({@code baseline_rss_mb}: the JVM with the library loaded, before the problem is built).
 *
 * <p><b>Large mode</b> ({@code driver} or {@code rosenbrock}): builds x0 and the bounds, then
 * times one {@code Lbfgsb.minimize(Objective, double[], Bounds, LbfgsbOptions)} with
 * {@code maxIterations(maxiter)} and history size m (default 10). The objective is wrapped to add
 * up the time spent inside it ({@code System.nanoTime()} around each call); solver time is total
 * minus objective time, as in the SciPy half. Peak RSS is the process's {@code VmHWM}
 * (/proc/self/status); the Python driver also takes the kernel's figure for the child.
 *
 * <p><b>Small mode</b>: the bounded Rosenbrock problem (box [-2, 0.5]^n from (-1.2, 1, ...)) solved
 * to convergence with the default options, {@code solves} times after as many warm-up solves (the
 * JIT compiles the objective and the driver loop first): median and mean time per whole solve.
 */
public final class SideBySide {
    private SideBySide() {}

    /** Large mode first solves its problem at min(n, this) variables, untimed. */
    static final int WARM_UP_SIZE = 1000;

    /**
     * {@code -Dlbfgsb4j.retainFinalState=true|false} forces {@code LbfgsbOptions.retainFinalState}
     * on or off; unset, the library's default applies (the result keeps a copy of the final state,
     * about (2m + 9) n doubles, only up to {@code LbfgsbOptions.DEFAULT_RETAIN_FINAL_STATE_LIMIT}
     * bytes).
     */
    static final String RETAIN_FINAL_STATE = System.getProperty("lbfgsb4j.retainFinalState");

    /** The arithmetic of this process's solves ({@code --arithmetic}; the library's default). */
    private static Arithmetic arithmetic = LbfgsbOptions.DEFAULT_ARITHMETIC;
    /** Threads of this process's solves ({@code --arithmetic FAST:2}: 2 threads). */
    private static int threads = 1;

    private static LbfgsbOptions options(int m, long maxiter) {
        LbfgsbOptions.Builder b = LbfgsbOptions.builder().historySize(m).maxIterations(maxiter)
                .arithmetic(arithmetic).threads(threads);
        if (RETAIN_FINAL_STATE != null) {
            b.retainFinalState(Boolean.parseBoolean(RETAIN_FINAL_STATE));
        }
        return b.build();
    }

    public static void main(String[] args) throws IOException {
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--arithmetic") && i + 1 < args.length) {
                setArithmetic(args[++i]);
            } else if (args[i].startsWith("--arithmetic=")) {
                setArithmetic(args[i].substring("--arithmetic=".length()));
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() < 3 || positional.size() > 4) {
            System.err.println("usage: SideBySide <driver|rosenbrock> <n> <maxiter> [m] [--arithmetic REFERENCE|FAST]\n"
                    + "       SideBySide small <n> <solves> [m] [--arithmetic REFERENCE|FAST]");
            System.exit(2);
        }
        int n = BenchmarkProblems.parseSize(positional.get(1));
        int m = positional.size() > 3 ? Integer.parseInt(positional.get(3)) : LbfgsbOptions.DEFAULT_HISTORY_SIZE;
        warmUpLibrary();
        if (positional.get(0).equals("small")) {
            small(n, Integer.parseInt(positional.get(2)), m, statusKb("VmRSS"));
        } else {
            Problem problem = Problem.of(positional.get(0));
            long maxiter = Long.parseLong(positional.get(2));
            int k = Math.min(n, WARM_UP_SIZE);
            Lbfgsb.minimize(problem.objective(), problem.x0(k), problem.bounds(k), options(m, maxiter));
            large(problem, n, maxiter, m, statusKb("VmRSS"));
        }
    }

    private static String retainLabel() {
        return RETAIN_FINAL_STATE == null ? "library default (by size)" : RETAIN_FINAL_STATE;
    }

    /** "FAST" or "FAST:2" (2 threads). */
    private static void setArithmetic(String s) {
        int colon = s.indexOf(':');
        arithmetic = parseArithmetic(colon < 0 ? s : s.substring(0, colon));
        threads = colon < 0 ? 1 : Integer.parseInt(s.substring(colon + 1).trim());
    }

    /** "REFERENCE" / "fast" / ... as an {@link Arithmetic}. */
    static Arithmetic parseArithmetic(String s) {
        try {
            return Arithmetic.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("arithmetic = " + s + ": must be one of "
                    + Arrays.toString(Arithmetic.values()), e);
        }
    }

    private static void warmUpLibrary() {
        LbfgsbNative.load();
        Lbfgsb.minimize(BenchmarkProblems::rosenbrock, new double[] {-1.2, 1.0}, Bounds.unbounded(2),
                LbfgsbOptions.builder().arithmetic(arithmetic).build());
    }

    private static void large(Problem problem, int n, long maxiter, int m, long baselineRss) {
        double[] x0 = problem.x0(n);
        Bounds bounds = problem.bounds(n);
        Objective f = problem.objective();
        long[] inObjective = {0};
        Objective timed = (x, g) -> {
            long t = System.nanoTime();
            double v = f.evaluate(x, g);
            inObjective[0] += System.nanoTime() - t;
            return v;
        };
        LbfgsbOptions options = options(m, maxiter);

        long start = System.nanoTime();
        LbfgsbResult r = Lbfgsb.minimize(timed, x0, bounds, options);
        long total = System.nanoTime() - start;

        double totalS = total / 1e9;
        double objectiveS = inObjective[0] / 1e9;
        double solverS = totalS - objectiveS;
        StringBuilder json = new StringBuilder(512).append('{');
        field(json, "impl", "lbfgsb4j");
        field(json, "problem", problem.id);
        field(json, "n", n);
        field(json, "m", m);
        field(json, "maxiter", maxiter);
        field(json, "total_s", totalS);
        field(json, "objective_s", objectiveS);
        field(json, "solver_s", solverS);
        field(json, "solver_ms_per_iter", r.iterations() > 0 ? solverS * 1e3 / r.iterations() : Double.NaN);
        field(json, "iterations", r.iterations());
        field(json, "evaluations", r.evaluations());
        field(json, "f", r.value());
        field(json, "message", r.message());
        field(json, "baseline_rss_mb", baselineRss / 1024.0);
        field(json, "self_peak_rss_mb", statusKb("VmHWM") / 1024.0);
        field(json, "retain_final_state", retainLabel());
        field(json, "arithmetic", arithmetic.name());
        field(json, "threads", (long) threads);
        field(json, "runtime", "Java " + System.getProperty("java.version") + ", " + System.getProperty("java.vm.name")
                + ", OpenBLAS threads " + LbfgsbNative.blasThreads() + ", retainFinalState " + retainLabel());
        System.out.println(json.append('}'));
    }

    private static void small(int n, int solves, int m, long baselineRss) {
        Problem problem = Problem.ROSENBROCK_BOX;
        double[] x0 = problem.x0(n);
        Bounds bounds = problem.bounds(n);
        Objective f = problem.objective();
        LbfgsbOptions options = LbfgsbOptions.builder().historySize(m).arithmetic(arithmetic).build();
        LbfgsbResult r = null;
        for (int i = 0; i < solves; i++) {
            r = Lbfgsb.minimize(f, x0, bounds, options);
        }
        long[] nanos = new long[solves];
        long all = System.nanoTime();
        for (int i = 0; i < solves; i++) {
            long t = System.nanoTime();
            r = Lbfgsb.minimize(f, x0, bounds, options);
            nanos[i] = System.nanoTime() - t;
        }
        all = System.nanoTime() - all;
        Arrays.sort(nanos);
        StringBuilder json = new StringBuilder(512).append('{');
        field(json, "impl", "lbfgsb4j");
        field(json, "problem", problem.id);
        field(json, "n", n);
        field(json, "m", m);
        field(json, "solves", solves);
        field(json, "arithmetic", arithmetic.name());
        field(json, "median_us", nanos[solves / 2] / 1e3);
        field(json, "mean_us", all / 1e3 / solves);
        field(json, "iterations", r.iterations());
        field(json, "evaluations", r.evaluations());
        field(json, "f", r.value());
        field(json, "message", r.message());
        field(json, "baseline_rss_mb", baselineRss / 1024.0);
        field(json, "self_peak_rss_mb", statusKb("VmHWM") / 1024.0);
        System.out.println(json.append('}'));
    }

    /** A field of /proc/self/status in kB ("VmHWM", "VmRSS"), or -1 when unreadable. */
    static long statusKb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static void field(StringBuilder json, String key, Object value) {
        if (json.length() > 1) {
            json.append(", ");
        }
        json.append('"').append(key).append("\": ");
        if (value instanceof String) {
            json.append('"');
            for (char c : ((String) value).toCharArray()) {
                if (c == '"' || c == '\\') {
                    json.append('\\').append(c);
                } else if (c < 0x20) {
                    json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    json.append(c);
                }
            }
            json.append('"');
        } else if (value instanceof Double) {
            double d = (Double) value;
            json.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else {
            json.append(value);
        }
    }
}
