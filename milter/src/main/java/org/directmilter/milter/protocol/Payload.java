package org.directmilter.milter.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads and builds packet payloads: uint32/uint16 big-endian integers and NUL-terminated strings. */
final class Payload {
    private final byte[] data;
    private final String what;
    private int position;

    Payload(byte[] data, String what) {
        this.data = data;
        this.what = what;
    }

    int uint32() throws MilterProtocolException {
        need(4, "a 32-bit integer");
        int value = ((data[position] & 0xff) << 24) | ((data[position + 1] & 0xff) << 16)
                | ((data[position + 2] & 0xff) << 8) | (data[position + 3] & 0xff);
        position += 4;
        return value;
    }

    int uint16() throws MilterProtocolException {
        need(2, "a 16-bit port");
        int value = ((data[position] & 0xff) << 8) | (data[position + 1] & 0xff);
        position += 2;
        return value;
    }

    byte byteValue() throws MilterProtocolException {
        need(1, "a byte");
        return data[position++];
    }

    /** The bytes up to the next NUL, which must be there. */
    byte[] bytesZ() throws MilterProtocolException {
        int end = position;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        if (end == data.length) {
            throw new MilterProtocolException(what + ": string not NUL-terminated");
        }
        byte[] value = Arrays.copyOfRange(data, position, end);
        position = end + 1;
        return value;
    }

    String stringZ() throws MilterProtocolException {
        return new String(bytesZ(), StandardCharsets.UTF_8);
    }

    /** Consecutive NUL-terminated strings up to the end of the payload. */
    List<String> stringsZ() throws MilterProtocolException {
        List<String> values = new ArrayList<>();
        while (position < data.length) {
            values.add(stringZ());
        }
        return values;
    }

    /**
     * What is left of the payload. A body chunk is the whole payload: it is handed on as it is, not copied
     * again (the reader gives every frame an array of its own, and 1 MB of body is 16 chunks).
     */
    byte[] rest() {
        byte[] value = position == 0 ? data : Arrays.copyOfRange(data, position, data.length);
        position = data.length;
        return value;
    }

    boolean atEnd() {
        return position >= data.length;
    }

    void end() throws MilterProtocolException {
        if (position != data.length) {
            throw new MilterProtocolException(what + ": " + (data.length - position) + " unexpected trailing bytes");
        }
    }

    private void need(int n, String thing) throws MilterProtocolException {
        if (position + n > data.length) {
            throw new MilterProtocolException(what + ": packet too short for " + thing);
        }
    }

    /** Builds a payload. */
    static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Builder uint32(int value) {
            out.write(value >>> 24);
            out.write(value >>> 16);
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Builder uint16(int value) {
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Builder byteValue(int value) {
            out.write(value);
            return this;
        }

        Builder bytesZ(byte[] value) {
            out.writeBytes(value);
            out.write(0);
            return this;
        }

        Builder stringZ(String value) {
            return bytesZ(value.getBytes(StandardCharsets.UTF_8));
        }

        Builder bytes(byte[] value) {
            out.writeBytes(value);
            return this;
        }

        byte[] build() {
            return out.toByteArray();
        }
    }
}
