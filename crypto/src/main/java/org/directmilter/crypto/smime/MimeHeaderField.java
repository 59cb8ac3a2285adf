package org.directmilter.crypto.smime;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One header field of a message or MIME entity exactly as it appeared in the bytes the S/MIME engine
 * read: {@code name} and {@code value}, the text after the colon (one leading space removed, folding
 * kept, no final line break). Bytes are carried as ISO-8859-1 so that 8-bit header bytes survive a round
 * trip unchanged. (The milter's own {@code HeaderField} is a field as the MTA hands it over.)
 */
public record MimeHeaderField(String name, String value) {

    // compiled once: these run for every header field of every message
    private static final Pattern FOLD = Pattern.compile("\r?\n(?=[ \t])");
    private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");

    /** The unfolded value, for parsing; never for writing back. */
    public String unfolded() {
        return value.indexOf('\n') < 0 ? value.trim() : FOLD.matcher(value).replaceAll("").trim();
    }

    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** The field as it goes on the wire: {@code Name: value CRLF}, folding normalised to CRLF. */
    public byte[] toBytes() {
        String folded = value.indexOf('\n') < 0 ? value : LINE_BREAK.matcher(value).replaceAll("\r\n");
        String text = name + ": " + folded + "\r\n";
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    String lowerName() {
        return name.toLowerCase(Locale.ROOT);
    }
}
