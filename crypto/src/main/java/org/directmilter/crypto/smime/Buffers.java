package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.InputStream;

/**
 * Buffer sizes that follow the data. A fixed 64 KB buffer in each of the half-dozen streams a message
 * passes through cost a 10 KB message about 40 times its size in allocation; sized to what the source
 * says it holds (a byte array, a spool, a file), small messages take small buffers and large ones stop at
 * a size where per-call costs no longer matter.
 */
final class Buffers {

    static final int SMALLEST = 4096;

    private Buffers() {
    }

    /** Between {@link #SMALLEST} and {@code largest}: what {@code in} says it holds, plus {@code slack}. */
    static int sizeFor(InputStream in, int slack, int largest) {
        return (int) Math.min(largest, Math.max(SMALLEST, known(in) + slack));
    }

    /** What {@code in} says it holds (its {@code available()}); 0 when it cannot tell. */
    static long known(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            return 0;
        }
    }
}
