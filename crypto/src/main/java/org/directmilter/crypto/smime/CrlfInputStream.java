package org.directmilter.crypto.smime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads in the canonical form {@link CrlfOutputStream} writes: an LF with any CRs just before it, or CRs
 * at the very end, become one CRLF; a CR inside a line stays. The form a sender that wrote other line
 * ends (openssl without -binary, for one) signed. Used only as the second attempt after the exact bytes.
 */
final class CrlfInputStream extends FilterInputStream {

    private static final int NONE = -2;

    private int queuedCrs;
    private int queued = NONE;

    CrlfInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        if (queuedCrs > 0) {
            queuedCrs--;
            return '\r';
        }
        if (queued != NONE) {
            int b = queued;
            queued = NONE;
            return b;
        }
        int b = in.read();
        if (b == '\n') {
            queued = '\n';
            return '\r';
        }
        if (b != '\r') {
            return b;
        }
        int crs = 1;
        int next;
        while ((next = in.read()) == '\r') {
            crs++;
        }
        if (next == '\n' || next < 0) {
            queued = '\n'; // a line end, or CRs at the very end: one CRLF
        } else {
            queuedCrs = crs - 1; // CRs inside a line: as they were
            queued = next;
        }
        return '\r';
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int count = 0;
        while (count < len) {
            int c = read();
            if (c < 0) {
                return count == 0 ? -1 : count;
            }
            b[off + count++] = (byte) c;
        }
        return count;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
