package org.directmilter.milter.session;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.directmilter.crypto.spool.MemoryBudget;
import org.directmilter.crypto.spool.Spool;

/**
 * A message body as a {@link ByteSource}: appended to while it arrives (or while a handler writes a new
 * one), read once it is complete. The bytes live in a {@link Spool}, so the same rules hold for every copy
 * of message content: memory up to a threshold and a shared budget, then a private file, deleted on close.
 */
public final class SpooledBody implements ByteSource, Closeable {
    private final Spool spool;
    private final OutputStream out;

    public SpooledBody(long threshold, Path directory) {
        this(threshold, directory, MemoryBudget.unlimited());
    }

    public SpooledBody(long threshold, Path directory, MemoryBudget budget) {
        this.spool = new Spool(threshold, directory, budget);
        this.out = spool.output();
    }

    public void append(byte[] chunk) throws IOException {
        out.write(chunk, 0, chunk.length);
    }

    /** A stream that appends to this body; closing it does not close the body. */
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }
        };
    }

    /** True once the body went to disk. */
    public boolean spooled() {
        return !spool.inMemory();
    }

    /** The first read ends appending. */
    @Override
    public InputStream openStream() {
        return spool.finishAndOpen();
    }

    @Override
    public long size() {
        return spool.size();
    }

    /** Deletes the file, if any; idempotent. */
    @Override
    public void close() {
        spool.close();
    }
}
