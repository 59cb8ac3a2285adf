package org.directmilter.milter.protocol;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Writes frames; a reply is flushed as a whole so the peer never sees half a packet. */
public final class FrameWriter {
    private final OutputStream out;

    public FrameWriter(OutputStream out) {
        // replies are small; a body packet larger than the buffer goes out in one write of its own, so a
        // larger buffer would only cost every connection (Postfix opens one per message) more memory
        this.out = new BufferedOutputStream(out, 8192);
    }

    /** Buffers one frame; call {@link #flush()} once the reply for a command is complete. */
    public void write(Frame frame) throws IOException {
        write(frame.code(), frame.payload(), 0, frame.payload().length);
    }

    public void write(byte code, byte[] payload, int offset, int length) throws IOException {
        startFrame(code, length);
        writePayload(payload, offset, length);
    }

    /**
     * Starts a frame whose {@code length} payload bytes the caller then writes with {@link #writePayload}:
     * a body framed as it is read, without a copy of it. Nothing else may be written before they are.
     */
    public void startFrame(byte code, int length) throws IOException {
        int total = length + 1;
        out.write(total >>> 24);
        out.write(total >>> 16);
        out.write(total >>> 8);
        out.write(total);
        out.write(code);
    }

    /** Payload bytes of the frame begun by {@link #startFrame}. */
    public void writePayload(byte[] payload, int offset, int length) throws IOException {
        out.write(payload, offset, length);
    }

    public void flush() throws IOException {
        out.flush();
    }
}
