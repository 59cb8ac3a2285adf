package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * An input stream that reads its source a block at a time and hands out what a subclass makes of each
 * block (base64 decoding, decryption): one large read and one transformation per block instead of the
 * per-byte or 512-byte calls of the JDK and Bouncy Castle streams.
 *
 * <p>Blocks are sized to the data: as large as what the source says it holds, else 4 KB growing fourfold
 * whenever a read fills one, up to 64 KB. A 10 KB message then costs buffers of about its size rather
 * than 64 KB times every stream it passes through. A transformation whose output never overtakes its
 * input (base64 decoding) works in one array: the block is read a few bytes into it and the output is
 * written from its start, so it costs one buffer instead of two.
 */
abstract class BlockTransformInputStream extends InputStream {
    static final int BLOCK = 65536;

    private final InputStream in;
    private byte[] input;
    /** Where in {@link #input} a block is read: after the headroom when the output shares the array. */
    private int inputFrom;
    private byte[] output;
    private int outputPos;
    private int outputLength;
    private boolean finished;
    private boolean grow;

    /** For a source that knows how much it holds (its {@code available()}). */
    BlockTransformInputStream(InputStream in) {
        this(in, Buffers.sizeFor(in, 1, BLOCK));
    }

    /** For a source of about {@code expected} bytes that cannot tell. */
    BlockTransformInputStream(InputStream in, long expected) {
        this.in = in;
        // one more than expected, so that a block holding all of it is not taken for a full one
        allocate((int) Math.min(BLOCK, Math.max(Buffers.SMALLEST, expected + 1)));
    }

    /** The most bytes one {@link #transform} or {@link #finish} call writes for an input block of {@code block}. */
    abstract int outputCapacity(int block);

    /**
     * -1 when the output needs an array of its own; else how far the output may run ahead of the input
     * read so far, when both share one array: the block is read that many bytes into the array and the
     * output written from its start. Only for a transformation whose output of a block (and of
     * {@link #finish}) fits in the block.
     */
    int sharedArrayHeadroom() {
        return -1;
    }

    private void allocate(int block) {
        int headroom = sharedArrayHeadroom();
        if (headroom < 0) {
            input = new byte[block];
            inputFrom = 0;
            output = new byte[outputCapacity(block)];
        } else {
            input = new byte[headroom + block];
            inputFrom = headroom;
            output = input;
        }
    }

    /**
     * Transforms {@code input[from..from+n)} into {@code output} from its start (the same array when
     * {@link #sharedArrayHeadroom} says so); returns how many bytes it wrote there.
     */
    abstract int transform(byte[] input, int from, int n, byte[] output) throws IOException;

    /** The source ended: writes what is left into {@code output} and returns how many bytes. */
    abstract int finish(byte[] output) throws IOException;

    /** The data is complete before the source ends (e.g. base64 padding): nothing more is read. */
    final void endOfData() {
        finished = true;
    }

    @Override
    public final int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return output[outputPos++] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, outputLength - outputPos);
        System.arraycopy(output, outputPos, b, off, n);
        outputPos += n;
        return n;
    }

    @Override
    public final int available() {
        return outputLength - outputPos;
    }

    /** Hands each block's output straight to {@code out}: no intermediate buffer and no copy. */
    @Override
    public final long transferTo(OutputStream out) throws IOException {
        long total = 0;
        while (fill()) {
            int n = outputLength - outputPos;
            out.write(output, outputPos, n);
            outputPos = outputLength;
            total += n;
        }
        return total;
    }

    @Override
    public final void close() throws IOException {
        in.close();
    }

    /** Transforms further blocks until there is something to hand out; false at the end of the data. */
    private boolean fill() throws IOException {
        while (outputPos == outputLength) {
            if (finished) {
                return false;
            }
            int block = input.length - inputFrom;
            if (grow) {
                // the source holds more than the block: larger ones, now that the last output is handed out
                block = Math.min(BLOCK, block * 4);
                allocate(block);
                grow = false;
            }
            outputPos = 0;
            int n = in.read(input, inputFrom, block);
            if (n < 0) {
                finished = true;
                outputLength = finish(output);
            } else {
                outputLength = transform(input, inputFrom, n, output);
                grow = n == block && block < BLOCK;
            }
        }
        return true;
    }
}
