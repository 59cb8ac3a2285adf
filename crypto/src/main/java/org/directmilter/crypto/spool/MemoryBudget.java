package org.directmilter.crypto.spool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of heap that message data may take across all connections together. Reservations that do not
 * fit are refused, never waited for: a spool then moves to its file, a frame reader refuses the frame.
 * Memory use is then bounded by configuration, not by how many peers announce how much.
 */
public final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    private MemoryBudget(long limit) {
        this.limit = limit;
    }

    /** @param bytes the most that may be reserved at once; at least 0 */
    public static MemoryBudget of(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("a memory budget cannot be negative: " + bytes);
        }
        return new MemoryBudget(bytes);
    }

    /** A budget that never refuses: for tools and tests where nothing is shared. */
    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE);
    }

    /** Reserves {@code bytes} if they fit; the caller releases exactly what it reserved. */
    public boolean tryReserve(long bytes) {
        if (bytes <= 0) {
            return true;
        }
        long now;
        do {
            now = used.get();
            if (bytes > limit - now) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    public void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
