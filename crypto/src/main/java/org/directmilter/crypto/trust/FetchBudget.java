package org.directmilter.crypto.trust;

import java.time.Duration;

/**
 * The time all network fetches for one validation (or one message) may take together. Once spent,
 * further fetches are not attempted and their results count as unknown.
 */
public final class FetchBudget {

    private final long deadline;
    private final Duration total;

    private FetchBudget(Duration total) {
        this.total = total;
        this.deadline = System.nanoTime() + total.toNanos();
    }

    public static FetchBudget of(Duration total) {
        return new FetchBudget(total);
    }

    public Duration remaining() {
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    public boolean exhausted() {
        return remaining().isZero();
    }

    public Duration total() {
        return total;
    }
}
