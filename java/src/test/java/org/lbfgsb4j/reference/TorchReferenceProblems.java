package org.lbfgsb4j.reference;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.DoubleBuffer;
import org.lbfgsb4j.LbfgsOptimizer;

/**
 * Java twins of the objectives in {@code benchmarks/torch/torch_problems.py}, as
 * {@link LbfgsOptimizer.Closure}s.
 *
 * <p>Each performs exactly the floating-point operations of its Python counterpart, in the same
 * order, so f and g are bit-identical for the same x ({@code LbfgsOptimizerReferenceTest} proves it on the
 * JSON's {@code objective_checks}): sequential left-to-right sums, squares as {@code t * t},
 * {@link StrictMath#exp}/{@link StrictMath#log} (fdlibm, re-implemented bit for bit in Python),
 * {@link Math#sqrt} (correctly rounded on both sides) and tanh defined as
 * {@code 1 - 2 / (exp(2a) + 1)} on both sides. Buffer access is absolute; x is never written.
 */
public final class TorchReferenceProblems {
    private TorchReferenceProblems() {}

    /** The objective of problem {@code problem} with data {@code data} (a node of the JSON's {@code data}, or null). */
    public static LbfgsOptimizer.Closure closure(String problem, JsonNode data) {
        switch (problem) {
            case "rosenbrock":
                return TorchReferenceProblems::rosenbrock;
            case "quadratic": {
                double[] a = doubles(data.get("a"));
                double[] c = doubles(data.get("c"));
                return (x, g) -> quadratic(x, g, a, c);
            }
            case "logistic": {
                double[][] features = matrix(data.get("X"));
                double[] labels = doubles(data.get("y"));
                double lambda = data.get("lambda").doubleValue();
                return (x, g) -> logistic(x, g, features, labels, lambda);
            }
            case "mlp": {
                double[][] inputs = matrix(data.get("inputs"));
                double[] targets = doubles(data.get("targets"));
                int hidden = data.get("hidden").intValue();
                return (x, g) -> mlp(x, g, inputs, targets, hidden);
            }
            case "pseudo_huber": {
                double k = data.get("k").doubleValue();
                double[] c = doubles(data.get("c"));
                return (x, g) -> pseudoHuber(x, g, k, c);
            }
            case "cliff": {
                double edge = data.get("edge").doubleValue();
                double wall = data.get("wall").doubleValue();
                return (x, g) -> cliff(x, g, edge, wall);
            }
            default:
                throw new IllegalArgumentException("unknown torch reference problem " + problem);
        }
    }

    /** f = (1 - x0)^2 + 100 (x1 - x0^2)^2. */
    public static double rosenbrock(DoubleBuffer x, DoubleBuffer g) {
        double x0 = x.get(0);
        double x1 = x.get(1);
        double a = 1.0 - x0;
        double b = x1 - x0 * x0;
        double f = a * a + 100.0 * (b * b);
        g.put(0, -2.0 * a - 400.0 * x0 * b);
        g.put(1, 200.0 * b);
        return f;
    }

    /** f = sum a_i (x_i - c_i)^2. */
    static double quadratic(DoubleBuffer x, DoubleBuffer g, double[] a, double[] c) {
        double f = 0.0;
        for (int i = 0; i < a.length; i++) {
            double r = x.get(i) - c[i];
            f = f + a[i] * (r * r);
            g.put(i, 2.0 * a[i] * r);
        }
        return f;
    }

    private static double softplus(double m) {
        if (m > 0.0) {
            return m + StrictMath.log(1.0 + StrictMath.exp(-m));
        }
        return StrictMath.log(1.0 + StrictMath.exp(m));
    }

    private static double sigmoid(double m) {
        if (m > 0.0) {
            return 1.0 / (1.0 + StrictMath.exp(-m));
        }
        double e = StrictMath.exp(m);
        return e / (1.0 + e);
    }

    /** L2-regularised logistic regression, x = (w, b), labels in {-1, 1}. */
    static double logistic(DoubleBuffer x, DoubleBuffer g, double[][] features, double[] labels, double lambda) {
        int rows = features.length;
        int p = features[0].length;
        double invN = 1.0 / rows;
        double f = 0.0;
        double[] grad = new double[p + 1];
        for (int i = 0; i < rows; i++) {
            double[] row = features[i];
            double z = x.get(p);
            for (int j = 0; j < p; j++) {
                z = z + x.get(j) * row[j];
            }
            double m = -labels[i] * z;
            f = f + softplus(m);
            double c = -labels[i] * sigmoid(m) * invN;
            for (int j = 0; j < p; j++) {
                grad[j] = grad[j] + c * row[j];
            }
            grad[p] = grad[p] + c;
        }
        f = f * invN;
        double reg = 0.0;
        for (int j = 0; j < p; j++) {
            double w = x.get(j);
            reg = reg + w * w;
            grad[j] = grad[j] + lambda * w;
        }
        f = f + 0.5 * lambda * reg;
        g.put(0, grad);
        return f;
    }

    /** 1 - 2 / (exp(2a) + 1), the definition shared with the Python twin. */
    static double tanh(double a) {
        return 1.0 - 2.0 / (StrictMath.exp(2.0 * a) + 1.0);
    }

    /**
     * Two-layer tanh network, mean squared error; x = (W1 row-major [hidden x inputs], b1, W2, b2).
     * The layout lets a list of four buffers (W1, b1, W2, b2) hold the same parameters.
     */
    static double mlp(DoubleBuffer x, DoubleBuffer g, double[][] inputs, double[] targets, int hidden) {
        int rows = inputs.length;
        int p = inputs[0].length;
        int oB1 = hidden * p;
        int oW2 = oB1 + hidden;
        int oB2 = oW2 + hidden;
        double invN = 1.0 / rows;
        double f = 0.0;
        double[] grad = new double[oB2 + 1];
        double[] h = new double[hidden];
        for (int i = 0; i < rows; i++) {
            double[] u = inputs[i];
            double out = x.get(oB2);
            for (int j = 0; j < hidden; j++) {
                double a = x.get(oB1 + j);
                for (int k = 0; k < p; k++) {
                    a = a + x.get(j * p + k) * u[k];
                }
                h[j] = tanh(a);
                out = out + x.get(oW2 + j) * h[j];
            }
            double r = out - targets[i];
            f = f + r * r;
            double dout = 2.0 * r * invN;
            grad[oB2] = grad[oB2] + dout;
            for (int j = 0; j < hidden; j++) {
                grad[oW2 + j] = grad[oW2 + j] + dout * h[j];
                double da = dout * x.get(oW2 + j) * (1.0 - h[j] * h[j]);
                grad[oB1 + j] = grad[oB1 + j] + da;
                for (int k = 0; k < p; k++) {
                    grad[j * p + k] = grad[j * p + k] + da * u[k];
                }
            }
        }
        f = f * invN;
        g.put(0, grad);
        return f;
    }

    /** f = sum sqrt(1 + k (x_i - c_i)^2). */
    static double pseudoHuber(DoubleBuffer x, DoubleBuffer g, double k, double[] c) {
        double f = 0.0;
        for (int i = 0; i < c.length; i++) {
            double r = x.get(i) - c[i];
            double s = Math.sqrt(1.0 + k * (r * r));
            f = f + s;
            g.put(i, k * r / s);
        }
        return f;
    }

    /** One variable: f = -z up to z = edge, {@code wall} beyond; g = -1 everywhere. */
    static double cliff(DoubleBuffer x, DoubleBuffer g, double edge, double wall) {
        double z = x.get(0);
        g.put(0, -1.0);
        return z <= edge ? -z : wall;
    }

    static double[] doubles(JsonNode array) {
        return ReferenceData.doubles(array);
    }

    static double[][] matrix(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = doubles(rows.get(i));
        }
        return out;
    }
}
