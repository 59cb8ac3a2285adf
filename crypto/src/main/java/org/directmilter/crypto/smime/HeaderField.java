package org.directmilter.crypto.smime;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One header field exactly as it appeared: {@code name} and {@code value}, the text after the colon
 * (one leading space removed, folding kept, no final line break). Bytes are carried as ISO-8859-1 so
 * that 8-bit header bytes survive a round trip unchanged.
 */
public record HeaderField(String name, String value) {

    /** The unfolded value, for parsing; never for writing back. */
    public String unfolded() {
        return value.replaceAll("\r?\n(?=[ \t])", "").trim();
    }

    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The field as it goes on the wire: {@code Name: value CRLF}, folding normalised to CRLF. */
    public byte[] toBytes() {
        String text = name + ": " + value.replaceAll("\r?\n", "\r\n") + "\r\n";
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }
}
