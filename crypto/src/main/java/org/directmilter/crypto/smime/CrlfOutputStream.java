package org.directmilter.crypto.smime;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Canonical line endings (RFC 5751 §3.1.1), in the form every receiver computes the same: a line end is
 * an LF with any CRs just before it, and it becomes one CRLF; CRs at the very end become one CRLF; a CR
 * inside a line stays as it is.
 *
 * <p>Why the CRs before a line end go: {@code openssl cms -verify} in its default text mode strips them
 * (and a final CR) before digesting, so {@code "a\r\r\n"} signed as it was verified only with
 * {@code -binary}. After this, the text form and the binary form are the same bytes. A CR inside a line
 * is kept rather than made a line end, because in a header field that would split it in two.
 *
 * <p>CRs at the end of one write may belong to a line end that comes with the next: they are held, and
 * {@link #finish} writes them out as CRLF when nothing follows.
 */
final class CrlfOutputStream extends FilterOutputStream {

    private static final byte[] CRLF = {'\r', '\n'};
    private int heldCrs;

    CrlfOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /**
     * Text already in canonical form (CRLF line ends) goes on in one piece: only a change — a bare LF, CRs
     * before a line end, CRs at the end of this write — breaks the run (each write below is a call into a
     * synchronized buffered stream, once per line it was 3).
     */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int i = off;
        if (heldCrs > 0 && i < end) {
            while (i < end && b[i] == '\r') {
                heldCrs++;
                i++;
            }
            if (i == end) {
                return;
            }
            if (b[i] == '\n') {
                heldCrs = 0;
                out.write(CRLF);
                i++;
            } else {
                writeHeldCrs(); // CRs inside a line: as they were
            }
        }
        int start = i;
        while (i < end) {
            byte c = b[i];
            if (c == '\n') { // a bare LF: CRs before it are handled below
                out.write(b, start, i - start);
                out.write(CRLF);
                start = ++i;
            } else if (c == '\r') {
                int crs = i;
                while (crs < end && b[crs] == '\r') {
                    crs++;
                }
                if (crs == end) { // they may belong to a line end that comes with the next write
                    out.write(b, start, i - start);
                    heldCrs = crs - i;
                    return;
                }
                if (b[crs] == '\n' && crs - i > 1) { // CRs before a line end: one CRLF
                    out.write(b, start, i - start);
                    out.write(CRLF);
                    start = crs + 1;
                }
                // one CR then LF is a line end as it should be, and CRs inside a line stay: the run goes on
                i = b[crs] == '\n' ? crs + 1 : crs;
            } else {
                i++;
            }
        }
        out.write(b, start, end - start);
    }

    private void writeHeldCrs() throws IOException {
        for (; heldCrs > 0; heldCrs--) {
            out.write('\r');
        }
    }

    /** The content is complete: CRs held at the very end are one line end, written as CRLF. Does not close. */
    void finish() throws IOException {
        if (heldCrs > 0) {
            heldCrs = 0;
            out.write(CRLF);
        }
    }

    @Override
    public void close() throws IOException {
        finish();
        super.close();
    }
}
