package org.directmilter.crypto.smime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Canonical line endings (RFC 5751 §3.1.1): every bare LF and every bare CR becomes CRLF; CRLF passes
 * unchanged. What is signed must be canonical, or a receiver that canonicalises will compute another
 * digest: {@code openssl cms -verify} in its default text mode strips every CR before a line end and a
 * CR at the very end, so {@code "a\r\r\n"} or a final bare CR would verify only with {@code -binary}.
 * With no bare CR left, the text and the binary form are the same bytes.
 *
 * <p>A CR at the end of one write may be the first half of a CRLF: it is held until the next byte, and
 * {@link #finish} writes it out as CRLF when nothing follows.
 */
final class CrlfOutputStream extends FilterOutputStream {

    private static final byte[] CRLF = {'\r', '\n'};
    private boolean pendingCr;

    CrlfOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (pendingCr) {
                // the CR held back from the previous write; start == i here
                pendingCr = false;
                out.write(CRLF);
                if (c == '\n') {
                    start = i + 1;
                    continue;
                }
            }
            if (c == '\r') {
                if (i + 1 == end) {
                    out.write(b, start, i - start);
                    pendingCr = true;
                    start = end;
                } else if (b[i + 1] == '\n') {
                    i++; // CRLF: passes as it is
                } else {
                    out.write(b, start, i + 1 - start);
                    out.write('\n');
                    start = i + 1;
                }
            } else if (c == '\n') {
                out.write(b, start, i - start);
                out.write(CRLF);
                start = i + 1;
            }
        }
        out.write(b, start, end - start);
    }

    /** The content is complete: a CR held back is a bare CR at the end, written as CRLF. Does not close. */
    void finish() throws IOException {
        if (pendingCr) {
            pendingCr = false;
            out.write(CRLF);
        }
    }

    @Override
    public void close() throws IOException {
        finish();
        super.close();
    }
}
