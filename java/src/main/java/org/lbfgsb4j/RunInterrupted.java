package org.lbfgsb4j;

/**
 * Thrown by the driver's own wrappers (a {@link GradientScheme}'s differences, the native-callback
 * objective) when the time limit or the cancellation hook fires in the middle of an evaluation
 * sequence; caught by the driver, which then interrupts the native minimizer. Never reaches users.
 */
final class RunInterrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunInterrupted() {
        super("run interrupted by the time limit or the cancellation hook", null, false, false);
    }
}
