package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.TestPki;

/** One test PKI per test JVM: RSA key generation is the slow part of these tests. */
final class Fixtures {

    static final TestPki PKI = TestPki.create("Test Direct CA");
    static final PrivateKeyEntry ALICE = PKI.rsaEntity("alice@hisp.example", 2048);
    static final PrivateKeyEntry BOB = PKI.rsaEntity("bob@partner.example", 2048);
    static final PrivateKeyEntry CAROL = PKI.rsaEntity("carol@partner.example", 2048);

    static final String MESSAGE = "From: Alice <alice@hisp.example>\n"
            + "To: Bob <bob@partner.example>\n"
            + "Cc: carol@partner.example\n"
            + "Bcc: hidden@hisp.example\n"
            + "Subject: Patient summary (PHI)\n"
            + "Date: Mon, 2 Mar 2026 10:00:00 +0000\n"
            + "Message-ID: <abc.123@hisp.example>\n"
            + "MIME-Version: 1.0\n"
            + "Content-Type: text/plain; charset=utf-8\n"
            + "\n"
            + "Hello Bob,\n"
            + "the summary follows.\n";

    static byte[] message() {
        return MESSAGE.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Unprotects {@code message} both ways — from a stream of unknown length (the CMS decoded into a
     * spool first) and with its length given (the CMS parsed as it is decoded) — and requires the same
     * verdict and the same message from both; returns the second.
     */
    static UnprotectResult unprotectBothWays(Unprotector unprotector, byte[] message, PrivateKeyEntry... keys)
            throws IOException {
        UnprotectResult spooled = unprotector.unprotect(new ByteArrayInputStream(message), List.of(keys));
        UnprotectResult streamed = unprotector.unprotect(new ByteArrayInputStream(message), message.length,
                List.of(keys));
        assertThat(streamed.getClass()).as("with the length given, as without").isEqualTo(spooled.getClass());
        if (spooled instanceof UnprotectResult.Verified first) {
            try (first) {
                assertThat(((UnprotectResult.Verified) streamed).message().toByteArray())
                        .isEqualTo(first.message().toByteArray());
            }
        }
        return streamed;
    }

    static byte[] crlf(String text) {
        return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private Fixtures() {
    }
}
