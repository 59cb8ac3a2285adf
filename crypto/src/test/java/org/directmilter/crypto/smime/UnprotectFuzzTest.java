package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.directmilter.crypto.smime.Fixtures.ALICE;
import static org.directmilter.crypto.smime.Fixtures.BOB;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded robustness: random truncations and byte flips of valid protected messages, and forgeries made
 * from their ciphertext (a resubmitted tail, a changed block before the padding), only ever give a result
 * (never an exception), never hang, never put a byte of the plaintext into a reason, and leave no
 * temporary file behind. Another seed: {@code -Ddm.fuzz.seed=N}; a failure names the seed and the case.
 */
class UnprotectFuzzTest {

    private static final long SEED = Long.getLong("dm.fuzz.seed", 0x5eed_d1ec7L);
    private static final int CASES = 6000;
    private static final String MARKER = "FUZZ-PHI-MARKER-91b2";

    @TempDir
    Path tmp;

    private enum Kind { VERIFIED, FAILURE, NOT_VERIFIED }

    @Test
    void mutatedMessagesOnlyEverGiveNamedResultsThatQuoteNothing() throws Exception {
        byte[] message = (Fixtures.MESSAGE + MARKER + " in the body\n" + (MARKER + " line\n").repeat(20))
                .getBytes(StandardCharsets.UTF_8);
        byte[] cbc = UnprotectorTest.protect(ProtectOptions.DEFAULTS, message, ALICE, BOB);
        byte[] gcm = UnprotectorTest.protect(new ProtectOptions(ContentCipher.AES_128_GCM, KeyTransport.RSA_OAEP_SHA1),
                message, ALICE, BOB);
        EnvelopedData envelope = CmsForgery.envelopedData(cbc);
        byte[] ciphertext = envelope.getEncryptedContentInfo().getEncryptedContent().getOctets();
        // a small threshold, so that file spools are exercised and must be cleaned up too
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 512, tmp));
        Random random = new Random(SEED);
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);

        Assertions.assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] mutated = switch (i % 4) {
                    case 0 -> mutate(cbc, random);
                    case 1 -> mutate(gcm, random);
                    default -> forge(envelope, ciphertext, random);
                };
                String label = "case " + i + " (seed " + SEED + ", rerun with -Ddm.fuzz.seed=" + SEED + ")";
                // every other pair of cases with the length given: the CMS then parses as it decodes
                boolean lengthGiven = (i / 2) % 2 == 1;
                assertThatCode(() -> {
                    UnprotectResult result = lengthGiven
                            ? unprotector.unprotect(new ByteArrayInputStream(mutated), mutated.length, List.of(BOB))
                            : unprotector.unprotect(new ByteArrayInputStream(mutated), List.of(BOB));
                    if (result instanceof UnprotectResult.Verified verified) {
                        counts.merge(Kind.VERIFIED, 1, Integer::sum);
                        verified.close();
                        return;
                    }
                    UnprotectResult.Failure failure = (UnprotectResult.Failure) result;
                    assertThat(failure.reason()).as(label).isNotBlank().doesNotContain(MARKER, "PHI", "Hello Bob");
                    assertThat(failure.toString()).as(label).doesNotContain(MARKER);
                    if (failure instanceof UnprotectResult.NotVerified) {
                        assertThat(failure.reason()).as(label).isEqualTo(UnprotectResult.NotVerified.REASON);
                        counts.merge(Kind.NOT_VERIFIED, 1, Integer::sum);
                    }
                    counts.merge(Kind.FAILURE, 1, Integer::sum);
                }).as(label).doesNotThrowAnyException();
            }
        }, "the fuzz run did not finish (seed " + SEED + ")");
        assertThat(counts.getOrDefault(Kind.FAILURE, 0)).as("seed " + SEED).isGreaterThan(CASES / 2);
        assertThat(counts.getOrDefault(Kind.NOT_VERIFIED, 0)).as("seed " + SEED).isGreaterThan(CASES / 4);
        try (var left = Files.list(tmp)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    private static byte[] mutate(byte[] original, Random random) {
        int kind = random.nextInt(4);
        if (kind == 0) {
            return Arrays.copyOf(original, random.nextInt(original.length));
        }
        byte[] copy = original.clone();
        int flips = kind == 1 ? 1 : 1 + random.nextInt(8);
        for (int f = 0; f < flips; f++) {
            int at = random.nextInt(copy.length);
            copy[at] = kind == 3 ? (byte) random.nextInt(256) : (byte) (copy[at] ^ (1 << random.nextInt(8)));
        }
        return copy;
    }

    /**
     * A forgery under the original RecipientInfo: a ciphertext tail with the block before it as IV (it
     * decrypts to plaintext from the middle of the message), or the original with a byte of the last but
     * one block changed (the padding, probed as a padding oracle would), or a few blocks swapped.
     */
    private static byte[] forge(EnvelopedData envelope, byte[] ciphertext, Random random) throws Exception {
        int blocks = ciphertext.length / 16;
        byte[] iv;
        byte[] content;
        switch (random.nextInt(3)) {
            case 0 -> {
                int from = 1 + random.nextInt(blocks - 1);
                iv = Arrays.copyOfRange(ciphertext, (from - 1) * 16, from * 16);
                content = Arrays.copyOfRange(ciphertext, from * 16, ciphertext.length);
            }
            case 1 -> {
                iv = new byte[16];
                random.nextBytes(iv);
                content = ciphertext.clone();
                content[content.length - 17 - random.nextInt(16)] ^= (byte) (1 + random.nextInt(255));
            }
            default -> {
                iv = new byte[16];
                random.nextBytes(iv);
                content = ciphertext.clone();
                int a = random.nextInt(blocks);
                int b = random.nextInt(blocks);
                byte[] saved = Arrays.copyOfRange(content, a * 16, a * 16 + 16);
                System.arraycopy(content, b * 16, content, a * 16, 16);
                System.arraycopy(saved, 0, content, b * 16, 16);
            }
        }
        return CmsForgery.outer(CmsForgery.envelope(envelope.getRecipientInfos(), iv, content));
    }
}
