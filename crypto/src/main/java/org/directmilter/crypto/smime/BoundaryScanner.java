package org.directmilter.crypto.smime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the delimiter lines of a multipart body (RFC 2046 §5.1.1) and their exact offsets, so a part's
 * bytes can be re-read as they were received: a part ends where the line break before the next
 * delimiter begins, because that line break belongs to the delimiter.
 */
final class BoundaryScanner {

    /**
     * A delimiter line: {@code breakStart} is where the line break before it starts (its own start when
     * it opens the body), {@code end} is just after its own line break, {@code close} marks {@code --B--}.
     */
    record Delimiter(long breakStart, long end, boolean close) {
    }

    private BoundaryScanner() {
    }

    /**
     * Scans {@code in}, whose first byte is at offset {@code base}, for delimiters of {@code boundary}.
     *
     * <p>Only a line that starts with {@code -} can be a delimiter, so every other line is skipped to its
     * LF without looking at its bytes one by one: this pass runs over the whole decrypted message.
     */
    static List<Delimiter> scan(InputStream in, long base, String boundary) throws IOException {
        byte[] marker = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] head = new byte[marker.length + 80];
        List<Delimiter> found = new ArrayList<>();
        // small and fixed: most lines are skipped to their LF, and a larger block saves nothing but calls
        byte[] buffer = new byte[Buffers.SMALLEST];
        long pos = base; // offset of buffer[0]
        long lineStart = base;
        long previousBreak = base; // where the line break that ended the previous line began
        int headLength = 0;
        boolean candidate = true; // the current line may still be a delimiter; its bytes are in head
        int lastByte = -1; // the byte before buffer[0]
        int n;
        while ((n = in.read(buffer)) > 0) {
            int i = 0;
            while (i < n) {
                if (!candidate) {
                    while (i < n && buffer[i] != '\n') {
                        i++;
                    }
                    if (i == n) {
                        break;
                    }
                } else if (buffer[i] != '\n') {
                    if (headLength == head.length || headLength == 0 && buffer[i] != '-') {
                        candidate = false;
                    } else {
                        head[headLength++] = buffer[i];
                    }
                    i++;
                    continue;
                }
                // buffer[i] is the LF that ends a line
                long at = pos + i;
                boolean cr = (i > 0 ? buffer[i - 1] : lastByte) == '\r';
                if (candidate) {
                    evaluate(head, cr ? headLength - 1 : headLength, marker,
                            lineStart == base ? lineStart : previousBreak, at + 1, found);
                }
                previousBreak = cr ? at - 1 : at;
                lineStart = at + 1;
                headLength = 0;
                candidate = true;
                i++;
            }
            lastByte = buffer[n - 1];
            pos += n;
        }
        if (candidate && headLength > 0) {
            evaluate(head, lastByte == '\r' ? headLength - 1 : headLength, marker,
                    lineStart == base ? lineStart : previousBreak, pos, found);
        }
        return found;
    }

    private static void evaluate(byte[] line, int length, byte[] marker, long breakStart, long end,
                                 List<Delimiter> found) {
        if (length < marker.length) {
            return;
        }
        for (int i = 0; i < marker.length; i++) {
            if (line[i] != marker[i]) {
                return;
            }
        }
        int i = marker.length;
        boolean close = length >= i + 2 && line[i] == '-' && line[i + 1] == '-';
        if (close) {
            i += 2;
        }
        for (; i < length; i++) {
            if (line[i] != ' ' && line[i] != '\t') {
                return; // a longer boundary that merely starts with ours
            }
        }
        found.add(new Delimiter(breakStart, end, close));
    }
}
