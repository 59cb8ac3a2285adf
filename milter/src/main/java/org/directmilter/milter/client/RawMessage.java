package org.directmilter.milter.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An RFC 5322 message split the way an MTA hands it to a milter: header fields (name and the bytes
 * after the colon, continuation lines joined by LF) and the body with CRLF line ends. Files with
 * bare LF line ends are accepted, as an operator's test message often has them.
 */
public record RawMessage(List<Field> headers, byte[] body) {

    /** A header as a milter receives it with HDR_LEADSPC: the value keeps its leading white space. */
    public record Field(String name, byte[] value) {
        /** The value as an MTA without HDR_LEADSPC sends it: one leading space dropped. */
        public byte[] valueWithoutLeadingSpace() {
            return value.length > 0 && value[0] == ' ' ? Arrays.copyOfRange(value, 1, value.length) : value;
        }
    }

    public static RawMessage parse(byte[] message) {
        byte[] crlf = toCrlf(message);
        List<Field> headers = new ArrayList<>();
        int pos = 0;
        String name = null;
        ByteArrayOutputStream value = null;
        while (pos < crlf.length) {
            int end = indexOfCrlf(crlf, pos);
            int lineEnd = end < 0 ? crlf.length : end;
            if (lineEnd == pos) {
                pos = end < 0 ? crlf.length : end + 2;
                break;
            }
            byte first = crlf[pos];
            if ((first == ' ' || first == '\t') && name != null) {
                value.write('\n');
                value.write(crlf, pos, lineEnd - pos);
            } else {
                int colon = indexOf(crlf, (byte) ':', pos, lineEnd);
                if (colon <= pos) {
                    // not a header line: the header block ends without an empty line
                    break;
                }
                if (name != null) {
                    headers.add(new Field(name, value.toByteArray()));
                }
                name = new String(crlf, pos, colon - pos, StandardCharsets.ISO_8859_1).strip();
                value = new ByteArrayOutputStream();
                value.write(crlf, colon + 1, lineEnd - colon - 1);
            }
            pos = end < 0 ? crlf.length : end + 2;
        }
        if (name != null) {
            headers.add(new Field(name, value.toByteArray()));
        }
        return new RawMessage(List.copyOf(headers), Arrays.copyOfRange(crlf, Math.min(pos, crlf.length), crlf.length));
    }

    static byte[] toCrlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 40);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
