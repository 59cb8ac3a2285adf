package org.directmilter.crypto.smime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's message stream, with its read failures marked: parsers wrap every {@link IOException}
 * they meet, and a failure to read the caller's stream is the caller's problem, never a verdict on the
 * message (see {@link Rejection#rethrowOwn}).
 */
final class CallerInputStream extends FilterInputStream {

    CallerInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return in.read();
        } catch (IOException e) {
            throw new Failed(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw new Failed(e);
        }
    }

    /** A read of the caller's stream failed with {@link #original()}. */
    static final class Failed extends IOException {
        private static final long serialVersionUID = 1L;

        Failed(IOException original) {
            super(original);
        }

        IOException original() {
            return (IOException) getCause();
        }
    }
}
