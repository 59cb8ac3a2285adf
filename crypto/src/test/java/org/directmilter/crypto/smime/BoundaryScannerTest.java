package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming scanner against a plain line-by-line reading of the same bytes held in one array. */
class BoundaryScannerTest {

    private static final long SEED = 0xb0_da_1eL;
    private static final String BOUNDARY = "=_b0und";

    @Test
    void findsWhatALineByLineReadingFinds() throws IOException {
        Random random = new Random(SEED);
        for (int i = 0; i < 5000; i++) {
            byte[] body = body(random);
            long base = random.nextInt(3) * 1000L;
            List<BoundaryScanner.Delimiter> expected = reference(body, base);
            List<BoundaryScanner.Delimiter> actual = BoundaryScanner.scan(new RandomPieces(body, random, 9), base, BOUNDARY);
            assertThat(actual).as("case %d (seed %d): %s", i, SEED, new String(body, StandardCharsets.ISO_8859_1))
                    .isEqualTo(expected);
        }
    }

    @Test
    void partsOfATypicalSignedBody() throws IOException {
        byte[] body = ("--" + BOUNDARY + "\r\nA\r\n--" + BOUNDARY + "\r\nB\r\n--" + BOUNDARY + "--\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        List<BoundaryScanner.Delimiter> found = BoundaryScanner.scan(new RandomPieces(body, new Random(1), 9), 0, BOUNDARY);
        assertThat(found).hasSize(3);
        assertThat(found.get(0)).isEqualTo(new BoundaryScanner.Delimiter(0, 11, false));
        // "A" is [11, 12): the CRLF before the second delimiter belongs to the delimiter
        assertThat(found.get(1).breakStart()).isEqualTo(12);
        assertThat(found.get(2).close()).isTrue();
    }

    private static byte[] body(Random random) {
        String[] lines = {"--" + BOUNDARY, "--" + BOUNDARY + "--", "--" + BOUNDARY + " \t", "--" + BOUNDARY + "x",
            "--" + BOUNDARY + "-- ", "-", "", "text", "- --" + BOUNDARY, "--" + BOUNDARY + " ".repeat(85), "\r",
            "x".repeat(200), "-".repeat(120), "--=_b0un"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = random.nextInt(12);
        for (int i = 0; i < count; i++) {
            out.writeBytes(lines[random.nextInt(lines.length)].getBytes(StandardCharsets.ISO_8859_1));
            if (i < count - 1 || random.nextBoolean()) {
                out.writeBytes(random.nextBoolean() ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
            }
        }
        return out.toByteArray();
    }

    /** Splits at each LF; a delimiter line is the marker, "--" optionally, then blanks, within the head. */
    private static List<BoundaryScanner.Delimiter> reference(byte[] body, long base) {
        byte[] marker = ("--" + BOUNDARY).getBytes(StandardCharsets.ISO_8859_1);
        int headLimit = marker.length + 80;
        List<BoundaryScanner.Delimiter> found = new ArrayList<>();
        int start = 0;
        int previousBreak = 0;
        while (start < body.length) {
            int lf = start;
            while (lf < body.length && body[lf] != '\n') {
                lf++;
            }
            int rawLength = lf - start;
            boolean cr = rawLength > 0 && body[lf - 1] == '\r';
            String line = new String(body, start, cr ? rawLength - 1 : rawLength, StandardCharsets.ISO_8859_1);
            String marked = "--" + BOUNDARY;
            if (rawLength <= headLimit && line.startsWith(marked)) {
                String rest = line.substring(marked.length());
                boolean close = rest.startsWith("--");
                if ((close ? rest.substring(2) : rest).chars().allMatch(c -> c == ' ' || c == '\t')) {
                    long breakStart = base + (start == 0 ? 0 : previousBreak);
                    long end = base + Math.min(lf + 1, body.length);
                    found.add(new BoundaryScanner.Delimiter(breakStart, end, close));
                }
            }
            if (lf == body.length) {
                break;
            }
            previousBreak = cr ? lf - 1 : lf;
            start = lf + 1;
        }
        return found;
    }
}
