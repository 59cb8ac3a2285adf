package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.directmilter.crypto.smime.Fixtures.ALICE;
import static org.directmilter.crypto.smime.Fixtures.BOB;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded robustness: random truncations and byte flips of valid protected messages only ever give a
 * result (never an exception), never hang, and leave no temporary file behind.
 */
class UnprotectFuzzTest {

    private static final long SEED = 0x5eed_d1ec7L;
    private static final int CASES = 3000;

    @TempDir
    Path tmp;

    private enum Kind { VERIFIED, FAILURE }

    @Test
    void mutatedMessagesOnlyEverGiveNamedResults() throws Exception {
        byte[] cbc = UnprotectorTest.protect(ProtectOptions.DEFAULTS, Fixtures.message(), ALICE, BOB);
        byte[] gcm = UnprotectorTest.protect(new ProtectOptions(ContentCipher.AES_128_GCM, KeyTransport.RSA_OAEP_SHA1),
                Fixtures.message(), ALICE, BOB);
        // a small threshold, so that file spools are exercised and must be cleaned up too
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 512, tmp));
        Random random = new Random(SEED);
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);

        Assertions.assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] original = i % 2 == 0 ? cbc : gcm;
                byte[] mutated = mutate(original, random);
                String label = "case " + i + " (seed " + SEED + ")";
                // every other pair of cases with the length given: the CMS then parses as it decodes
                boolean lengthGiven = (i / 2) % 2 == 1;
                assertThatCode(() -> {
                    UnprotectResult result = lengthGiven
                            ? unprotector.unprotect(new ByteArrayInputStream(mutated), mutated.length, List.of(BOB))
                            : unprotector.unprotect(new ByteArrayInputStream(mutated), List.of(BOB));
                    if (result instanceof UnprotectResult.Verified verified) {
                        counts.merge(Kind.VERIFIED, 1, Integer::sum);
                        verified.close();
                    } else {
                        assertThat(((UnprotectResult.Failure) result).reason()).isNotBlank();
                        counts.merge(Kind.FAILURE, 1, Integer::sum);
                    }
                }).as(label).doesNotThrowAnyException();
            }
        });
        assertThat(counts.getOrDefault(Kind.FAILURE, 0)).isGreaterThan(CASES / 2);
        try (var left = Files.list(tmp)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    private static byte[] mutate(byte[] original, Random random) {
        int kind = random.nextInt(4);
        if (kind == 0) {
            return java.util.Arrays.copyOf(original, random.nextInt(original.length));
        }
        byte[] copy = original.clone();
        int flips = kind == 1 ? 1 : 1 + random.nextInt(8);
        for (int f = 0; f < flips; f++) {
            int at = random.nextInt(copy.length);
            copy[at] = kind == 3 ? (byte) random.nextInt(256) : (byte) (copy[at] ^ (1 << random.nextInt(8)));
        }
        return copy;
    }
}
