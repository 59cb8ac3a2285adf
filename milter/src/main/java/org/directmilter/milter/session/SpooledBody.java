package org.directmilter.milter.session;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A message body that stays in memory up to a threshold and moves to a private temporary file
 * (mode 0600, deleted on close) beyond it, so memory does not grow with message size.
 */
public final class SpooledBody implements ByteSource, Closeable {
    private final long threshold;
    private final Path directory;
    private Buffer memory = new Buffer();
    private Path file;
    private OutputStream fileOut;
    private long size;

    public SpooledBody(long threshold, Path directory) {
        this.threshold = threshold;
        this.directory = directory;
    }

    public void append(byte[] chunk) throws IOException {
        append(chunk, 0, chunk.length);
    }

    public void append(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return;
        }
        if (file == null && size + length > threshold) {
            spill();
        }
        if (file == null) {
            memory.write(bytes, offset, length);
        } else {
            fileOut.write(bytes, offset, length);
        }
        size += length;
    }

    /** A stream that appends to this body; closing it does not close the body. */
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                append(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                append(b, off, len);
            }
        };
    }

    private void spill() throws IOException {
        file = Files.createTempFile(directory, "direct-milter-body-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        fileOut = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 1 << 16);
        memory.writeTo(fileOut);
        memory = null;
    }

    /** True once the body went to disk. */
    public boolean spooled() {
        return file != null;
    }

    @Override
    public InputStream openStream() throws IOException {
        if (file == null) {
            return memory.stream();
        }
        fileOut.flush();
        return Files.newInputStream(file);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        memory = null;
        if (file != null) {
            try {
                fileOut.close();
            } finally {
                Files.deleteIfExists(file);
                file = null;
            }
        }
    }

    /** Lets readers share the bytes instead of copying them. */
    private static final class Buffer extends ByteArrayOutputStream {
        InputStream stream() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }
}
