package org.directmilter.milter.protocol;

import java.util.Arrays;

/**
 * One milter packet: a command or reply code and its payload. On the wire it is a 32-bit
 * big-endian length (code byte + payload), the code byte, then the payload.
 */
public record Frame(byte code, byte[] payload) {

    public Frame {
        payload = payload == null ? new byte[0] : payload;
    }

    public char codeChar() {
        return (char) (code & 0xff);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.code == code && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Frame['" + codeChar() + "', " + payload.length + " bytes]";
    }
}
