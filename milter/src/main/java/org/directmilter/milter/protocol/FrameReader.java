package org.directmilter.milter.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads frames. The length field is only a claim: a frame longer than the cap is refused before anything
 * is allocated, and the payload buffer grows as bytes actually arrive, doubling from {@link #FIRST_STEP}.
 * The first step is every connection's own (a body chunk fits in it, so ordinary mail never waits for the
 * shared budget); every larger buffer is reserved from the shared {@link FrameMemory}. A peer that
 * announces a large frame and sends nothing costs one step; the reservation of a frame is given back by
 * {@link #releaseFrame()}, at the next {@link #read()} or at {@link #close()}.
 */
public final class FrameReader implements AutoCloseable {
    /** The first allocation for a payload: a body chunk (at most 64 KiB) fits in one. */
    static final int FIRST_STEP = 64 * 1024;

    private final InputStream in;
    private final int maxFrameBytes;
    private final FrameMemory memory;
    private long held;
    /** A payload array no one uses any more, for the next frame of its length (see {@link #recycle}). */
    private byte[] spare;

    public FrameReader(InputStream in, int maxFrameBytes) {
        this(in, maxFrameBytes, FrameMemory.UNLIMITED);
    }

    public FrameReader(InputStream in, int maxFrameBytes, FrameMemory memory) {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
        this.memory = memory;
    }

    /**
     * @return the next frame, or null when the peer closed the connection cleanly between frames
     * @throws MilterProtocolException for a zero, negative or oversized length, a truncated frame, or a
     *                                 frame the shared memory cannot hold now
     */
    public Frame read() throws IOException {
        releaseHeld();
        byte[] header = new byte[4];
        int first = in.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        readFully(header, 1, 3, "frame length");
        long length = ((header[0] & 0xffL) << 24) | ((header[1] & 0xffL) << 16)
                | ((header[2] & 0xffL) << 8) | (header[3] & 0xffL);
        if (length == 0) {
            throw new MilterProtocolException("zero-length frame (no command byte)");
        }
        if (length > maxFrameBytes) {
            throw new MilterProtocolException("frame of " + length + " bytes exceeds the limit of "
                    + maxFrameBytes + " bytes (MaxFrameSize)");
        }
        int code = in.read();
        if (code < 0) {
            throw new MilterProtocolException("connection closed inside a frame (before its command byte)");
        }
        return new Frame((byte) code, readPayload((int) length - 1, (char) code));
    }

    private byte[] readPayload(int length, char code) throws IOException {
        byte[] buffer;
        if (spare != null && spare.length == length) {
            buffer = spare;
            spare = null;
        } else {
            buffer = new byte[Math.min(length, FIRST_STEP)];
        }
        boolean shared = false;
        int done = 0;
        while (done < length) {
            if (done == buffer.length) {
                int grown = (int) Math.min(length, 2L * buffer.length);
                reserve(grown, length);
                int old = buffer.length;
                buffer = Arrays.copyOf(buffer, grown);
                if (shared) {
                    give(old);
                }
                shared = true;
            }
            int n = in.read(buffer, done, buffer.length - done);
            if (n < 0) {
                throw new MilterProtocolException("connection closed inside a frame: '" + code
                        + "' frame payload truncated after " + done + " of " + length + " bytes");
            }
            done += n;
        }
        return buffer;
    }

    private void reserve(int bytes, int frameLength) throws MilterProtocolException {
        if (!memory.tryReserve(bytes)) {
            throw new MilterProtocolException("no memory for a frame of " + frameLength
                    + " bytes now: the limit for all connections together (MessageMemory) is reached");
        }
        held += bytes;
    }

    private void give(long bytes) {
        memory.release(bytes);
        held -= bytes;
    }

    /**
     * Hands back a frame whose payload nothing refers to any more, so the next frame of the same length is
     * read into the same array (every byte of it is overwritten); frames of other lengths in between (the
     * macros Postfix sends before each body chunk) leave it be. An MTA sends a body in chunks of one size,
     * 64 KiB at most: a 1 MB body then costs one array, not sixteen. Only for frames read within the first
     * step, which are the connection's own; {@code null} lets go of the array kept.
     */
    public void recycle(Frame frame) {
        spare = frame != null && frame.payload().length <= FIRST_STEP ? frame.payload() : null;
    }

    /** Gives back what the last frame took from the shared budget: call once its payload is no longer used. */
    public void releaseFrame() {
        give(held);
    }

    private void releaseHeld() {
        give(held);
    }

    /** Gives back what the last frame held; does not close the stream. */
    @Override
    public void close() {
        releaseHeld();
    }

    private void readFully(byte[] buffer, int offset, int length, String what) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(buffer, offset + done, length - done);
            if (n < 0) {
                throw new MilterProtocolException("connection closed inside a frame: " + what
                        + " truncated after " + done + " of " + length + " bytes");
            }
            done += n;
        }
    }
}
