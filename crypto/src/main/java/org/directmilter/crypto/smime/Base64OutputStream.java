package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Encodes to MIME base64 (RFC 2045 §6.8: lines of 76 characters, CRLF between them, none after the last)
 * as the bytes stream past, {@link #LINES} lines at a time.
 *
 * <p>Why not {@code Base64.getMimeEncoder(76, CRLF).wrap(out)}: the JDK 17 stream encoder hands each
 * character to the next stream in a {@code write(int)} call of its own, which took about a tenth of the
 * daemon's CPU through Postfix (a flight recording, docs/milter-daemon.md). This one collects whole lines of
 * input and encodes them with one {@link Base64.Encoder#encode(byte[], byte[])} call. Its output is the JDK
 * stream's, byte for byte (a test compares them); like it, {@link #close()} pads the last quantum and
 * closes the stream below, and {@link #flush()} does not end a line.
 */
final class Base64OutputStream extends OutputStream {
    private static final int LINE_INPUT = 57; // 76 characters
    private static final int LINES = 64;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final Base64.Encoder MIME = Base64.getMimeEncoder(76, CRLF);

    private final OutputStream out;
    private final byte[] input = new byte[LINE_INPUT * LINES];
    private final byte[] encoded = new byte[LINES * (76 + CRLF.length)];
    private int filled;
    private boolean linesWritten;
    private boolean closed;

    Base64OutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("Stream is closed");
        }
        while (len > 0) {
            int n = Math.min(len, input.length - filled);
            System.arraycopy(b, off, input, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == input.length) {
                encode(input);
                filled = 0;
            }
        }
    }

    /** Whole lines of input: the line separator between this block and the one before is ours to write. */
    private void encode(byte[] block) throws IOException {
        if (linesWritten) {
            out.write(CRLF);
        }
        out.write(encoded, 0, MIME.encode(block, encoded));
        linesWritten = true;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (filled > 0) {
            encode(Arrays.copyOf(input, filled));
            filled = 0;
        }
        out.close();
    }
}
