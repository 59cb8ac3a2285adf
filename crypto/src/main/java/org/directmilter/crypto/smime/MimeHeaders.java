package org.directmilter.crypto.smime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The header block of a message or MIME entity, read from a stream up to and including the empty
 * line. {@link #length()} is how many bytes it took, so the body's offset is known exactly.
 */
record MimeHeaders(List<HeaderField> fields, byte[] raw, long length) {

    /** Header blocks beyond this are not mail but an attack on our memory. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    Optional<HeaderField> first(String name) {
        return fields.stream().filter(f -> f.is(name)).findFirst();
    }

    Optional<String> value(String name) {
        return first(name).map(HeaderField::unfolded);
    }

    /**
     * Reads the header block. A stream that ends before the empty line yields the fields seen (an
     * entity may be all headers); malformed lines are a {@link MalformedException}.
     */
    static MimeHeaders read(InputStream in) throws IOException, MalformedException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(2048);
        List<HeaderField> fields = new ArrayList<>();
        StringBuilder current = null;
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            line.reset();
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    break;
                }
            }
            byte[] bytes = line.toByteArray();
            raw.write(bytes);
            if (raw.size() > MAX_HEADER_BYTES) {
                throw new MalformedException("header block larger than " + MAX_HEADER_BYTES + " bytes");
            }
            String text = stripLineEnd(new String(bytes, StandardCharsets.ISO_8859_1));
            boolean end = bytes.length == 0 || text.isEmpty();
            if (!end && (text.charAt(0) == ' ' || text.charAt(0) == '\t')) {
                if (current == null) {
                    throw new MalformedException("continuation line before the first header field");
                }
                current.append("\r\n").append(text);
                continue;
            }
            if (current != null) {
                fields.add(field(current.toString()));
                current = null;
            }
            if (end) {
                return new MimeHeaders(List.copyOf(fields), raw.toByteArray(), raw.size());
            }
            if (text.indexOf(':') <= 0) {
                throw new MalformedException("not a header field: "
                        + text.substring(0, Math.min(40, text.length())).replaceAll("[^ -~]", "?"));
            }
            current = new StringBuilder(text);
        }
    }

    private static HeaderField field(String text) throws MalformedException {
        int colon = text.indexOf(':');
        String name = text.substring(0, colon);
        if (!name.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new MalformedException("malformed header field name");
        }
        String value = text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        return new HeaderField(name, value);
    }

    private static String stripLineEnd(String s) {
        int end = s.length();
        if (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && s.charAt(end - 1) == '\r') {
            end--;
        }
        return s.substring(0, end);
    }

    /** The MIME structure is not what it claims to be. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }
}
