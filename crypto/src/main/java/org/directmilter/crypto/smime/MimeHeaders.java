package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
        for (MimeHeaderField field : fields) {
            if (field.is(name)) {
                return Optional.of(field);
            }
        }
        return Optional.empty();
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
     * The most bytes {@link #bodyDecoder} makes of a body of {@code bodyLength} bytes: base64 decodes
     * three bytes from every four characters (and skips what is not one), the rest pass as they are.
     */
    long decodedSizeBound(long bodyLength) {
        return isBase64() ? bodyLength / 4 * 3 + 3 : bodyLength;
    }

    private boolean isBase64() {
        return value("Content-Transfer-Encoding").orElse("7bit").equalsIgnoreCase("base64");
    }

    /**
     * Reads the header block. A stream that ends before the empty line yields the fields seen (an
     * entity may be all headers); malformed lines are a {@link MalformedException}.
     *
     * <p>The block is read into one array and each field's text made from it once: this runs for every
     * header block of every message (four of them per incoming message), where a buffer, an array and
     * three strings per line added up to several KB each time.
     */
    static MimeHeaders read(InputStream in) throws IOException, MalformedException {
        byte[] raw = new byte[512];
        int size = 0;
        List<MimeHeaderField> fields = new ArrayList<>();
        Field current = null;
        while (true) {
            int lineStart = size;
            int b;
            while ((b = in.read()) >= 0) {
                if (size == raw.length) {
                    if (size >= MAX_HEADER_BYTES) {
                        throw new MalformedException("header block larger than 1 MiB");
                    }
                    raw = Arrays.copyOf(raw, Math.min(2 * size, MAX_HEADER_BYTES + 1));
                }
                raw[size++] = (byte) b;
                if (b == '\n') {
                    break;
                }
            }
            if (size > MAX_HEADER_BYTES) {
                throw new MalformedException("header block larger than 1 MiB");
            }
            // the line without its line end: an LF, then one CR before it
            int lineEnd = size;
            if (lineEnd > lineStart && raw[lineEnd - 1] == '\n') {
                lineEnd--;
            }
            if (lineEnd > lineStart && raw[lineEnd - 1] == '\r') {
                lineEnd--;
            }
            boolean end = lineEnd == lineStart;
            if (!end && (raw[lineStart] == ' ' || raw[lineStart] == '\t')) {
                if (current == null) {
                    throw new MalformedException("continuation line before the first header field");
                }
                current.continueWith(raw, lineStart, lineEnd);
                continue;
            }
            if (current != null) {
                fields.add(field(current.text(raw)));
                current = null;
            }
            if (end) {
                return new MimeHeaders(List.copyOf(fields), Arrays.copyOf(raw, size), size);
            }
            int colon = lineStart;
            while (colon < lineEnd && raw[colon] != ':') {
                colon++;
            }
            if (colon == lineStart || colon == lineEnd) {
                throw new MalformedException("a line of the header block is not a header field");
            }
            current = new Field(lineStart, lineEnd);
        }
    }

    /**
     * A field's text while its lines are read: its lines joined by CRLF, each without its own line end.
     * While every line break inside it is a CRLF that is a range of the raw block; a bare LF between two
     * of its lines makes it a string of its own.
     */
    private static final class Field {
        private final int start;
        private int end;
        private StringBuilder joined;

        Field(int start, int end) {
            this.start = start;
            this.end = end;
        }

        void continueWith(byte[] raw, int lineStart, int lineEnd) {
            boolean crlfBetween = joined == null && lineStart - end == 2 && raw[end] == '\r' && raw[end + 1] == '\n';
            if (crlfBetween) {
                end = lineEnd;
                return;
            }
            if (joined == null) {
                joined = new StringBuilder(new String(raw, start, end - start, StandardCharsets.ISO_8859_1));
            }
            joined.append("\r\n").append(new String(raw, lineStart, lineEnd - lineStart, StandardCharsets.ISO_8859_1));
        }

        String text(byte[] raw) {
            return joined != null ? joined.toString() : new String(raw, start, end - start, StandardCharsets.ISO_8859_1);
        }
    }

    private static MimeHeaderField field(String text) throws MalformedException {
        int colon = text.indexOf(':');
        for (int i = 0; i < colon; i++) {
            char c = text.charAt(i);
            if (c <= 32 || c >= 127) {
                throw new MalformedException("malformed header field name");
            }
        }
        int valueStart = colon + 1 < text.length() && text.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
        return new MimeHeaderField(text.substring(0, colon), text.substring(valueStart));
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
