package org.directmilter.crypto.smime;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/**
 * Bytes written once, then read any number of times: in memory up to a threshold, beyond it in a
 * private (0600) temporary file that {@link #close()} deletes. This is what keeps memory use flat for
 * large messages while small ones never touch the disk.
 */
final class Spool implements Closeable {

    private final long threshold;
    private final Path directory;
    private byte[] memory = new byte[8192];
    private int memoryLength;
    private Path file;
    private OutputStream fileOut;
    private long size;
    private boolean writing = true;

    Spool(long threshold, Path directory) {
        this.threshold = threshold;
        this.directory = directory;
    }

    /** The one writer of this spool; closing it ends writing. */
    OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                append(b, off, len);
            }

            @Override
            public void close() throws IOException {
                finish();
            }
        };
    }

    private void append(byte[] b, int off, int len) throws IOException {
        if (!writing) {
            throw new IllegalStateException("spool already complete");
        }
        try {
            if (fileOut == null && size + len > threshold) {
                file = createPrivateFile();
                fileOut = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 65536);
                fileOut.write(memory, 0, memoryLength);
                memory = null;
            }
            if (fileOut != null) {
                fileOut.write(b, off, len);
            } else {
                if (memoryLength + len > memory.length) {
                    memory = Arrays.copyOf(memory, (int) Math.min(threshold, Math.max(memory.length * 2L,
                            memoryLength + (long) len)));
                }
                System.arraycopy(b, off, memory, memoryLength, len);
                memoryLength += len;
            }
        } catch (IOException e) {
            throw new SpoolException(e);
        }
        size += len;
    }

    private Path createPrivateFile() throws IOException {
        try {
            return Files.createTempFile(directory, "direct-milter-", ".spool",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return Files.createTempFile(directory, "direct-milter-", ".spool");
        }
    }

    private void finish() throws IOException {
        if (writing) {
            writing = false;
            if (fileOut != null) {
                try {
                    fileOut.close();
                } catch (IOException e) {
                    throw new SpoolException(e);
                }
            }
        }
    }

    long size() {
        return size;
    }

    boolean inMemory() {
        return file == null;
    }

    /** Reads bytes [from, to) of the completed spool. */
    InputStream open(long from, long to) {
        if (writing) {
            throw new IllegalStateException("spool still being written");
        }
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException(from + ".." + to + " of " + size);
        }
        if (file == null) {
            return new ByteArrayInputStream(memory, (int) from, (int) (to - from));
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(from);
            return new java.io.BufferedInputStream(new RangeInputStream(Channels.newInputStream(channel), to - from),
                    65536);
        } catch (IOException e) {
            throw new SpoolException(e);
        }
    }

    InputStream open() {
        return open(0, size);
    }

    @Override
    public void close() {
        memory = null;
        try {
            if (fileOut != null) {
                fileOut.close();
            }
        } catch (IOException ignored) {
            // deleting the file below is what matters
        }
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the temporary directory is private; nothing more we can do here
            }
        }
    }

    /** Local storage failed: an internal error, never a verdict on the message. */
    static final class SpoolException extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        SpoolException(IOException cause) {
            super("temporary storage failed: " + cause.getMessage(), cause);
        }
    }

    /** At most {@code remaining} bytes of the underlying stream; closing closes it. */
    private static final class RangeInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        RangeInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(Integer.MAX_VALUE, remaining);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
