package org.directmilter.crypto.smime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A message held in memory or in a private temporary file: read it as often as needed, then close it
 * (which deletes the file).
 */
public final class SpooledMessage implements AutoCloseable {

    private final Spool spool;
    private final long from;
    private final long to;

    SpooledMessage(Spool spool, long from, long to) {
        this.spool = spool;
        this.from = from;
        this.to = to;
    }

    public long size() {
        return to - from;
    }

    /** True when the bytes live in a temporary file rather than on the heap. */
    public boolean onDisk() {
        return !spool.inMemory();
    }

    public InputStream openStream() {
        return spool.open(from, to);
    }

    public void writeTo(OutputStream out) throws IOException {
        try (InputStream in = openStream()) {
            in.transferTo(out);
        }
    }

    /** The whole message on the heap; for small messages and tests. */
    public byte[] toByteArray() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size(), Integer.MAX_VALUE - 8));
        writeTo(out);
        return out.toByteArray();
    }

    @Override
    public void close() {
        spool.close();
    }
}
