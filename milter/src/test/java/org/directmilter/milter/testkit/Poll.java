package org.directmilter.milter.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline: tests synchronise on state, never on a bare sleep. The
 * deadline only bounds a failing test; a passing one returns as soon as the condition holds.
 */
public final class Poll {

    /** Long enough for a loaded CI machine; what unit tests wait at most for in-process state. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final long INTERVAL_MILLIS = 10;

    private Poll() {
    }

    /** Polls {@code condition} for up to {@link #DEFAULT_TIMEOUT}; fails naming {@code what}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_TIMEOUT, condition, () -> "");
    }

    /**
     * Polls {@code condition} until it holds; on timeout fails with {@code what} and the
     * diagnostics (a log tail, a process state) evaluated at that moment.
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "\n" + diagnostics.get());
            }
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /**
     * Like {@link #until(String, Duration, BooleanSupplier, Supplier)}, but reports a timeout as
     * false instead of failing: for a shutdown that escalates (SIGTERM, then SIGKILL) when polite
     * waiting did not work.
     */
    public static boolean within(Duration timeout, BooleanSupplier condition) {
        try {
            until("", timeout, condition, () -> "");
            return true;
        } catch (AssertionError e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            return false;
        }
    }
}
