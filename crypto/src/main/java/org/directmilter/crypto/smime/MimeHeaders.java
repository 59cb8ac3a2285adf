package org.directmilter.crypto.smime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The header block of a message or MIME entity, read from a stream up to and including the empty
 * line. {@link #length()} is how many bytes it took, so the body's offset is known exactly.
 */
record MimeHeaders(List<MimeHeaderField> fields, byte[] raw, long length) {

    /** Header blocks beyond this are not mail but an attack on our memory. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    Optional<MimeHeaderField> first(String name) {
        return fields.stream().filter(f -> f.is(name)).findFirst();
    }

    Optional<String> value(String name) {
        return first(name).map(MimeHeaderField::unfolded);
    }

    /** The Content-Type, {@code text/plain} when there is none (RFC 2045 §5.2). */
    ContentType contentType() {
        return value("Content-Type").map(ContentType::parse).orElse(ContentType.TEXT_PLAIN);
    }

    /**
     * The body as this header block's Content-Transfer-Encoding decodes it: base64 decoded as it is read,
     * 7bit, 8bit and binary as they are; empty for any other encoding (quoted-printable among them:
     * S/MIME structures never use it).
     */
    Optional<InputStream> bodyDecoder(InputStream body) {
        String encoding = value("Content-Transfer-Encoding").orElse("7bit").toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "base64" -> Optional.of(new Base64InputStream(body));
            case "7bit", "8bit", "binary" -> Optional.of(body);
            default -> Optional.empty();
        };
    }

    /**
     * Reads the header block. A stream that ends before the empty line yields the fields seen (an
     * entity may be all headers); malformed lines are a {@link MalformedException}.
     */
    static MimeHeaders read(InputStream in) throws IOException, MalformedException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(2048);
        List<MimeHeaderField> fields = new ArrayList<>();
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
                throw new MalformedException("header block larger than 1 MiB");
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
                throw new MalformedException("a line of the header block is not a header field");
            }
            current = new StringBuilder(text);
        }
    }

    private static MimeHeaderField field(String text) throws MalformedException {
        int colon = text.indexOf(':');
        String name = text.substring(0, colon);
        if (!name.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new MalformedException("malformed header field name");
        }
        String value = text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        return new MimeHeaderField(name, value);
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

    /**
     * The MIME structure is not what it claims to be. The text is one of a few constants and never quotes
     * the input: the input may be decrypted content, and an error that quoted it would hand a fragment of
     * someone's message to whoever resubmitted a piece of its ciphertext.
     */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String constantText) {
            super(constantText);
        }
    }
}
