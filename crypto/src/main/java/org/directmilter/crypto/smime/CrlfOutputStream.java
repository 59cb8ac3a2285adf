package org.directmilter.crypto.smime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Canonical line endings (RFC 5751 §3.1.1): every bare LF becomes CRLF; CRLF passes unchanged. What
 * is signed must be canonical, or a receiver that canonicalises will compute another digest.
 */
final class CrlfOutputStream extends FilterOutputStream {

    private static final byte[] CRLF = {'\r', '\n'};
    private int previous = -1;

    CrlfOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (b == '\n' && previous != '\r') {
            out.write(CRLF);
        } else {
            out.write(b);
        }
        previous = b & 0xff;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n' && (i > off ? b[i - 1] : previous) != '\r') {
                out.write(b, start, i - start);
                out.write(CRLF);
                start = i + 1;
            }
        }
        out.write(b, start, end - start);
        if (len > 0) {
            previous = b[end - 1] & 0xff;
        }
    }
}
