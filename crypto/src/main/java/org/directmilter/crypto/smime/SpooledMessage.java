package org.directmilter.crypto.smime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.directmilter.crypto.spool.Spool;

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

    /**
     * The message's header fields and the offset of its body (just past the empty line). A message
     * whose header block is malformed is an {@link IOException} naming the fault.
     */
    public Head head() throws IOException {
        // the spool reads a file through a buffer of its own, and memory needs none
        try (InputStream in = openStream()) {
            MimeHeaders headers = MimeHeaders.read(in);
            return new Head(headers.fields(), headers.length());
        } catch (MimeHeaders.MalformedException e) {
            throw new IOException("malformed header block: " + e.getMessage(), e);
        }
    }

    /** The bytes from {@code offset} to the end (the body, given {@link Head#bodyOffset()}). */
    public InputStream openStream(long offset) {
        if (offset < 0 || offset > size()) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside 0.." + size());
        }
        return spool.open(from + offset, to);
    }

    /** The header fields of a message and where its body starts. */
    public record Head(java.util.List<MimeHeaderField> fields, long bodyOffset) {
        public Head {
            fields = java.util.List.copyOf(fields);
        }
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
