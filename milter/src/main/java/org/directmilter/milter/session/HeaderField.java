package org.directmilter.milter.session;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One header as bytes: the field name and the raw value after the colon, leading white space and
 * CRLF folds included, so that {@code name + ":" + value + CRLF} is the line exactly as it was.
 */
public record HeaderField(String name, byte[] value) {

    public HeaderField {
        if (!validName(name)) {
            throw new IllegalArgumentException("not a header field name: \"" + name + "\"");
        }
        value = value.clone();
    }

    /** Not empty, and no ':', CR, LF or NUL. */
    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':' || c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** A header as written by a program: one space after the colon, then the text (UTF-8). */
    public static HeaderField of(String name, String text) {
        return new HeaderField(name, (" " + text).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value without the white space after the colon, with folds unfolded, as UTF-8 text. */
    public String text() {
        String raw = new String(value, StandardCharsets.UTF_8).replace("\r\n", "").replace("\n", "");
        return raw.strip();
    }

    public boolean named(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The header line with its CRLF. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + value.length + 3);
        out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
        out.write(':');
        out.writeBytes(value);
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    int rawLength() {
        return value.length;
    }

    byte[] rawValue() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderField h && h.name.equals(name) && Arrays.equals(h.value, value);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return name + ":" + new String(value, StandardCharsets.UTF_8);
    }
}
