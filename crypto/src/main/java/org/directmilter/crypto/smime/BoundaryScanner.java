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

    /** Scans {@code in}, whose first byte is at offset {@code base}, for delimiters of {@code boundary}. */
    static List<Delimiter> scan(InputStream in, long base, String boundary) throws IOException {
        byte[] marker = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] head = new byte[marker.length + 80];
        List<Delimiter> found = new ArrayList<>();
        byte[] buffer = new byte[65536];
        long pos = base;
        long lineStart = base;
        long previousBreak = base; // where the line break that ended the previous line began
        int headLength = 0;
        int lineLength = 0;
        boolean previousCr = false;
        int n;
        while ((n = in.read(buffer)) > 0) {
            for (int i = 0; i < n; i++, pos++) {
                byte b = buffer[i];
                if (b == '\n') {
                    long breakStart = previousCr ? pos - 1 : pos;
                    int contentLength = previousCr ? headLength - 1 : headLength;
                    if (lineLength == headLength) {
                        evaluate(head, contentLength, marker, lineStart == base ? lineStart : previousBreak,
                                pos + 1, found);
                    }
                    previousBreak = breakStart;
                    lineStart = pos + 1;
                    headLength = 0;
                    lineLength = 0;
                    previousCr = false;
                    continue;
                }
                if (headLength < head.length) {
                    head[headLength++] = b;
                }
                lineLength++;
                previousCr = b == '\r';
            }
        }
        if (lineLength > 0 && lineLength == headLength) {
            evaluate(head, previousCr ? headLength - 1 : headLength, marker,
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
