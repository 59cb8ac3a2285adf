package org.directmilter.crypto.smime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads with every bare LF turned into CRLF: the canonical form a sender that wrote LF line ends
 * (openssl without -binary, for one) signed. Used only as the second attempt after the exact bytes.
 */
final class CrlfInputStream extends FilterInputStream {

    private int previous = -1;
    private boolean pendingLf;

    CrlfInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        if (pendingLf) {
            pendingLf = false;
            previous = '\n';
            return '\n';
        }
        int b = in.read();
        if (b == '\n' && previous != '\r') {
            pendingLf = true;
            previous = '\r';
            return '\r';
        }
        previous = b;
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
            if (!pendingLf && in.available() == 0 && count > 0) {
                break;
            }
        }
        return count;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
