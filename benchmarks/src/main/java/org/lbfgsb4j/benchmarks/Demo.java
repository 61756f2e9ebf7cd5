package org.lbfgsb4j.benchmarks;

import org.lbfgsb4j.internal.NativeSession;

/**
 * Placeholder demo (the real one replaces it): proves the shaded jar loads the native library
 * with no LD_LIBRARY_PATH by creating a session of n = 1,000,000.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) {
        try (NativeSession session = new NativeSession(1_000_000)) {
            System.out.println("lbfgsb4j native session created: n = " + session.size());
        }
    }
}
