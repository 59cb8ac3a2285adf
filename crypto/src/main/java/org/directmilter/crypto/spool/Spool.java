package org.directmilter.crypto.spool;

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
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes written once, then read any number of times: in memory up to a threshold (and while the shared
 * {@link MemoryBudget} lasts), beyond it in a private (0600) temporary file that {@link #close()} deletes.
 * This is what keeps memory use flat for large messages while small ones never touch the disk.
 *
 * <p>The one place message plaintext is stored. Deletion discipline: whoever creates a spool closes it on
 * every path (try-with-resources or a finally); the file name carries {@link #FILE_PREFIX} and the process
 * id, so {@link SpoolFiles#removeLeftovers} can remove what a crashed or killed process left behind, and
 * nothing else.
 */
public final class Spool implements Closeable {

    /** Every spool file is named {@code direct-milter-spool-<pid>-<random>.tmp}. */
    public static final String FILE_PREFIX = "direct-milter-spool-";
    static final String FILE_SUFFIX = ".tmp";

    /** Small enough that a 10 KB message does not take more, large enough to be few. */
    private static final int CHUNK = 16384;

    private final long threshold;
    private final Path directory;
    private final MemoryBudget budget;
    private long reserved;
    // In memory as chunks that are never copied: a spool that grows past the threshold has then cost
    // the threshold once, where a doubling array cost twice that before being dropped.
    private List<byte[]> chunks = new ArrayList<>();
    private int lastChunkLength;
    private Path file;
    private OutputStream fileOut;
    private long size;
    private boolean writing = true;

    /** A spool whose memory counts against no shared budget: for tools and tests. */
    public Spool(long threshold, Path directory) {
        this(threshold, directory, MemoryBudget.unlimited());
    }

    /**
     * @param threshold bytes kept in memory at most; beyond, the spool moves to a file
     * @param budget    memory shared with other spools; when it is used up the spool moves to a file early
     */
    public Spool(long threshold, Path directory, MemoryBudget budget) {
        this.threshold = threshold;
        this.directory = directory;
        this.budget = budget;
    }

    /**
     * A spool that goes to its file from the first byte: for content known to be about as large as a
     * spool that already went to disk (the plaintext of a ciphertext), where filling memory first would
     * only produce garbage.
     */
    public static Spool onDisk(Path directory) {
        return new Spool(0, directory);
    }

    /** The one writer of this spool; closing it ends writing. */
    public OutputStream output() {
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
            if (fileOut == null && (size + len > threshold || !reserveFor(len))) {
                spill();
            }
            if (fileOut != null) {
                fileOut.write(b, off, len);
            } else {
                appendToMemory(b, off, len);
            }
        } catch (IOException e) {
            throw new SpoolException(e);
        }
        size += len;
    }

    /** Reserves the chunks {@code len} more bytes need; false when the shared budget cannot give them. */
    private boolean reserveFor(int len) {
        long capacity = (long) chunks.size() * CHUNK;
        long missing = size + len - capacity;
        if (missing <= 0) {
            return true;
        }
        long bytes = (missing + CHUNK - 1) / CHUNK * CHUNK;
        if (!budget.tryReserve(bytes)) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    private void spill() throws IOException {
        file = createPrivateFile();
        fileOut = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 65536);
        for (int i = 0; i < chunks.size(); i++) {
            fileOut.write(chunks.get(i), 0, i == chunks.size() - 1 ? lastChunkLength : CHUNK);
        }
        chunks = null;
        releaseMemory();
    }

    private void releaseMemory() {
        budget.release(reserved);
        reserved = 0;
    }

    private void appendToMemory(byte[] b, int off, int len) {
        while (len > 0) {
            if (chunks.isEmpty() || lastChunkLength == CHUNK) {
                chunks.add(new byte[CHUNK]);
                lastChunkLength = 0;
            }
            int n = Math.min(len, CHUNK - lastChunkLength);
            System.arraycopy(b, off, chunks.get(chunks.size() - 1), lastChunkLength, n);
            lastChunkLength += n;
            off += n;
            len -= n;
        }
    }

    private Path createPrivateFile() throws IOException {
        String prefix = FILE_PREFIX + ProcessHandle.current().pid() + "-";
        try {
            return Files.createTempFile(directory, prefix, FILE_SUFFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return Files.createTempFile(directory, prefix, FILE_SUFFIX);
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

    public long size() {
        return size;
    }

    public boolean inMemory() {
        return file == null;
    }

    /**
     * Reads bytes [from, to) of the completed spool. A file is read through a buffer already, memory
     * needs none: callers read byte by byte where they must without wrapping this in another.
     */
    public InputStream open(long from, long to) {
        if (writing) {
            throw new IllegalStateException("spool still being written");
        }
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException(from + ".." + to + " of " + size);
        }
        if (file == null) {
            if (from == to) {
                return InputStream.nullInputStream();
            }
            int first = (int) (from / CHUNK);
            if (to <= (first + 1L) * CHUNK) {
                return new ByteArrayInputStream(chunks.get(first), (int) (from % CHUNK), (int) (to - from));
            }
            return new ChunkInputStream(chunks, from, to);
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(from);
            // a buffer no larger than the range: a signature part or a header block is a few KB
            return new java.io.BufferedInputStream(new RangeInputStream(Channels.newInputStream(channel), to - from),
                    (int) Math.max(512, Math.min(65536, to - from)));
        } catch (IOException e) {
            throw new SpoolException(e);
        }
    }

    public InputStream open() {
        return open(0, size);
    }

    /** Ends writing (if the writer was not closed) and reads everything. */
    public InputStream finishAndOpen() {
        try {
            finish();
        } catch (IOException e) {
            throw new SpoolException(e);
        }
        return open();
    }

    /** Deletes the file, if any, and gives the memory back. Idempotent. */
    @Override
    public void close() {
        writing = false;
        chunks = null;
        releaseMemory();
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
                // the temporary directory is private; the sweep at the next start removes it
            }
            file = null;
        }
    }

    /** Local storage failed: an internal error, never a verdict on the message. */
    public static final class SpoolException extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        public SpoolException(IOException cause) {
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

    /** Bytes [from, to) of in-memory chunks. */
    private static final class ChunkInputStream extends InputStream {
        private final List<byte[]> chunks;
        private long pos;
        private final long to;

        ChunkInputStream(List<byte[]> chunks, long from, long to) {
            this.chunks = chunks;
            this.pos = from;
            this.to = to;
        }

        @Override
        public int read() {
            if (pos >= to) {
                return -1;
            }
            byte b = chunks.get((int) (pos / CHUNK))[(int) (pos % CHUNK)];
            pos++;
            return b & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (pos >= to) {
                return -1;
            }
            int inChunk = (int) (pos % CHUNK);
            int n = (int) Math.min(Math.min(len, CHUNK - inChunk), to - pos);
            System.arraycopy(chunks.get((int) (pos / CHUNK)), inChunk, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, to - pos);
        }

        /** Writes the chunks themselves: no intermediate buffer, no copy. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = to - pos;
            while (pos < to) {
                int inChunk = (int) (pos % CHUNK);
                int n = (int) Math.min(CHUNK - inChunk, to - pos);
                out.write(chunks.get((int) (pos / CHUNK)), inChunk, n);
                pos += n;
            }
            return total;
        }
    }
}
