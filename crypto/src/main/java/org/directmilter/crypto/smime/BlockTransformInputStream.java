package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An input stream that reads its source 64 KB at a time and hands out what a subclass makes of each
 * block (base64 decoding, decryption): one large read and one transformation per block instead of the
 * per-byte or 512-byte calls of the JDK and Bouncy Castle streams.
 */
abstract class BlockTransformInputStream extends InputStream {
    static final int BLOCK = 65536;

    private final InputStream in;
    private final byte[] input = new byte[BLOCK];
    private final byte[] output;
    private int outputPos;
    private int outputLength;
    private boolean finished;

    /** @param outputCapacity the most bytes one {@link #transform} or {@link #finish} call writes */
    BlockTransformInputStream(InputStream in, int outputCapacity) {
        this.in = in;
        this.output = new byte[outputCapacity];
    }

    /** Transforms {@code input[0..n)} into {@code output}; returns how many bytes it wrote there. */
    abstract int transform(byte[] input, int n, byte[] output) throws IOException;

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
            outputPos = 0;
            int n = in.read(input, 0, input.length);
            if (n < 0) {
                finished = true;
                outputLength = finish(output);
            } else {
                outputLength = transform(input, n, output);
            }
        }
        return true;
    }
}
