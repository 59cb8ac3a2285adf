package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.directmilter.crypto.testpki.Openssl;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProtectorTest {

    @TempDir
    Path dir;

    private byte[] protect(ProtectOptions options, byte[] message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Protector(options).protectMessage(new ByteArrayInputStream(message), ALICE, List.of(BOB.certificate(),
                CAROL.certificate()), out);
        return out.toByteArray();
    }

    @Test
    void outerMessageHasOnlyRoutingHeadersAndBase64Within76Columns() throws Exception {
        String outer = new String(protect(ProtectOptions.DEFAULTS, Fixtures.message()), StandardCharsets.US_ASCII);
        String headers = outer.substring(0, outer.indexOf("\r\n\r\n") + 2);

        assertThat(headers).isEqualTo("From: Alice <alice@hisp.example>\r\n"
                + "To: Bob <bob@partner.example>\r\n"
                + "Cc: carol@partner.example\r\n"
                + "Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
                + "Message-ID: <abc.123@hisp.example>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=smime.p7m\r\n");
        String body = outer.substring(headers.length() + 2);
        assertThat(body.split("\r\n")).allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(76)
                .matches("[A-Za-z0-9+/=]*"));
        assertThat(body).endsWith("\r\n").doesNotContain("\n\n");
    }

    @Test
    void gcmIsLabelledAuthEnvelopedData() throws Exception {
        String outer = new String(protect(new ProtectOptions(ContentCipher.AES_256_GCM, KeyTransport.RSA_PKCS1),
                Fixtures.message()), StandardCharsets.US_ASCII);
        assertThat(outer).contains("smime-type=authEnveloped-data; name=smime.p7m\r\n");
    }

    @ParameterizedTest
    @EnumSource(KeyTransport.class)
    void opensslDecryptsForEveryRecipientAndVerifiesAgainstTheAnchor(KeyTransport transport) throws Exception {
        for (ContentCipher cipher : ContentCipher.values()) {
            byte[] outer = protect(new ProtectOptions(cipher, transport), Fixtures.message());
            Files.write(dir.resolve("outer.eml"), outer);
            TestPki.writePem(dir.resolve("anchor.pem"), PKI.caCertificate());
            for (var recipient : List.of(BOB, CAROL)) {
                TestPki.writePem(dir.resolve("key.pem"), recipient.key());
                TestPki.writePem(dir.resolve("cert.pem"), recipient.certificate());
                Openssl.ok(dir, "cms", "-decrypt", "-in", "outer.eml", "-recip", "cert.pem", "-inkey", "key.pem",
                        "-out", "signed.eml");
                Openssl.Result verify = Openssl.run(dir, "cms", "-verify", "-in", "signed.eml", "-CAfile", "anchor.pem",
                        "-purpose", "smimesign", "-out", "inner.eml");
                assertThat(verify.exit()).as(cipher + " " + transport + ": " + verify.stderr()).isZero();
                assertThat(verify.stderr()).contains("Verification successful");
                // openssl -verify writes the signed entity: our message/rfc822 wrapper around the original
                assertThat(Files.readString(dir.resolve("inner.eml"), StandardCharsets.UTF_8))
                        .isEqualTo("Content-Type: message/rfc822\r\n\r\n" + Fixtures.MESSAGE.replace("\n", "\r\n"));
            }
        }
    }

    @Test
    void ecdsaSignerVerifiesWithOpenssl() throws Exception {
        var ec = PKI.ecEntity("ec@hisp.example");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(Fixtures.message()), ec,
                List.of(BOB.certificate()), out);
        Files.write(dir.resolve("outer.eml"), out.toByteArray());
        TestPki.writePem(dir.resolve("anchor.pem"), PKI.caCertificate());
        TestPki.writePem(dir.resolve("key.pem"), BOB.key());
        TestPki.writePem(dir.resolve("cert.pem"), BOB.certificate());
        Openssl.ok(dir, "cms", "-decrypt", "-in", "outer.eml", "-recip", "cert.pem", "-inkey", "key.pem", "-out", "s.eml");
        Openssl.Result verify = Openssl.run(dir, "cms", "-verify", "-in", "s.eml", "-CAfile", "anchor.pem", "-out", "i.eml");
        assertThat(verify.stderr()).contains("Verification successful");
        assertThat(Openssl.ok(dir, "cms", "-cmsout", "-print", "-in", "s.eml").stdout()).contains("ecdsa-with-SHA256");
    }

    @Test
    void signatureCarriesTheSignerChain() throws Exception {
        Files.write(dir.resolve("outer.eml"), protect(ProtectOptions.DEFAULTS, Fixtures.message()));
        TestPki.writePem(dir.resolve("key.pem"), BOB.key());
        TestPki.writePem(dir.resolve("cert.pem"), BOB.certificate());
        Openssl.ok(dir, "cms", "-decrypt", "-in", "outer.eml", "-recip", "cert.pem", "-inkey", "key.pem", "-out", "s.eml");
        Openssl.ok(dir, "cms", "-verify", "-in", "s.eml", "-noverify", "-certsout", "certs.pem", "-out", "/dev/null");
        String certs = Files.readString(dir.resolve("certs.pem"));
        assertThat(certs).contains(TestPki.pem(ALICE.certificate()).trim(), TestPki.pem(PKI.caCertificate()).trim());
    }

    @Test
    void refusesNoRecipientsAndNonMessages() {
        Protector protector = new Protector(ProtectOptions.DEFAULTS);
        assertThatThrownBy(() -> protector.protectMessage(new ByteArrayInputStream(Fixtures.message()), ALICE,
                List.of(), new ByteArrayOutputStream())).isInstanceOf(ProtectException.class)
                .hasMessageContaining("no recipient");
        assertThatThrownBy(() -> protector.protectMessage(new ByteArrayInputStream("just text\n\nbody".getBytes(
                StandardCharsets.US_ASCII)), ALICE, List.of(BOB.certificate()), new ByteArrayOutputStream()))
                .isInstanceOf(ProtectException.class).hasMessageContaining("not an RFC 5322 message");
    }
}
