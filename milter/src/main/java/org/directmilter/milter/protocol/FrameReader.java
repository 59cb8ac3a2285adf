package org.directmilter.milter.protocol;

import java.io.IOException;
import java.io.InputStream;

/** Reads frames, refusing any whose announced length exceeds the cap before allocating it. */
public final class FrameReader {
    private final InputStream in;
    private final int maxFrameBytes;

    public FrameReader(InputStream in, int maxFrameBytes) {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * @return the next frame, or null when the peer closed the connection cleanly between frames
     * @throws MilterProtocolException for a zero, negative or oversized length or a truncated frame
     */
    public Frame read() throws IOException {
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
        byte[] payload = new byte[(int) length - 1];
        readFully(payload, 0, payload.length, "'" + (char) code + "' frame payload");
        return new Frame((byte) code, payload);
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
