package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The canonical line ends signing uses ({@link CrlfOutputStream}) and the receiver's second attempt
 * ({@link CrlfInputStream}) agree with one definition over seeded random text of {@code a}, CR and LF,
 * and the canonical form is one that openssl's text mode leaves unchanged, so text and binary
 * verification digest the same bytes.
 */
class CanonicalLineEndsTest {

    private static final long SEED = 0xC4_11EL;

    /** The definition: an LF with the CRs before it, or CRs at the very end, become CRLF; other CRs stay. */
    static String canonical(String s) {
        return s.replaceAll("\r*\n", "\r\n").replaceAll("\r+$", "\r\n");
    }

    /** What {@code openssl cms} (3.0) digests in text mode: each line's trailing CRs and LF become CRLF. */
    private static String opensslTextMode(String s) {
        StringBuilder out = new StringBuilder();
        int start = 0;
        while (start < s.length()) {
            int lf = s.indexOf('\n', start);
            int end = lf < 0 ? s.length() : lf + 1;
            int strip = end;
            while (strip > start && (s.charAt(strip - 1) == '\r' || s.charAt(strip - 1) == '\n')) {
                strip--;
            }
            out.append(s, start, strip);
            if (lf >= 0) {
                out.append("\r\n");
            }
            start = end;
        }
        return out.toString();
    }

    @Test
    void bothStreamsWriteTheDefinitionAndOpensslTextModeLeavesItAsItIs() throws IOException {
        Random random = new Random(SEED);
        for (int i = 0; i < 5000; i++) {
            String s = sample(random);
            String expected = canonical(s);
            String label = "case " + i + " (seed " + SEED + "): " + s.replace("\r", "\\r").replace("\n", "\\n");
            assertThat(written(s, random)).as(label).isEqualTo(expected);
            assertThat(read(s)).as(label).isEqualTo(expected);
            assertThat(canonical(expected)).as(label).isEqualTo(expected);
            // the form openssl's text mode digests is the form we sent: text and binary mode agree
            assertThat(opensslTextMode(expected)).as(label).isEqualTo(expected);
        }
    }

    private static String sample(Random random) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(30);
        for (int i = 0; i < length; i++) {
            s.append("ab\r\n\r".charAt(random.nextInt(5)));
        }
        return s.toString();
    }

    /** Through {@link CrlfOutputStream} in random pieces, so held CRs cross writes. */
    private static String written(String s, Random random) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CrlfOutputStream canonical = new CrlfOutputStream(out);
        int at = 0;
        while (at < bytes.length) {
            int n = 1 + random.nextInt(Math.min(6, bytes.length - at));
            if (n == 1 && random.nextBoolean()) {
                canonical.write(bytes[at]);
            } else {
                canonical.write(bytes, at, n);
            }
            at += n;
        }
        canonical.finish();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String read(String s) throws IOException {
        try (CrlfInputStream in = new CrlfInputStream(new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)))) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
