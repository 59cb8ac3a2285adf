package org.directmilter.crypto.smime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads with every bare LF and every bare CR turned into CRLF: the canonical form (RFC 5751 §3.1.1) a
 * sender that wrote other line ends (openssl without -binary, for one) signed, and the form
 * {@link CrlfOutputStream} writes. Used only as the second attempt after the exact bytes.
 */
final class CrlfInputStream extends FilterInputStream {

    private static final int NONE = -2;

    private boolean pendingLf;
    private int ahead = NONE;

    CrlfInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        if (pendingLf) {
            pendingLf = false;
            return '\n';
        }
        int b = ahead != NONE ? ahead : in.read();
        ahead = NONE;
        if (b == '\r') {
            int next = in.read();
            if (next != '\n') {
                ahead = next;
            }
            pendingLf = true;
        } else if (b == '\n') {
            pendingLf = true;
            return '\r';
        }
        return b;
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
