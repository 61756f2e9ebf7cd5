package org.lbfgsb4j;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The Fortran edit descriptors the L-BFGS-B 3.0 print routines use (prn1lb, prn2lb, prn3lb and
 * mainlb's formats, as SciPy &le; 1.14 compiled them with gfortran), so the log reads exactly as
 * SciPy's {@code iprint} output did.
 *
 * <ul>
 *   <li>{@code 1P,Dw.d} / {@code 1P,Ew.d}: one digit before the point, d after, exponent
 *       {@code D+dd} (or {@code +ddd} without the letter when |exponent| &gt; 99), right-justified
 *       in w; asterisks when it does not fit.
 *   <li>{@code Iw}: right-justified integer.
 *   <li>List-directed output ({@code write (6,*)}): a blank before the first item, a blank separator
 *       between items unless both are character strings, integers in 11 columns and reals as
 *       {@code 1PG25.17E3} (17 significant digits: F editing for 0.1 &le; |v| &lt; 10^17 followed
 *       by 5 blanks, E editing with a 3-digit exponent otherwise), gfortran's choice for REAL(8).
 * </ul>
 *
 * <p>Decimal rounding is round-half-even on the exact binary value, as glibc's printf (behind
 * gfortran's formatted output) does.
 */
final class FortranFormat {
    private FortranFormat() {}

    /** {@code 1P,Dw.d}. */
    static String d(double v, int w, int d) {
        return scientific(v, w, d, 'D');
    }

    /** {@code 1P,Ew.d}. */
    static String e(double v, int w, int d) {
        return scientific(v, w, d, 'E');
    }

    /** {@code Iw}. */
    static String i(long v, int w) {
        return fit(Long.toString(v), w);
    }

    private static String scientific(double v, int w, int d, char letter) {
        String body;
        if (Double.isNaN(v)) {
            body = "NaN";
        } else if (Double.isInfinite(v)) {
            body = infinity(v, w);
        } else {
            boolean negative = (Double.doubleToRawLongBits(v) < 0);
            int exponent;
            String digits; // d + 1 significant digits
            if (v == 0) {
                exponent = 0;
                digits = "0".repeat(d + 1);
            } else {
                BigDecimal r = new BigDecimal(Math.abs(v)).round(new MathContext(d + 1, RoundingMode.HALF_EVEN));
                digits = r.unscaledValue().toString();
                // unscaledValue may have fewer digits than the precision (e.g. 1E+3): pad.
                exponent = digits.length() - 1 - r.scale();
                if (digits.length() < d + 1) {
                    digits = digits + "0".repeat(d + 1 - digits.length());
                }
            }
            StringBuilder b = new StringBuilder();
            if (negative) {
                b.append('-');
            }
            b.append(digits.charAt(0)).append('.').append(digits, 1, d + 1);
            int a = Math.abs(exponent);
            String sign = exponent < 0 ? "-" : "+";
            if (a <= 99) {
                b.append(letter).append(sign).append(a < 10 ? "0" : "").append(a);
            } else if (a <= 999) {
                b.append(sign).append(a);
            } else {
                return "*".repeat(w);
            }
            body = b.toString();
        }
        return fit(body, w);
    }

    private static String infinity(double v, int w) {
        String sign = v < 0 ? "-" : "";
        int room = w - sign.length();
        return sign + (room >= 8 ? "Infinity" : "Inf");
    }

    /** Right-justifies in w columns, or w asterisks when it does not fit. */
    private static String fit(String s, int w) {
        if (s.length() > w) {
            return "*".repeat(w);
        }
        return " ".repeat(w - s.length()) + s;
    }

    /** The {@code 1PG25.17E3} field of a list-directed REAL(8), trailing blanks included. */
    static String listReal(double v) {
        final int w = 25;
        final int d = 17;
        if (Double.isNaN(v)) {
            return fit("NaN", w);
        }
        if (Double.isInfinite(v)) {
            return fit(infinity(v, w), w);
        }
        boolean negative = Double.doubleToRawLongBits(v) < 0;
        String sign = negative ? "-" : "";
        if (v == 0) {
            return fit(sign + "0." + "0".repeat(d - 1), w - 5) + "     ";
        }
        BigDecimal r = new BigDecimal(Math.abs(v)).round(new MathContext(d, RoundingMode.HALF_EVEN));
        String digits = r.unscaledValue().toString();
        int exponent = digits.length() - 1 - r.scale(); // value = 0.d1d2... * 10^(exponent + 1)
        if (digits.length() < d) {
            digits = digits + "0".repeat(d - digits.length());
        }
        if (exponent >= -1 && exponent < d) {
            // F editing: d significant digits, exponent + 1 of them before the point.
            String body;
            if (exponent == -1) {
                body = "0." + digits;
            } else {
                body = digits.substring(0, exponent + 1) + "." + digits.substring(exponent + 1);
            }
            return fit(sign + body, w - 5) + "     ";
        }
        int a = Math.abs(exponent);
        String e = (exponent < 0 ? "-" : "+") + (a < 10 ? "00" : a < 100 ? "0" : "") + a;
        return fit(sign + digits.charAt(0) + "." + digits.substring(1) + "E" + e, w);
    }

    /** A record of list-directed output ({@code write (6,*) item, item, ...}). */
    static final class ListDirected {
        private final StringBuilder b = new StringBuilder();
        private boolean first = true;
        private boolean lastWasCharacter;

        ListDirected text(String s) {
            separate(true);
            b.append(s);
            return this;
        }

        ListDirected integer(long v) {
            separate(false);
            b.append(fit(Long.toString(v), 11));
            return this;
        }

        ListDirected real(double v) {
            separate(false);
            b.append(listReal(v));
            return this;
        }

        private void separate(boolean character) {
            if (first) {
                b.append(' ');
                first = false;
            } else if (!(character && lastWasCharacter)) {
                b.append(' ');
            }
            lastWasCharacter = character;
        }

        @Override
        public String toString() {
            return stripTrailing(b.toString());
        }
    }

    /** The line without trailing blanks (a log record does not keep Fortran's padding). */
    static String stripTrailing(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * Format 1004 of the print routines, {@code (/,a4, 1p, 6(1x,d11.4),/,(4x,1p,6(1x,d11.4)))}:
     * the label right-justified in 4 columns ({@code " X ="}, {@code "X0 ="}), then 6 values per
     * line, continuation lines indented by 4. The leading empty line of the format is left out.
     */
    static String vector(String label, java.util.function.IntToDoubleFunction values, int n) {
        StringBuilder b = new StringBuilder();
        b.append(fit(label, 4)); // A4: right-justified
        for (int i = 0; i < n; i++) {
            if (i > 0 && i % 6 == 0) {
                b.append('\n').append("    ");
            }
            b.append(' ').append(d(values.applyAsDouble(i), 11, 4));
        }
        return b.toString();
    }
}
