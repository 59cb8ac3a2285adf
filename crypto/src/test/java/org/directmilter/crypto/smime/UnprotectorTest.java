package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.crypto.smime.Fixtures.ALICE;
import static org.directmilter.crypto.smime.Fixtures.BOB;
import static org.directmilter.crypto.smime.Fixtures.CAROL;
import static org.directmilter.crypto.smime.Fixtures.PKI;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.UnprotectResult.Verified;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class UnprotectorTest {

    @TempDir
    Path tmp;

    static byte[] protect(ProtectOptions options, byte[] message, PrivateKeyEntry signer, PrivateKeyEntry... to)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Protector(options).protectMessage(new ByteArrayInputStream(message), signer,
                java.util.Arrays.stream(to).map(PrivateKeyEntry::certificate).toList(), out);
        return out.toByteArray();
    }

    private UnprotectResult unprotect(byte[] message, PrivateKeyEntry... keys) throws Exception {
        return Fixtures.unprotectBothWays(new Unprotector(new UnprotectOptions(false, 1024 * 1024, tmp)), message,
                keys);
    }

    @Test
    void roundTripWithEveryCipherAndKeyTransportGivesTheOriginalAndTheSigner() throws Exception {
        for (ContentCipher cipher : ContentCipher.values()) {
            for (KeyTransport transport : KeyTransport.values()) {
                byte[] outer = protect(new ProtectOptions(cipher, transport), Fixtures.message(), ALICE, BOB, CAROL);
                UnprotectResult result = unprotect(outer, CAROL);
                assertThat(result).as(cipher + " " + transport).isInstanceOf(Verified.class);
                try (Verified verified = (Verified) result) {
                    assertThat(verified.message().toByteArray()).isEqualTo(Fixtures.crlf(Fixtures.MESSAGE));
                    assertThat(verified.signers()).containsExactly(ALICE.certificate());
                    assertThat(verified.certificates()).contains(ALICE.certificate(), PKI.caCertificate());
                    assertThat(verified.algorithms()).isEqualTo(new Algorithms(cipher.label(),
                            transport == KeyTransport.RSA_PKCS1 ? "RSA PKCS#1 v1.5" : "RSA-OAEP",
                            List.of("SHA-256"), List.of("SHA256withRSA"), Algorithms.SignatureForm.DETACHED, true));
                }
            }
        }
    }

    @Test
    void anyOfSeveralOfferedKeysOpensIt() throws Exception {
        byte[] outer = protect(ProtectOptions.DEFAULTS, Fixtures.message(), ALICE, BOB);
        assertThat(unprotect(outer, CAROL, ALICE, BOB)).isInstanceOf(Verified.class);
    }

    @Test
    void ecdsaSignatureVerifies() throws Exception {
        PrivateKeyEntry ec = PKI.ecEntity("ec@hisp.example");
        UnprotectResult result = unprotect(protect(ProtectOptions.DEFAULTS, Fixtures.message(), ec, BOB), BOB);
        assertThat(result).isInstanceOf(Verified.class);
        assertThat(((Verified) result).algorithms().signatures()).containsExactly("SHA256withECDSA");
    }

    @ParameterizedTest(name = "length given: {0}")
    @ValueSource(booleans = {false, true})
    void largeMessageIsSpooledToAPrivateFileThatCloseDeletes(boolean lengthGiven) throws Exception {
        StringBuilder body = new StringBuilder(Fixtures.MESSAGE);
        while (body.length() < 3_000_000) {
            body.append("line of a large clinical document, numbered ").append(body.length()).append('\n');
        }
        byte[] message = body.toString().getBytes(StandardCharsets.UTF_8);
        byte[] outer = protect(ProtectOptions.DEFAULTS, message, ALICE, BOB);
        Path spoolDir = Files.createDirectory(tmp.resolve("spool"));
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 64 * 1024, spoolDir));
        UnprotectResult result = lengthGiven
                ? unprotector.unprotect(new ByteArrayInputStream(outer), outer.length, List.of(BOB))
                : unprotector.unprotect(new ByteArrayInputStream(outer), List.of(BOB));
        assertThat(result).isInstanceOf(Verified.class);
        Verified verified = (Verified) result;
        assertThat(verified.message().onDisk()).isTrue();
        try (var files = Files.list(spoolDir)) {
            List<Path> left = files.toList();
            assertThat(left).hasSize(1); // only the spool holding the message; the intermediate ones are gone
            assertThat(Files.getPosixFilePermissions(left.get(0))).extracting(Object::toString)
                    .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        }
        assertThat(verified.message().toByteArray()).isEqualTo(Fixtures.crlf(body.toString()));
        verified.close();
        try (var files = Files.list(spoolDir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void failuresAreNamed() throws Exception {
        byte[] outer = protect(ProtectOptions.DEFAULTS, Fixtures.message(), ALICE, BOB);
        assertThat(unprotect(outer, CAROL)).isInstanceOf(UnprotectResult.NoKey.class);
        assertThat(unprotect(Fixtures.message(), BOB)).isInstanceOf(UnprotectResult.NotSmime.class);
        assertThat(unprotect("no headers at all, just words\n\n".getBytes(StandardCharsets.US_ASCII), BOB))
                .isInstanceOf(UnprotectResult.MalformedMime.class);

        String text = new String(outer, StandardCharsets.US_ASCII);
        int body = text.indexOf("\r\n\r\n") + 4;
        String truncated = text.substring(0, body + (text.length() - body) / 2);
        // cut short inside the ciphertext: found while decrypting, so the one constant failure
        assertThat(unprotect(truncated.getBytes(StandardCharsets.US_ASCII), BOB))
                .isEqualTo(new UnprotectResult.NotVerified(UnprotectResult.Category.DECRYPT));
        String garbage = text.substring(0, body) + "bm90IENNUyBhdCBhbGwsIGp1c3QgdGV4dA==\r\n";
        assertThat(unprotect(garbage.getBytes(StandardCharsets.US_ASCII), BOB))
                .isInstanceOf(UnprotectResult.Corrupt.class);
    }

    /** A RecipientInfo that names its recipient neither by issuer and serial nor by key id: read, not decrypted. */
    @Test
    void aRecipientInfoNamingNoOneIsADamagedStructure() throws Exception {
        EnvelopedData original = CmsForgery.envelopedData(protect(ProtectOptions.DEFAULTS, Fixtures.message(), ALICE, BOB));
        KeyTransRecipientInfo ours = KeyTransRecipientInfo.getInstance(
                RecipientInfo.getInstance(original.getRecipientInfos().getObjectAt(0)).getInfo());
        RecipientInfo nobody = new RecipientInfo(new KeyTransRecipientInfo(
                RecipientIdentifier.getInstance(new ASN1Integer(7)), ours.getKeyEncryptionAlgorithm(),
                ours.getEncryptedKey()));
        byte[] iv = ASN1OctetString.getInstance(original.getEncryptedContentInfo().getContentEncryptionAlgorithm()
                .getParameters()).getOctets();
        byte[] forged = CmsForgery.outer(CmsForgery.envelope(new DERSet(nobody), iv, CmsForgery.ciphertext(original)));

        assertThat(unprotect(forged, BOB)).isEqualTo(new UnprotectResult.Corrupt(Decryptor.UNREADABLE_CMS));
    }

    @ParameterizedTest(name = "length given: {0}")
    @ValueSource(booleans = {false, true})
    void aFailureOfTheCallersStreamIsTheCallersIoExceptionNotAVerdict(boolean lengthGiven) throws Exception {
        byte[] outer = protect(ProtectOptions.DEFAULTS, Fixtures.message(), ALICE, BOB);
        Unprotector unprotector = new Unprotector(new UnprotectOptions(false, 1 << 20, tmp));
        for (int failAt : List.of(10, outer.length / 2, outer.length - 10)) {
            java.io.IOException broken = new java.io.IOException("disk went away");
            java.io.InputStream in = new java.io.FilterInputStream(new ByteArrayInputStream(outer)) {
                private int read;

                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    if (read + len > failAt) {
                        throw broken;
                    }
                    int n = super.read(b, off, len);
                    read += Math.max(0, n);
                    return n;
                }

                @Override
                public int read() throws java.io.IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }
            };
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                if (lengthGiven) {
                    unprotector.unprotect(in, outer.length, List.of(BOB));
                } else {
                    unprotector.unprotect(in, List.of(BOB));
                }
            }).as("failing at byte " + failAt).isSameAs(broken);
        }
        try (var left = Files.list(tmp)) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void weakSignerKeyIsRefused() throws Exception {
        PrivateKeyEntry weak = PKI.entity("weak@hisp.example", TestPki.rsa(1024));
        UnprotectResult result = unprotect(protect(ProtectOptions.DEFAULTS, Fixtures.message(), weak, BOB), BOB);
        assertThat(result).isEqualTo(new UnprotectResult.NotVerified(UnprotectResult.Category.WEAK_ALGORITHM));
        assertThat(((UnprotectResult.Failure) result).reason()).isEqualTo(UnprotectResult.NotVerified.REASON);
    }

    @Test
    void resultsAndEntriesNeverPrintKeyMaterial() throws Exception {
        String shown = ALICE.toString();
        assertThat(shown).contains("alice@hisp.example").doesNotContain("modulus", "private exponent");
        byte[] encoded = ALICE.key().getEncoded();
        assertThat(shown).doesNotContain(java.util.HexFormat.of().formatHex(encoded, 0, 16));
    }
}
