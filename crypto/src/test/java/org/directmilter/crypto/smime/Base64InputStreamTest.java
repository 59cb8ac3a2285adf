package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Our block decoder must accept and reject exactly what the JDK's MIME stream decoder did before it,
 * so the verdicts of unprotect do not change with the speed-up.
 */
class Base64InputStreamTest {

    private static final long SEED = 0xb64_5eedL;

    @Test
    void decodesLikeTheJdkMimeDecoderOverSeededRandomInput() throws IOException {
        Random random = new Random(SEED);
        int failures = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input = sample(random);
            Outcome jdk = decode(Base64.getMimeDecoder().wrap(new ByteArrayInputStream(input)), random, false);
            // served in odd-sized pieces so quanta and padding straddle our block boundaries
            Outcome ours = decode(new Base64InputStream(new RandomPieces(input, random, 7)), random, random.nextBoolean());
            String label = "case " + i + " (seed " + SEED + "): " + new String(input, StandardCharsets.ISO_8859_1);
            assertThat(ours.failed()).as(label).isEqualTo(jdk.failed());
            if (!jdk.failed()) {
                assertThat(ours.bytes()).as(label).isEqualTo(jdk.bytes());
            } else {
                failures++;
            }
        }
        // the mutations must actually reach the error paths, not only the happy one
        assertThat(failures).isBetween(1000, 19_000);
    }

    @Test
    void decodesALargeBodyAcrossManyBlocks() throws IOException {
        byte[] data = new byte[300_001];
        new Random(SEED).nextBytes(data);
        byte[] encoded = Base64.getMimeEncoder().encode(data);
        try (InputStream in = new Base64InputStream(new ByteArrayInputStream(encoded))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void namesADanglingCharacter() {
        assertThatThrownBy(() -> new Base64InputStream(new ByteArrayInputStream("QUJDR".getBytes(StandardCharsets.US_ASCII)))
                .readAllBytes()).isInstanceOf(IOException.class).hasMessageContaining("dangling");
    }

    @Test
    void stopsReadingAtThePadding() throws IOException {
        byte[] input = "QQ==\r\nthis is not base64 at all!".getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = new Base64InputStream(new ByteArrayInputStream(input))) {
            assertThat(in.readAllBytes()).containsExactly('A');
        }
    }

    private record Outcome(boolean failed, byte[] bytes) {
    }

    private static Outcome decode(InputStream in, Random random, boolean byteAtATime) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (in) {
            if (byteAtATime) {
                int b;
                while ((b = in.read()) >= 0) {
                    out.write(b);
                }
            } else {
                byte[] buffer = new byte[1 + random.nextInt(100)];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            }
            return new Outcome(false, out.toByteArray());
        } catch (IOException e) {
            return new Outcome(true, null);
        }
    }

    /** Valid MIME base64 of a few random bytes, then a few insertions, deletions and truncations. */
    private static byte[] sample(Random random) {
        byte[] data = new byte[random.nextInt(120)];
        random.nextBytes(data);
        byte[] encoded = random.nextBoolean() ? Base64.getMimeEncoder().encode(data)
                : Base64.getMimeEncoder(4 * (1 + random.nextInt(5)), "\r\n".getBytes(StandardCharsets.US_ASCII))
                        .encode(data);
        StringBuilder text = new StringBuilder(new String(encoded, StandardCharsets.ISO_8859_1));
        if (random.nextInt(4) == 0) {
            text.append("\r\n");
        }
        int edits = random.nextInt(4);
        for (int e = 0; e < edits && !text.isEmpty(); e++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> text.insert(at, '=');
                case 1 -> text.insert(at, "==");
                case 2 -> text.insert(at, (char) random.nextInt(256));
                case 3 -> text.deleteCharAt(Math.min(at, text.length() - 1));
                default -> text.setLength(at);
            }
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
