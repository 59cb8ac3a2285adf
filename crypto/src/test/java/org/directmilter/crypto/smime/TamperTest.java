package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.crypto.smime.Fixtures.ALICE;
import static org.directmilter.crypto.smime.Fixtures.BOB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One altered byte (or part) of a message we protected gives the specific failure, never an accept.
 *
 * <p>Which failure is a matter of layer. Damage the base64 encoding itself, or the CMS structure around
 * the ciphertext, and the message cannot be read: {@code Corrupt}. Change the ciphertext while keeping
 * valid base64, or change the plaintext and encrypt again, and everything still decrypts — CBC has no
 * integrity of its own — so it is the signature that catches it: the constant {@code NotVerified},
 * category {@code BAD_SIGNATURE}.
 */
class TamperTest {

    private static final UnprotectResult BAD_SIGNATURE =
            new UnprotectResult.NotVerified(UnprotectResult.Category.BAD_SIGNATURE);

    @TempDir
    Path tmp;

    private static final String BODY = "A long clinical note, line after line, so that a damaged block lands in the"
            + " middle of the signed content and nowhere near its MIME structure.\n";

    private static byte[] original() throws Exception {
        StringBuilder message = new StringBuilder(Fixtures.MESSAGE);
        for (int i = 0; i < 200; i++) {
            message.append(i).append(": ").append(BODY);
        }
        return UnprotectorTest.protect(ProtectOptions.DEFAULTS, message.toString().getBytes(StandardCharsets.UTF_8),
                ALICE, BOB);
    }

    private UnprotectResult unprotect(byte[] message) throws Exception {
        return Fixtures.unprotectBothWays(new Unprotector(new UnprotectOptions(false, 1 << 20, tmp)), message, BOB);
    }

    @Test
    void untouchedMessageIsVerified() throws Exception {
        assertThat(unprotect(original())).isInstanceOf(UnprotectResult.Verified.class);
    }

    @Test
    void anotherBase64CharacterInTheCiphertextIsABadSignature() throws Exception {
        byte[] outer = original();
        int at = alphabetCharacterNear(outer, bodyStart(outer) + (outer.length - bodyStart(outer)) / 2);
        outer[at] = (byte) (outer[at] == 'A' ? 'B' : 'A');
        assertThat(unprotect(outer)).isEqualTo(BAD_SIGNATURE);
    }

    @Test
    void paddingInTheMiddleOfTheBase64IsCorrupt() throws Exception {
        byte[] outer = original();
        int at = alphabetCharacterNear(outer, bodyStart(outer) + (outer.length - bodyStart(outer)) / 2);
        // an early '=' ends the base64 data: what follows is lost and the CMS structure is cut short
        outer[at] = '=';
        outer[at + 1] = '=';
        assertThat(unprotect(outer)).isInstanceOf(UnprotectResult.Corrupt.class);
    }

    @Test
    void characterOutsideTheAlphabetIsCorrupt() throws Exception {
        byte[] outer = original();
        int at = alphabetCharacterNear(outer, bodyStart(outer) + 400);
        // RFC 2045 says to skip it: every following character then lands six bits off
        outer[at] = '*';
        assertThat(unprotect(outer)).isInstanceOf(UnprotectResult.Corrupt.class);
    }

    @Test
    void alteredDerTagOfTheEnvelopeIsCorrupt() throws Exception {
        byte[] outer = original();
        byte[] cms = cms(outer);
        // EnvelopedData ::= SEQUENCE { version INTEGER, ... }: the INTEGER tag becomes a BOOLEAN
        int version = indexOf(cms, new byte[] {(byte) 0xa0, (byte) 0x80, 0x30, (byte) 0x80, 0x02, 0x01}) + 4;
        cms[version] = 0x01;
        assertThat(unprotect(withCms(outer, cms))).isInstanceOf(UnprotectResult.Corrupt.class);
    }

    @Test
    void alteredEncryptedContentKeyFailsLikeAlteredContent() throws Exception {
        byte[] outer = original();
        byte[] cms = cms(outer);
        // the RSA-encrypted content key, an OCTET STRING of 256 bytes: its padding no longer checks out, and
        // implicit rejection decrypts with a synthetic key instead: the content fails, not the key
        int key = indexOf(cms, new byte[] {0x04, (byte) 0x82, 0x01, 0x00}) + 4;
        cms[key + 128] ^= 0x01;
        assertThat(unprotect(withCms(outer, cms))).isInstanceOfSatisfying(UnprotectResult.NotVerified.class,
                failure -> assertThat(failure.category()).isIn(UnprotectResult.Category.DECRYPT,
                        UnprotectResult.Category.INNER_MIME));
    }

    @Test
    void alteredSignedContentIsABadSignature() throws Exception {
        byte[] outer = reencrypt(original(), entity -> entity.replace("199: A long clinical", "199: A l0ng clinical"));
        assertThat(unprotect(outer)).isEqualTo(BAD_SIGNATURE);
    }

    @Test
    void signaturePartOfAnotherMessageIsABadSignature() throws Exception {
        String other = new String(decrypt(UnprotectorTest.protect(ProtectOptions.DEFAULTS, Fixtures.message(),
                ALICE, BOB)), StandardCharsets.ISO_8859_1);
        byte[] outer = reencrypt(original(), entity -> signaturePart(entity, signaturePart(other, null)));
        assertThat(unprotect(outer)).isEqualTo(BAD_SIGNATURE);
    }

    /**
     * The signature part of a multipart/signed entity (its headers and base64, between the second
     * delimiter and the closing one); with {@code replacement}, the entity with that part replaced.
     */
    private static String signaturePart(String entity, String replacement) {
        int start = entity.indexOf("Content-Type: application/pkcs7-signature");
        int end = entity.lastIndexOf("\r\n--");
        return replacement == null ? entity.substring(start, end)
                : entity.substring(0, start) + replacement + entity.substring(end);
    }

    // ---- taking a protected message apart and putting it back together ----

    private static int bodyStart(byte[] outer) {
        return indexOf(outer, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
    }

    private static int alphabetCharacterNear(byte[] outer, int from) {
        int i = from;
        while (!Character.isLetterOrDigit(outer[i])) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    private static byte[] cms(byte[] outer) {
        int body = bodyStart(outer);
        return Base64.getMimeDecoder().decode(java.util.Arrays.copyOfRange(outer, body, outer.length));
    }

    private static byte[] withCms(byte[] outer, byte[] cms) {
        String headers = new String(outer, 0, bodyStart(outer), StandardCharsets.US_ASCII);
        return (headers + Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cms)
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The signed entity inside, decrypted with Bouncy Castle's own calls (not the code under test). */
    private static byte[] decrypt(byte[] outer) throws Exception {
        CMSEnvelopedData envelope = new CMSEnvelopedData(cms(outer));
        return envelope.getRecipientInfos().getRecipients().iterator().next()
                .getContent(new JceKeyTransEnvelopedRecipient(BOB.key()));
    }

    /** Decrypts, lets {@code change} alter the signed entity, and encrypts the result to Bob again. */
    private static byte[] reencrypt(byte[] outer, UnaryOperator<String> change) throws Exception {
        String entity = new String(decrypt(outer), StandardCharsets.ISO_8859_1);
        String changed = change.apply(entity);
        assertThat(changed).isNotEqualTo(entity);
        CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
        generator.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(BOB.certificate()));
        byte[] cms = generator.generate(new CMSProcessableByteArray(changed.getBytes(StandardCharsets.ISO_8859_1)),
                new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).build()).getEncoded();
        return withCms(outer, cms);
    }
}
