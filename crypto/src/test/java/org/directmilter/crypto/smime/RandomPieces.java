package org.directmilter.crypto.smime;

import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

/** Hands out its bytes a random few at a time, as a socket or a decrypting stream may, so reads straddle blocks and lines. */
final class RandomPieces extends InputStream {
    private final byte[] bytes;
    private final Random random;
    private final int maxPiece;
    private int pos;

    RandomPieces(byte[] bytes, Random random, int maxPiece) {
        this.bytes = Arrays.copyOf(bytes, bytes.length);
        this.random = random;
        this.maxPiece = maxPiece;
    }

    @Override
    public int read() {
        return pos < bytes.length ? bytes[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos >= bytes.length) {
            return -1;
        }
        int n = Math.min(Math.min(len, 1 + random.nextInt(maxPiece)), bytes.length - pos);
        System.arraycopy(bytes, pos, b, off, n);
        pos += n;
        return n;
    }
}
