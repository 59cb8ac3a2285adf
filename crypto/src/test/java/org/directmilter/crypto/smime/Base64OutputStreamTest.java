package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Our block encoder must write exactly what the JDK's MIME stream encoder wrote before it. */
class Base64OutputStreamTest {

    private static final long SEED = 0xb64_0e7cL;
    private static final byte[] CRLF = {'\r', '\n'};

    @Test
    void encodesLikeTheJdkMimeEncoderWhateverTheSizesAndWrites() throws IOException {
        Random random = new Random(SEED);
        for (int i = 0; i < 2_000; i++) {
            // around the line (57 bytes) and block (64 lines) boundaries, and well past them
            int size = switch (i % 4) {
                case 0 -> random.nextInt(200);
                case 1 -> 57 * 64 * (1 + random.nextInt(3)) + random.nextInt(7) - 3;
                default -> random.nextInt(40_000);
            };
            byte[] data = new byte[Math.max(0, size)];
            random.nextBytes(data);
            long writes = random.nextLong();
            byte[] jdk = encode(Base64.getMimeEncoder(76, CRLF)::wrap, data, new Random(writes));
            byte[] ours = encode(Base64OutputStream::new, data, new Random(writes));
            assertThat(new String(ours, StandardCharsets.US_ASCII)).as("case %d: %d bytes", i, data.length)
                    .isEqualTo(new String(jdk, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void closesTheStreamBelowOnceAndRefusesWritesAfterwards() throws IOException {
        int[] closes = {0};
        OutputStream below = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closes[0]++;
            }
        };
        Base64OutputStream out = new Base64OutputStream(below);
        out.write(new byte[] {1, 2});
        out.close();
        out.close();
        assertThat(closes[0]).isEqualTo(1);
        assertThat(below.toString()).isEqualTo("AQI=");
        assertThatThrownBy(() -> out.write(3)).isInstanceOf(IOException.class);
    }

    /** Writes {@code data} in random pieces (single bytes among them), flushing now and then; returns what came out. */
    private static byte[] encode(Function<OutputStream, OutputStream> encoder, byte[] data, Random random)
            throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream under = encoder.apply(sink);
        int pos = 0;
        while (pos < data.length) {
            int n = random.nextInt(10) == 0 ? 1 : Math.min(data.length - pos, 1 + random.nextInt(9000));
            if (n == 1) {
                under.write(data[pos]);
            } else {
                under.write(data, pos, n);
            }
            pos += n;
            if (random.nextInt(8) == 0) {
                under.flush();
            }
        }
        under.close();
        return sink.toByteArray();
    }
}
