package org.directmilter.milter.policy;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.directmilter.milter.session.HeaderField;

/**
 * A message's header block as the MTA should write it back: every field with its value exactly as it
 * was after the colon ({@code From:x} stays {@code From:x}, an empty {@code X-Empty:} stays empty), folds
 * kept as CRLF. The S/MIME engine's fields drop the white space after the colon, which would break DKIM
 * simple header canonicalisation and make what we restore differ from what was sent.
 */
final class HeaderBlock {

    private HeaderBlock() {
    }

    /**
     * The fields of the first {@code length} bytes of {@code in}, the header block up to and including
     * its empty line (a block the engine has already parsed, so its size is bounded).
     */
    static List<HeaderField> read(InputStream in, long length) throws IOException {
        byte[] block = in.readNBytes((int) Math.min(length, Integer.MAX_VALUE - 8));
        List<HeaderField> fields = new ArrayList<>();
        int start = 0;
        while (start < block.length) {
            int end = fieldEnd(block, start);
            int colon = indexOf(block, (byte) ':', start, end);
            if (colon <= start) {
                break; // the empty line, or (never after the engine's parse) a line that is not a field
            }
            String name = new String(block, start, colon - start, java.nio.charset.StandardCharsets.ISO_8859_1);
            fields.add(new HeaderField(name, withCrlfFolds(block, colon + 1, lineContentEnd(block, start, end))));
            start = end;
        }
        return fields;
    }

    /** The index just past the field starting at {@code start}: its last line break included. */
    private static int fieldEnd(byte[] b, int start) {
        int i = start;
        while (i < b.length) {
            int lineEnd = indexOf(b, (byte) '\n', i, b.length);
            if (lineEnd < 0) {
                return b.length;
            }
            i = lineEnd + 1;
            if (i >= b.length || (b[i] != ' ' && b[i] != '\t')) {
                return i;
            }
        }
        return b.length;
    }

    /** {@code end} without the field's final CRLF or LF. */
    private static int lineContentEnd(byte[] b, int start, int end) {
        int e = end;
        if (e > start && b[e - 1] == '\n') {
            e--;
            if (e > start && b[e - 1] == '\r') {
                e--;
            }
        }
        return e;
    }

    private static byte[] withCrlfFolds(byte[] b, int from, int to) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(to - from + 8);
        for (int i = from; i < to; i++) {
            if (b[i] == '\n' && (i == from || b[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(b[i]);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
