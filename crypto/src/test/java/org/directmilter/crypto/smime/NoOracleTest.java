package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.crypto.smime.Fixtures.ALICE;
import static org.directmilter.crypto.smime.Fixtures.BOB;
import static org.directmilter.crypto.smime.CmsForgery.envelope;
import static org.directmilter.crypto.smime.CmsForgery.outer;
import static org.directmilter.crypto.smime.CmsForgery.recipientInfo;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.directmilter.crypto.smime.UnprotectResult.Category;
import org.directmilter.crypto.smime.UnprotectResult.NotVerified;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decryption oracles of issue 19, each built as an attacker would build it: whatever the cause of a
 * failure after the content key is unwrapped, the result is the same {@link NotVerified} with the same
 * constant reason, and no reason ever holds a byte of the plaintext.
 */
class NoOracleTest {

    /** In the plaintext of every message here; must never appear in a result. */
    private static final String MARKER = "PHI-MARKER-4c1d";

    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path tmp;

    /** One instance, as in the daemon: its implicit rejection secret is drawn once. */
    private Unprotector unprotector;

    @org.junit.jupiter.api.BeforeEach
    void unprotector() {
        unprotector = new Unprotector(new UnprotectOptions(false, 1 << 20, tmp));
    }

    private UnprotectResult unprotect(byte[] message) throws Exception {
        UnprotectResult spooled = unprotector.unprotect(new ByteArrayInputStream(message), List.of(BOB));
        UnprotectResult result = Fixtures.unprotectBothWays(unprotector, message, BOB);
        assertThat(result).as("with the length given, as without").isEqualTo(spooled);
        return result;
    }

    /** A real protected message whose body has {@link #MARKER} on every line. */
    private static byte[] protectedMessage() throws Exception {
        StringBuilder message = new StringBuilder(Fixtures.MESSAGE);
        for (int i = 0; i < 100; i++) {
            message.append(i).append(" diagnosis ").append(MARKER).append(" more text on this line\n");
        }
        return UnprotectorTest.protect(ProtectOptions.DEFAULTS, message.toString().getBytes(StandardCharsets.UTF_8),
                ALICE, BOB);
    }

    private static void assertConstantFailure(UnprotectResult result) {
        assertThat(result).isInstanceOf(NotVerified.class);
        assertThat(((NotVerified) result).reason()).isEqualTo(NotVerified.REASON)
                .isEqualTo("message could not be decrypted or verified");
        assertThat(result.toString()).doesNotContain(MARKER);
    }

    @Test
    void resubmittedCiphertextTailDecryptsToPlaintextButAnswersOnlyTheConstant() throws Exception {
        EnvelopedData original = CmsForgery.envelopedData(protectedMessage());
        byte[] ciphertext = original.getEncryptedContentInfo().getEncryptedContent().getOctets();
        int blocks = ciphertext.length / 16;
        List<UnprotectResult> results = new ArrayList<>();
        for (int block = blocks / 4; block < blocks - 1; block += Math.max(1, blocks / 12)) {
            // the previous ciphertext block as IV, the tail from here on, under the same RecipientInfo
            byte[] iv = Arrays.copyOfRange(ciphertext, (block - 1) * 16, block * 16);
            byte[] tail = Arrays.copyOfRange(ciphertext, block * 16, ciphertext.length);
            byte[] forged = outer(envelope(original.getRecipientInfos(), iv, tail));

            // the attack is real: the forged message decrypts to a fragment of the original plaintext
            String fragment = new String(decryptWithBouncyCastle(forged), StandardCharsets.ISO_8859_1);
            if (block * 16 < ciphertext.length / 2) {
                assertThat(fragment).contains(MARKER);
            }
            UnprotectResult result = unprotect(forged);
            assertConstantFailure(result);
            results.add(result);
        }
        assertThat(results).hasSizeGreaterThan(5);
    }

    @Test
    void wrongAndRightCbcPaddingAnswerTheSame() throws Exception {
        byte[] key = random(32);
        byte[] iv = random(16);
        byte[] block = (MARKER + " not a header line at all....\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] wrongPadding = Arrays.copyOf(block, 48);
        wrongPadding[47] = 0x11; // no PKCS#7 padding ends in 17
        byte[] rightPaddingNotMime = pkcs7(block);
        byte[] rightPaddingUnsigned = pkcs7(("Content-Type: text/plain\r\n\r\n" + MARKER + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        List<UnprotectResult> results = new ArrayList<>();
        for (byte[] plaintext : List.of(wrongPadding, rightPaddingNotMime, rightPaddingUnsigned)) {
            byte[] message = outer(envelope(recipientInfo(BOB.certificate(), PKCSObjectIdentifiers.rsaEncryption,
                    rsaPkcs1(key)), iv, cbcNoPadding(key, iv, plaintext)));
            UnprotectResult result = unprotect(message);
            assertConstantFailure(result);
            results.add(result);
        }
        assertThat(results).extracting(r -> ((NotVerified) r).category())
                .containsExactly(Category.DECRYPT, Category.INNER_MIME, Category.UNSIGNED);
        assertThat(results).extracting(r -> ((UnprotectResult.Failure) r).reason()).containsOnly(NotVerified.REASON);
    }

    @Test
    void badPkcs1KeyTransportAnswersLikeBadContent() throws Exception {
        byte[] key = random(32);
        byte[] iv = random(16);
        byte[] ciphertext = cbcNoPadding(key, iv, pkcs7(("Content-Type: text/plain\r\n\r\n" + MARKER + "\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        byte[] goodKey = rsaPkcs1(key);
        byte[] badPadding = rsaRaw(block(0x01, key)); // block type 1 is for signatures: the padding check fails
        byte[] wrongLength = rsaPkcs1(Arrays.copyOf(key, 16)); // unwraps, but is not an AES-256 key
        byte[] garbage = random(256); // most likely not even a number below the modulus
        List<UnprotectResult> results = new ArrayList<>();
        for (byte[] encryptedKey : List.of(goodKey, badPadding, wrongLength, garbage)) {
            byte[] message = outer(envelope(recipientInfo(BOB.certificate(), PKCSObjectIdentifiers.rsaEncryption,
                    encryptedKey), iv, ciphertext));
            UnprotectResult result = unprotect(message);
            assertConstantFailure(result);
            results.add(result);
            // the same ciphertext always takes the same path: the synthetic key is derived, not drawn
            assertThat(unprotect(message)).isEqualTo(result);
        }
        assertThat(((NotVerified) results.get(0)).category()).isEqualTo(Category.UNSIGNED);
        for (UnprotectResult rejected : results.subList(1, results.size())) {
            // a synthetic key: the content turns to noise, which fails like any damaged content
            assertThat(((NotVerified) rejected).category()).isIn(Category.DECRYPT, Category.INNER_MIME,
                    Category.UNSIGNED);
        }
    }

    @Test
    void badOaepKeyTransportAnswersTheConstant() throws Exception {
        byte[] iv = random(16);
        byte[] ciphertext = cbcNoPadding(random(32), iv, pkcs7(MARKER.getBytes(StandardCharsets.US_ASCII)));
        byte[] message = outer(envelope(recipientInfo(BOB.certificate(), PKCSObjectIdentifiers.id_RSAES_OAEP,
                rsaPkcs1(random(32))), iv, ciphertext));
        assertConstantFailure(unprotect(message));
    }

    @Test
    void implicitRejectionGivesAKeyOfTheRightLengthDerivedFromTheCiphertext() {
        ImplicitRejection rejection = new ImplicitRejection(new SecureRandom());
        AlgorithmIdentifier aes128 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_aes128_CBC);
        byte[] encrypted = random(256);
        ImplicitRejection.Unwrap failing = () -> {
            throw new org.bouncycastle.cms.CMSException("bad padding");
        };
        byte[] first = rejection.contentKey(failing, aes128, encrypted).getEncoded();
        assertThat(first).hasSize(16);
        assertThat(rejection.contentKey(failing, aes128, encrypted).getEncoded()).isEqualTo(first);
        assertThat(rejection.contentKey(failing, aes128, random(256)).getEncoded()).isNotEqualTo(first);
        byte[] real = random(16);
        assertThat(rejection.contentKey(() -> new SecretKeySpec(real, "AES"), aes128, encrypted).getEncoded())
                .isEqualTo(real);
        assertThat(rejection.contentKey(() -> new SecretKeySpec(random(32), "AES"), aes128, encrypted).getEncoded())
                .as("a key of the wrong length is rejected like a bad one").isEqualTo(first);
    }

    @Test
    void malformedInnerHeadersNeverQuoteTheLine() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> MimeHeaders.read(new ByteArrayInputStream(
                (MARKER + " no colon here\r\n\r\n").getBytes(StandardCharsets.US_ASCII)))))
                .isInstanceOf(MimeHeaders.MalformedException.class).message().doesNotContain(MARKER);
    }

    // ---- building CMS by hand, as an attacker would ----

    private static byte[] decryptWithBouncyCastle(byte[] outer) throws Exception {
        String text = new String(outer, StandardCharsets.US_ASCII);
        CMSEnvelopedData envelope = new CMSEnvelopedData(Base64.getMimeDecoder()
                .decode(text.substring(text.indexOf("\r\n\r\n") + 4)));
        return envelope.getRecipientInfos().getRecipients().iterator().next()
                .getContent(new JceKeyTransEnvelopedRecipient(BOB.key()));
    }

    private static byte[] rsaPkcs1(byte[] key) throws Exception {
        Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        rsa.init(Cipher.ENCRYPT_MODE, BOB.certificate().getPublicKey());
        return rsa.doFinal(key);
    }

    private static byte[] rsaRaw(byte[] block) throws Exception {
        Cipher rsa = Cipher.getInstance("RSA/ECB/NoPadding");
        rsa.init(Cipher.ENCRYPT_MODE, BOB.certificate().getPublicKey());
        return rsa.doFinal(block);
    }

    /** A 256-byte PKCS#1 block {@code 00 type FF.. 00 key}. */
    private static byte[] block(int type, byte[] key) {
        byte[] block = new byte[256];
        block[1] = (byte) type;
        Arrays.fill(block, 2, 256 - key.length - 1, (byte) 0xff);
        System.arraycopy(key, 0, block, 256 - key.length, key.length);
        return block;
    }

    private static byte[] cbcNoPadding(byte[] key, byte[] iv, byte[] plaintext) throws Exception {
        Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return aes.doFinal(plaintext);
    }

    private static byte[] pkcs7(byte[] data) {
        int pad = 16 - data.length % 16;
        byte[] padded = Arrays.copyOf(data, data.length + pad);
        Arrays.fill(padded, data.length, padded.length, (byte) pad);
        return padded;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
