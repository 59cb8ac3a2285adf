package org.directmilter.milter.server;

import java.util.concurrent.CountDownLatch;

/** Waiting that an interrupt cannot cut short; the interrupt is kept for the caller to see afterwards. */
public final class Uninterruptibly {

    private Uninterruptibly() {
    }

    /** Blocks until {@code latch} reaches zero, then restores the interrupt flag if one arrived meanwhile. */
    public static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
