package org.lbfgsb4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lbfgsb4j.reference.ReferenceCase;
import org.lbfgsb4j.reference.ReferenceData;

/**
 * The log ({@link LbfgsbOptions#logging()}) against what SciPy 1.13.1's Fortran L-BFGS-B printed
 * with the same {@code iprint} on the same problems ({@code reference/fortran-iprint/}, captured by
 * {@code benchmarks/scipy/capture_fortran_iprint.py}): line for line, each line with the same
 * layout (every digit position, sign, exponent and label), every number within
 * {@link #NUMBER_TOLERANCE} (the Fortran and C ports agree to about 1e-10, so only the 17-digit
 * final f may differ in its last digits). Left out on purpose, as documented on
 * {@link LbfgsbOptions.LogLevel}: the Cauchy and subspace traces between {@code ITERATION k} and
 * {@code LINE SEARCH}, and the Tnint and Skip columns of the summary, which the native core does
 * not report (printed {@code -}).
 */
class LbfgsbLogTest {

    /** Relative agreement of the printed numbers with the Fortran run's. */
    static final double NUMBER_TOLERANCE = 1e-6;

    /** Records everything logged at a level that is enabled. */
    static final class CapturingLogger implements System.Logger {
        final List<String> records = new CopyOnWriteArrayList<>();
        final List<Level> levels = new CopyOnWriteArrayList<>();
        private final Level threshold;

        CapturingLogger(Level threshold) {
            this.threshold = threshold;
        }

        @Override
        public String getName() {
            return "capture";
        }

        @Override
        public boolean isLoggable(Level level) {
            return level.getSeverity() >= threshold.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) {
                records.add(msg);
                levels.add(level);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                records.add(params == null || params.length == 0 ? format
                        : java.text.MessageFormat.format(format, params));
                levels.add(level);
            }
        }
    }

    static Stream<Arguments> captured() {
        return Stream.of(
                Arguments.of("rosen2d_standard", 0),
                Arguments.of("rosen2d_standard", 1),
                Arguments.of("rosen2d_standard", 5),
                Arguments.of("rosen2d_standard", 99),
                Arguments.of("rosen2d_standard", 101),
                Arguments.of("rosen2d_maxiter5", 1),
                Arguments.of("rosen2d_maxls1", 1),
                Arguments.of("driver1", 1),
                Arguments.of("rosen_x0_outside_bounds", 0),
                Arguments.of("rosen_x0_outside_bounds", 101));
    }

    static LbfgsbResult run(ReferenceCase c, LbfgsbOptions.Builder extra) {
        LbfgsbOptions options = c.options().applyTo(extra).build();
        return Lbfgsb.minimize(c.objective(), c.x0(), Bounds.of(c.lower(), c.upper()), options);
    }

    @ParameterizedTest(name = "{0} iprint={1}")
    @MethodSource("captured")
    void logReadsAsScipysFortranOutput(String name, int iprint) {
        ReferenceCase c = ReferenceData.load().caseNamed(name);
        CapturingLogger logger = new CapturingLogger(System.Logger.Level.INFO);
        LbfgsbResult r = run(c, LbfgsbOptions.builder().iprint(iprint).logger(logger));
        List<String> records = new ArrayList<>(logger.records);
        assertEquals(r.explanation(), records.remove(records.size() - 1), "the last record explains the end");
        List<String> ours = lines(String.join("\n", records));
        List<String> stderr = lines(resource(name, iprint, "stderr"));
        // The lines Fortran wrote to unit 0 (stderr) are in the log too, in order.
        int at = 0;
        for (String line : stderr) {
            int found = ours.subList(at, ours.size()).indexOf(line);
            assertTrue(found >= 0, () -> "stderr line missing from the log: '" + line + "'");
            ours.remove(at + found);
            at += found;
        }
        List<String> expected = fortranStdout(resource(name, iprint, "stdout"));
        assertEquals(expected.size(), ours.size(),
                () -> "line count\n--- expected\n" + String.join("\n", expected) + "\n--- actual\n"
                        + String.join("\n", ours));
        for (int i = 0; i < expected.size(); i++) {
            assertSameLine(expected.get(i), ours.get(i), i);
        }
    }

    /** Fortran's stdout without blank lines, the traces we do not log, and Tnint/Skip masked. */
    static List<String> fortranStdout(String text) {
        List<String> out = new ArrayList<>();
        boolean inTrace = false;
        boolean summaryNext = false;
        for (String line : lines(text)) {
            if (line.startsWith("ITERATION ")) {
                out.add(line);
                inTrace = true;
                continue;
            }
            if (inTrace) {
                if (!line.startsWith(" LINE SEARCH")) {
                    continue;
                }
                inTrace = false;
            }
            if (summaryNext) {
                // i5,1x,i6,1x,i6,(1x,i6),(2x,i4),... : columns 19-25 Tnint, 26-31 Skip
                line = line.substring(0, 19) + "      -" + "     -" + line.substring(32);
                summaryNext = false;
            }
            if (line.startsWith("   N    Tit     Tnf  Tnint")) {
                summaryNext = true;
            }
            out.add(line);
        }
        return out;
    }

    static List<String> lines(String text) {
        return Arrays.stream(text.split("\n", -1))
                .map(FortranFormat::stripTrailing)
                .filter(l -> !l.isEmpty())
                .collect(Collectors.toCollection(ArrayList::new));
    }

    private static final Pattern NUMBER =
            Pattern.compile("[-+]?\\d+\\.\\d+(?:[DE][-+]\\d+|[-+]\\d{3})?|\\d+");

    static void assertSameLine(String expected, String actual, int index) {
        String where = "line " + index + "\n  expected: '" + expected + "'\n  actual:   '" + actual + "'";
        assertEquals(shape(expected), shape(actual), where);
        Matcher e = NUMBER.matcher(expected);
        Matcher a = NUMBER.matcher(actual);
        while (e.find()) {
            assertTrue(a.find(), where);
            double x = parse(e.group());
            double y = parse(a.group());
            assertTrue(Math.abs(x - y) <= NUMBER_TOLERANCE * Math.max(Math.abs(x), 1e-300) || x == y,
                    () -> where + "\n  number " + x + " vs " + y);
        }
    }

    /** The line with every digit replaced by '#': positions, signs, letters and labels stay. */
    static String shape(String line) {
        return line.replaceAll("\\d", "#");
    }

    static double parse(String s) {
        String t = s.replace('D', 'E');
        Matcher m = Pattern.compile("(.*\\d)([-+]\\d{3})$").matcher(t);
        if (!t.contains("E") && m.matches() && t.contains(".")) {
            t = m.group(1) + "E" + m.group(2); // 1.0-100: Fortran drops the letter for 3-digit exponents
        }
        return Double.parseDouble(t);
    }

    static String resource(String name, int iprint, String stream) {
        String path = "/reference/fortran-iprint/" + name + "_iprint" + iprint + "." + stream;
        try (InputStream in = LbfgsbLogTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("test resource not found: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- levels and the logger ----

    @Test
    void nothingIsLoggedByDefault() {
        ReferenceCase c = ReferenceData.load().caseNamed("rosen2d_standard");
        CapturingLogger logger = new CapturingLogger(System.Logger.Level.ALL);
        run(c, LbfgsbOptions.builder().logger(logger));
        assertEquals(List.of(), logger.records);
    }

    @Test
    void aDisabledLoggerCostsNoFormatting() {
        ReferenceCase c = ReferenceData.load().caseNamed("rosen2d_standard");
        CapturingLogger logger = new CapturingLogger(System.Logger.Level.WARNING);
        run(c, LbfgsbOptions.builder().logging(LbfgsbOptions.LogLevel.FULL).logger(logger));
        assertEquals(List.of(), logger.records, "INFO records are not even built when INFO is off");
    }

    @Test
    void everyRecordIsInfo() {
        ReferenceCase c = ReferenceData.load().caseNamed("rosen2d_maxls1");
        CapturingLogger logger = new CapturingLogger(System.Logger.Level.ALL);
        run(c, LbfgsbOptions.builder().logging(LbfgsbOptions.LogLevel.DETAILED).logger(logger));
        assertTrue(logger.levels.stream().allMatch(l -> l == System.Logger.Level.INFO), logger.levels::toString);
    }

    @Test
    void logEveryPrintsEveryKthIterate() {
        ReferenceCase c = ReferenceData.load().caseNamed("rosen2d_standard");
        CapturingLogger logger = new CapturingLogger(System.Logger.Level.INFO);
        LbfgsbResult r = run(c, LbfgsbOptions.builder().logging(LbfgsbOptions.LogLevel.ITERATIONS).logEvery(7)
                .logger(logger));
        List<Long> logged = new ArrayList<>();
        for (String rec : logger.records) {
            Matcher m = Pattern.compile("^At iterate\\s+(\\d+)").matcher(rec);
            if (m.find()) {
                logged.add(Long.parseLong(m.group(1)));
            }
        }
        List<Long> expected = new ArrayList<>();
        for (long k = 0; k <= r.iterations(); k += 7) {
            expected.add(k);
        }
        assertEquals(expected, logged);
    }

    @Test
    void iprintMapsToTheLevels() {
        assertEquals(LbfgsbOptions.LogLevel.NONE, LbfgsbOptions.builder().iprint(-1).build().logging());
        assertEquals(LbfgsbOptions.LogLevel.SUMMARY, LbfgsbOptions.builder().iprint(0).build().logging());
        LbfgsbOptions every = LbfgsbOptions.builder().iprint(25).build();
        assertEquals(LbfgsbOptions.LogLevel.ITERATIONS, every.logging());
        assertEquals(25, every.logEvery());
        assertEquals(LbfgsbOptions.LogLevel.DETAILED, LbfgsbOptions.builder().iprint(99).build().logging());
        assertEquals(LbfgsbOptions.LogLevel.FULL, LbfgsbOptions.builder().iprint(100).build().logging());
        assertEquals(LbfgsbOptions.LogLevel.FULL, LbfgsbOptions.builder().iprint(101).build().logging());
        assertEquals(-1, LbfgsbOptions.LogLevel.NONE.iprint());
        assertEquals(101, LbfgsbOptions.LogLevel.FULL.iprint());
    }

    @Test
    void theDefaultLoggerIsOrgLbfgsb4j() {
        assertEquals("org.lbfgsb4j", LbfgsbOptions.defaults().logger().getName());
        assertEquals(LbfgsbOptions.LOGGER_NAME, LbfgsbOptions.defaults().logger().getName());
    }

    @Test
    void theNativeDrivenLoopLogsTheSameLines() {
        ReferenceCase c = ReferenceData.load().caseNamed("driver1");
        CapturingLogger java = new CapturingLogger(System.Logger.Level.INFO);
        run(c, LbfgsbOptions.builder().iprint(101).logger(java));
        CapturingLogger nat = new CapturingLogger(System.Logger.Level.INFO);
        Lbfgsb.minimize(NativeObjective.callback(c.objective()), c.x0(), Bounds.of(c.lower(), c.upper()),
                c.options().applyTo(LbfgsbOptions.builder().iprint(101).logger(nat)).build());
        assertEquals(java.records, nat.records);
    }

    // ---- Fortran number formats ----

    @Test
    void dEditingMatchesGfortran() {
        assertEquals(" 3.46000D+03", FortranFormat.d(3460, 12, 5));
        assertEquals(" 2.220D-16", FortranFormat.d(2.220446049250313e-16, 10, 3));
        assertEquals(" 0.00000D+00", FortranFormat.d(0.0, 12, 5));
        assertEquals("-0.00000D+00", FortranFormat.d(-0.0, 12, 5));
        assertEquals(" 1.00000D+00", FortranFormat.d(0.9999996, 12, 5), "rounding carries into the exponent");
        assertEquals("-1.2000D+00", FortranFormat.d(-1.2, 11, 4));
        assertEquals(" 1.00000+100", FortranFormat.d(1e100, 12, 5), "3-digit exponents drop the letter");
        assertEquals(" 2.50000-123", FortranFormat.d(2.5e-123, 12, 5));
        assertEquals("         NaN", FortranFormat.d(Double.NaN, 12, 5));
        assertEquals("    Infinity", FortranFormat.d(Double.POSITIVE_INFINITY, 12, 5));
        assertEquals("   -Infinity", FortranFormat.d(Double.NEGATIVE_INFINITY, 12, 5));
        assertEquals("**********", FortranFormat.d(1e300, 10, 5), "too wide: asterisks");
        assertEquals(" 5.000D-01", FortranFormat.d(0.5, 10, 3));
        assertEquals(" 1.250D-01", FortranFormat.d(0.125, 10, 3));
        assertEquals(" 1.200D-01", FortranFormat.d(0.1199999999999999, 10, 3));
    }

    @Test
    void listDirectedOutputMatchesGfortran() {
        // Lines from SciPy 1.13.1's output (gfortran: integers in 11 columns, reals as 1PG25.17E3).
        assertEquals(" N =            2     M =           10",
                new FortranFormat.ListDirected().text("N = ").integer(2).text("    M = ").integer(10).toString());
        assertEquals("  F =   2.8076498222102881E-012",
                new FortranFormat.ListDirected().text(" F =").real(2.8076498222102881E-012).toString());
        assertEquals("  F =   24.199999999999996",
                new FortranFormat.ListDirected().text(" F =").real(24.199999999999996).toString());
        assertEquals("  F =  0.32644918785807292",
                new FortranFormat.ListDirected().text(" F =").real(0.32644918785807292).toString());
        assertEquals(" LINE SEARCH           1  times; norm of step =   0.19721409406782409",
                new FortranFormat.ListDirected().text("LINE SEARCH").integer(1).text(" times; norm of step = ")
                        .real(0.19721409406782409).toString());
        assertEquals(" LINE SEARCH           0  times; norm of step =    1.1419036835204578E-002",
                new FortranFormat.ListDirected().text("LINE SEARCH").integer(0).text(" times; norm of step = ")
                        .real(1.1419036835204578E-002).toString());
        assertEquals("   0.0000000000000000     ", FortranFormat.listReal(0.0).replaceFirst("^", " "));
        assertEquals("   1.0000000000000000     ", " " + FortranFormat.listReal(1.0));
        assertEquals("  -1.0000000000000000E+100", " " + FortranFormat.listReal(-1e100));
    }

    @Test
    void vectorsAreSixPerLine() {
        assertEquals(" X = -1.2000D+00  1.0000D+00", FortranFormat.vector("X =", i -> i == 0 ? -1.2 : 1.0, 2));
        assertEquals("X0 =  1.0000D+00  2.0000D+00  3.0000D+00  4.0000D+00  5.0000D+00  6.0000D+00\n"
                + "      7.0000D+00", FortranFormat.vector("X0 =", i -> i + 1, 7));
    }
}
