package org.directmilter.milter.session;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Bytes that can be read more than once without holding them all in memory (a body, a file). */
public interface ByteSource {

    InputStream openStream() throws IOException;

    long size();

    static ByteSource of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new ByteSource() {
            @Override
            public InputStream openStream() {
                return new ByteArrayInputStream(copy);
            }

            @Override
            public long size() {
                return copy.length;
            }
        };
    }

    /** Reads everything; for tests and small values only. */
    default byte[] readAllBytes() throws IOException {
        try (InputStream in = openStream()) {
            return in.readAllBytes();
        }
    }
}
