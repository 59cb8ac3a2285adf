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

    /**
     * The largest in-memory chunk: a body arriving in milter packets (64 KiB at most) takes a chunk per
     * packet, and is framed back from them. Chunks are sized to the writes, so the last wastes little.
     */
    private static final int CHUNK = 65536;
    /** The smallest: a spool written a few bytes at a time does not take a chunk per write. */
    private static final int SMALLEST_CHUNK = 1024;

    private final long threshold;
    private final Path directory;
    private final MemoryBudget budget;
    private long reserved;
    // In memory as chunks that are never copied: a spool that grows past the threshold has then cost
    // the threshold once, where a doubling array cost twice that before being dropped. A chunk is made as
    // large as what is left of the write that needs it, within SMALLEST_CHUNK..CHUNK: every chunk but the
    // last is full and the last wastes less than SMALLEST_CHUNK, so a 10 KB body takes 10 KB.
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
        long bytes = newChunkBytes(len);
        if (bytes == 0) {
            return true;
        }
        if (!budget.tryReserve(bytes)) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    /** The bytes of the chunks {@link #appendToMemory} will make for {@code len} more bytes. */
    private long newChunkBytes(int len) {
        int free = chunks.isEmpty() ? 0 : lastChunk().length - lastChunkLength;
        int remaining = len - Math.min(len, free);
        long bytes = 0;
        while (remaining > 0) {
            int chunk = chunkSize(remaining);
            bytes += chunk;
            remaining -= Math.min(remaining, chunk);
        }
        return bytes;
    }

    /** A new chunk for the {@code remaining} bytes of a write. */
    private static int chunkSize(int remaining) {
        return Math.min(CHUNK, Math.max(SMALLEST_CHUNK, remaining));
    }

    private byte[] lastChunk() {
        return chunks.get(chunks.size() - 1);
    }

    private void spill() throws IOException {
        file = createPrivateFile();
        fileOut = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), 65536);
        for (int i = 0; i < chunks.size(); i++) {
            byte[] chunk = chunks.get(i);
            fileOut.write(chunk, 0, i == chunks.size() - 1 ? lastChunkLength : chunk.length);
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
            if (chunks.isEmpty() || lastChunkLength == lastChunk().length) {
                chunks.add(new byte[chunkSize(len)]);
                lastChunkLength = 0;
            }
            byte[] last = lastChunk();
            int n = Math.min(len, last.length - lastChunkLength);
            System.arraycopy(b, off, last, lastChunkLength, n);
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
            int index = 0;
            long chunkStart = 0;
            while (from >= chunkStart + chunks.get(index).length) {
                chunkStart += chunks.get(index).length;
                index++;
            }
            byte[] first = chunks.get(index);
            int offset = (int) (from - chunkStart);
            if (to - chunkStart <= first.length) {
                return new ByteArrayInputStream(first, offset, (int) (to - from));
            }
            return new ChunkInputStream(chunks, index, offset, to - from);
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(from);
            // a buffer no larger than the range: a signature part or a header block is a few KB
            return new ReadAheadInputStream(new RangeInputStream(Channels.newInputStream(channel), to - from),
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

    /** Bytes of in-memory chunks, from an offset in one of them on. */
    private static final class ChunkInputStream extends InputStream {
        private final List<byte[]> chunks;
        private int index;
        private int offset;
        private long remaining;

        ChunkInputStream(List<byte[]> chunks, int index, int offset, long length) {
            this.chunks = chunks;
            this.index = index;
            this.offset = offset;
            this.remaining = length;
        }

        /** The chunk the next byte is in. */
        private byte[] current() {
            byte[] chunk = chunks.get(index);
            if (offset == chunk.length) {
                index++;
                offset = 0;
                chunk = chunks.get(index);
            }
            return chunk;
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            byte b = current()[offset++];
            remaining--;
            return b & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (remaining <= 0) {
                return -1;
            }
            byte[] chunk = current();
            int n = (int) Math.min(Math.min(len, chunk.length - offset), remaining);
            System.arraycopy(chunk, offset, b, off, n);
            offset += n;
            remaining -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, remaining);
        }

        /** Writes the chunks themselves: no intermediate buffer, no copy. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = remaining;
            while (remaining > 0) {
                byte[] chunk = current();
                int n = (int) Math.min(chunk.length - offset, remaining);
                out.write(chunk, offset, n);
                offset += n;
                remaining -= n;
            }
            return total;
        }
    }
}
