package org.directmilter.crypto.smime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.crypto.smime.Fixtures.BOB;
import static org.directmilter.crypto.smime.Fixtures.PKI;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.UnprotectResult.Verified;
import org.directmilter.crypto.testpki.Openssl;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Messages made by the real {@code openssl cms}, sign then encrypt, opened by {@link Unprotector}. */
class OpensslInteropTest {

    private static final PrivateKeyEntry RSA3072 = PKI.rsaEntity("rsa3072@other.example", 3072);
    private static final PrivateKeyEntry RSA4096 = PKI.rsaEntity("rsa4096@other.example", 4096);
    private static final PrivateKeyEntry EC = PKI.ecEntity("ec@other.example");
    private static final PrivateKeyEntry RSA2048 = Fixtures.ALICE;

    @TempDir
    static Path dir;

    @BeforeAll
    static void files() throws Exception {
        Files.writeString(dir.resolve("wrapped.txt"), "Content-Type: message/rfc822\n\n" + Fixtures.MESSAGE);
        Files.writeString(dir.resolve("plain.txt"), Fixtures.MESSAGE);
        TestPki.writePem(dir.resolve("bob.pem"), BOB.certificate());
        TestPki.writePem(dir.resolve("bob.key"), BOB.key());
        TestPki.writePem(dir.resolve("carol.pem"), Fixtures.CAROL.certificate());
        for (var e : List.of(RSA2048, RSA3072, RSA4096, EC)) {
            String name = e.certificate().getSerialNumber().toString(16);
            TestPki.writePem(dir.resolve(name + ".cert"), e.certificate());
            TestPki.writePem(dir.resolve(name + ".key"), e.key());
        }
    }

    static Stream<Arguments> variants() {
        List<Arguments> all = new ArrayList<>();
        for (String form : List.of("detached", "opaque")) {
            for (String digest : List.of("sha256", "sha384", "sha512")) {
                all.add(Arguments.of(form, digest, RSA2048, "-aes-256-cbc", false));
            }
        }
        for (String cipher : List.of("-aes-128-cbc", "-aes-256-cbc", "-aes-256-gcm")) {
            all.add(Arguments.of("detached", "sha256", RSA2048, cipher, true));
        }
        for (PrivateKeyEntry signer : List.of(RSA3072, RSA4096, EC)) {
            all.add(Arguments.of("detached", "sha256", signer, "-aes-128-cbc", false));
        }
        all.add(Arguments.of("opaque", "sha256", EC, "-aes-256-gcm", true));
        return all.stream();
    }

    private static void signAndEncrypt(String in, String form, String digest, PrivateKeyEntry signer, String cipher,
                                       boolean oaep, String out) {
        sign(in, form, digest, signer);
        List<String> encrypt = new ArrayList<>(List.of("cms", "-encrypt", "-in", "signed.eml", cipher, "-out", out,
                "-recip", "bob.pem"));
        if (oaep) {
            encrypt.addAll(List.of("-keyopt", "rsa_padding_mode:oaep"));
        }
        Openssl.ok(dir, encrypt.toArray(String[]::new));
    }

    /** Signs {@code in} into signed.eml. */
    private static void sign(String in, String form, String digest, PrivateKeyEntry signer) {
        String name = signer.certificate().getSerialNumber().toString(16);
        List<String> sign = new ArrayList<>(List.of("cms", "-sign", "-in", in, "-signer", name + ".cert", "-inkey",
                name + ".key", "-md", digest, "-out", "signed.eml"));
        if (form.equals("opaque")) {
            sign.add("-nodetach");
        }
        Openssl.ok(dir, sign.toArray(String[]::new));
    }

    private static UnprotectResult unprotect(String file) throws Exception {
        return Fixtures.unprotectBothWays(new Unprotector(new UnprotectOptions(false, 1 << 20, dir)),
                Files.readAllBytes(dir.resolve(file)), BOB);
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} oaep={4}")
    @MethodSource("variants")
    void opensslMessagesAreAccepted(String form, String digest, PrivateKeyEntry signer, String cipher, boolean oaep)
            throws Exception {
        signAndEncrypt("wrapped.txt", form, digest, signer, cipher, oaep, "outer.eml");
        UnprotectResult result = unprotect("outer.eml");
        assertThat(result).isInstanceOf(Verified.class);
        try (Verified verified = (Verified) result) {
            assertThat(new String(verified.message().toByteArray(), StandardCharsets.UTF_8))
                    .isEqualTo(Fixtures.MESSAGE.replace("\n", "\r\n"));
            assertThat(verified.signers()).containsExactly(signer.certificate());
            assertThat(verified.algorithms().wrapped()).isTrue();
            assertThat(verified.algorithms().signatureForm().name()).isEqualToIgnoringCase(form);
            assertThat(verified.algorithms().contentEncryption()).isEqualToIgnoringCase(cipher.substring(1));
            assertThat(verified.algorithms().keyTransport()).isEqualTo(oaep ? "RSA-OAEP" : "RSA PKCS#1 v1.5");
            assertThat(verified.algorithms().digests()).containsExactly(digest.replace("sha", "SHA-"));
        }
    }

    /**
     * Our RecipientInfo found among others, named by issuer and serial number or (openssl's -keyid) by
     * subject key identifier; a message for others only is {@link UnprotectResult.NoKey}.
     */
    @ParameterizedTest(name = "{0} keyid={1}")
    @MethodSource("recipientForms")
    void ourRecipientInfoIsFoundHoweverItIsNamed(String cipher, boolean keyid) throws Exception {
        sign("wrapped.txt", "detached", "sha256", RSA2048);
        List<String> encrypt = new ArrayList<>(List.of("cms", "-encrypt", "-in", "signed.eml", cipher, "-out",
                "outer.eml"));
        List<String> othersOnly = new ArrayList<>(List.of("cms", "-encrypt", "-in", "signed.eml", cipher, "-out",
                "others.eml"));
        if (keyid) {
            encrypt.add("-keyid");
            othersOnly.add("-keyid");
        }
        encrypt.addAll(List.of("carol.pem", "bob.pem"));
        othersOnly.add("carol.pem");
        Openssl.ok(dir, encrypt.toArray(String[]::new));
        Openssl.ok(dir, othersOnly.toArray(String[]::new));

        UnprotectResult result = unprotect("outer.eml");
        assertThat(result).isInstanceOf(Verified.class);
        try (Verified verified = (Verified) result) {
            assertThat(verified.signers()).containsExactly(RSA2048.certificate());
            assertThat(verified.algorithms().contentEncryption()).isEqualToIgnoringCase(cipher.substring(1));
        }
        assertThat(unprotect("others.eml")).isInstanceOfSatisfying(UnprotectResult.NoKey.class,
                noKey -> assertThat(noKey.reason()).contains("encrypted to 1 recipient(s)"));
    }

    static Stream<Arguments> recipientForms() {
        return Stream.of(Arguments.of("-aes-256-cbc", false), Arguments.of("-aes-256-cbc", true),
                Arguments.of("-aes-256-gcm", false), Arguments.of("-aes-256-gcm", true));
    }

    @Test
    void unwrappedMessagesAreAcceptedAsTheyAre() throws Exception {
        signAndEncrypt("plain.txt", "detached", "sha256", RSA2048, "-aes-256-cbc", false, "outer.eml");
        UnprotectResult result = unprotect("outer.eml");
        assertThat(result).isInstanceOf(Verified.class);
        Verified verified = (Verified) result;
        assertThat(verified.algorithms().wrapped()).isFalse();
        assertThat(verified.message().toByteArray()).isEqualTo(Fixtures.crlf(Fixtures.MESSAGE));
    }

    @Test
    void sha1SignatureIsRefused() throws Exception {
        signAndEncrypt("wrapped.txt", "detached", "sha1", RSA2048, "-aes-256-cbc", false, "outer.eml");
        assertThat(unprotect("outer.eml")).isEqualTo(notVerified(UnprotectResult.Category.WEAK_ALGORITHM));
    }

    @Test
    void tripleDesIsRefusedUnlessAllowed() throws Exception {
        signAndEncrypt("wrapped.txt", "detached", "sha256", RSA2048, "-des3", false, "outer.eml");
        assertThat(unprotect("outer.eml")).isInstanceOfSatisfying(UnprotectResult.WeakAlgorithm.class,
                weak -> assertThat(weak.reason()).contains("3DES"));
        UnprotectResult allowed = new Unprotector(new UnprotectOptions(true, 1 << 20, dir))
                .unprotect(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("outer.eml"))), List.of(BOB));
        assertThat(allowed).isInstanceOf(Verified.class);
    }

    @Test
    void tamperedSignedContentIsABadSignature() throws Exception {
        Openssl.ok(dir, "cms", "-sign", "-in", "wrapped.txt", "-signer", serial(RSA2048) + ".cert", "-inkey",
                serial(RSA2048) + ".key", "-out", "signed.eml");
        String signed = Files.readString(dir.resolve("signed.eml"), StandardCharsets.ISO_8859_1);
        Files.writeString(dir.resolve("tampered.eml"), signed.replace("Hello Bob", "Hello Eve"),
                StandardCharsets.ISO_8859_1);
        Openssl.ok(dir, "cms", "-encrypt", "-in", "tampered.eml", "-aes-256-cbc", "-out", "outer.eml", "bob.pem");
        assertThat(unprotect("outer.eml")).isEqualTo(notVerified(UnprotectResult.Category.BAD_SIGNATURE));
    }

    @Test
    void swappedSignaturePartIsABadSignature() throws Exception {
        Files.writeString(dir.resolve("other.txt"), "Content-Type: message/rfc822\n\n" + Fixtures.MESSAGE
                .replace("Hello Bob", "Hello Robert"));
        String key = serial(RSA2048);
        Openssl.ok(dir, "cms", "-sign", "-in", "wrapped.txt", "-signer", key + ".cert", "-inkey", key + ".key",
                "-out", "a.eml");
        Openssl.ok(dir, "cms", "-sign", "-in", "other.txt", "-signer", key + ".cert", "-inkey", key + ".key",
                "-out", "b.eml");
        String a = Files.readString(dir.resolve("a.eml"));
        String b = Files.readString(dir.resolve("b.eml"));
        String sigA = a.substring(a.indexOf("Content-Type: application/pkcs7-signature"));
        String sigB = b.substring(b.indexOf("Content-Type: application/pkcs7-signature"));
        String boundaryA = a.substring(a.lastIndexOf("\n------") + 1, a.lastIndexOf("--"));
        String swapped = a.replace(sigA, sigB.replace(sigB.substring(sigB.lastIndexOf("\n------") + 1),
                boundaryA + "--\n"));
        Files.writeString(dir.resolve("swapped.eml"), swapped);
        Openssl.ok(dir, "cms", "-encrypt", "-in", "swapped.eml", "-aes-256-cbc", "-out", "outer.eml", "bob.pem");
        assertThat(unprotect("outer.eml")).isEqualTo(notVerified(UnprotectResult.Category.BAD_SIGNATURE));
    }

    @Test
    void encryptedButUnsignedIsUnsigned() throws Exception {
        Openssl.ok(dir, "cms", "-encrypt", "-in", "plain.txt", "-aes-256-cbc", "-out", "outer.eml", "bob.pem");
        assertThat(unprotect("outer.eml")).isEqualTo(notVerified(UnprotectResult.Category.UNSIGNED));
    }

    @Test
    void signedButNotEncryptedIsNotSmime() throws Exception {
        String key = serial(RSA2048);
        Openssl.ok(dir, "cms", "-sign", "-in", "wrapped.txt", "-signer", key + ".cert", "-inkey", key + ".key",
                "-out", "signed.eml");
        assertThat(unprotect("signed.eml")).isInstanceOfSatisfying(UnprotectResult.NotSmime.class,
                f -> assertThat(f.reason()).contains("not encrypted"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sha256", "sha384", "sha512"})
    void rsaPssSignaturesVerify(String digest) throws Exception {
        String key = serial(RSA2048);
        Openssl.ok(dir, "cms", "-sign", "-in", "wrapped.txt", "-signer", key + ".cert", "-inkey", key + ".key",
                "-md", digest, "-keyopt", "rsa_padding_mode:pss", "-out", "signed.eml");
        Openssl.ok(dir, "cms", "-encrypt", "-in", "signed.eml", "-aes-256-cbc", "-out", "outer.eml", "bob.pem");
        UnprotectResult result = unprotect("outer.eml");
        assertThat(result).isInstanceOf(Verified.class);
        try (Verified verified = (Verified) result) {
            assertThat(verified.signers()).containsExactly(RSA2048.certificate());
            assertThat(verified.algorithms().signatures()).containsExactly("RSASSA-PSS");
            assertThat(verified.message().toByteArray()).isEqualTo(Fixtures.crlf(Fixtures.MESSAGE));
        }
    }

    @Test
    void rsaPssWithSha1IsRefused() throws Exception {
        String key = serial(RSA2048);
        Openssl.ok(dir, "cms", "-sign", "-in", "wrapped.txt", "-signer", key + ".cert", "-inkey", key + ".key",
                "-md", "sha256", "-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_mgf1_md:sha1",
                "-out", "signed.eml");
        Openssl.ok(dir, "cms", "-encrypt", "-in", "signed.eml", "-aes-256-cbc", "-out", "outer.eml", "bob.pem");
        assertThat(unprotect("outer.eml")).isEqualTo(notVerified(UnprotectResult.Category.WEAK_ALGORITHM));
    }

    /**
     * A SignerInfo names its certificate by issuer and serial, which anyone can copy into a certificate
     * of their own. Whichever of the two comes first in the SignedData, the one that verifies is the
     * signer, and only it.
     */
    @Test
    void ofTwoCertificatesWithTheSameIssuerAndSerialTheOneThatVerifiesIsTheSigner() throws Exception {
        java.security.KeyPair fakeKeys = TestPki.rsa(2048);
        X509Certificate real = RSA2048.certificate();
        X509Certificate fake = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(real.getIssuerX500Principal(),
                        real.getSerialNumber(), real.getNotBefore(), real.getNotAfter(),
                        new javax.security.auth.x500.X500Principal("CN=impostor"), fakeKeys.getPublic())
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withRSA")
                                .build(fakeKeys.getPrivate())));
        TestPki.writePem(dir.resolve("real.cert"), real);
        TestPki.writePem(dir.resolve("real.key"), RSA2048.key());
        TestPki.writePem(dir.resolve("fake.cert"), fake);
        TestPki.writePem(dir.resolve("fake.key"), fakeKeys.getPrivate());
        for (String signer : List.of("real", "fake")) {
            String other = signer.equals("real") ? "fake" : "real";
            for (List<String> order : List.of(List.of(other, signer), List.of(signer, other))) {
                // -nocerts and -certfile: the certificates go in exactly this order (and, sorted, in the other)
                Files.writeString(dir.resolve("both.pem"), Files.readString(dir.resolve(order.get(0) + ".cert"))
                        + Files.readString(dir.resolve(order.get(1) + ".cert")));
                Openssl.ok(dir, "cms", "-sign", "-in", "wrapped.txt", "-signer", signer + ".cert", "-inkey",
                        signer + ".key", "-nocerts", "-certfile", "both.pem", "-out", "signed.eml");
                Openssl.ok(dir, "cms", "-encrypt", "-in", "signed.eml", "-aes-256-cbc", "-out", "outer.eml",
                        "bob.pem");
                UnprotectResult result = unprotect("outer.eml");
                assertThat(result).as(signer + " signed, certificates " + order).isInstanceOf(Verified.class);
                try (Verified verified = (Verified) result) {
                    assertThat(verified.signers()).as(signer + " signed, certificates " + order)
                            .containsExactly(signer.equals("real") ? real : fake);
                    assertThat(verified.certificates()).contains(real, fake);
                }
            }
        }
    }

    /**
     * Bodies with a CR before CRLF and a bare CR at the very end, signed by {@link Protector}: openssl
     * verifies the signature in its default text mode (which strips CRs before line ends: the S/MIME
     * file as decrypted, the command the README prints) and in binary mode over the exact bytes between
     * the delimiters (the signature part and the content given separately: OpenSSL 3.0's MIME splitter in
     * binary mode keeps the CR of the CRLF before a delimiter, so {@code -binary} on a CRLF S/MIME file
     * fails for every message, openssl's own included). Our own unprotect reads back the canonical form.
     */
    @ParameterizedTest(name = "{index}")
    @ValueSource(strings = {"line\\r\\r\\nnext\\r\\n", "ends in a bare CR\\r",
        "a\\rb\\r\\n\\r\\r\\nend\\r\\r", "lf only\\nthen cr\\r\\n\\n\\r"})
    void crBeforeLineEndsIsSignedSoThatOpensslVerifiesInTextAndBinaryMode(String escaped) throws Exception {
        String body = escaped.replace("\\r", "\r").replace("\\n", "\n");
        // a CR inside a header line and CRs before its end too: canonical, the field stays one field
        String original = Fixtures.MESSAGE.replace("\n", "\r\n")
                .replace("Subject: Patient summary (PHI)", "Subject: Patient\rsummary (PHI)\r\r") + body;
        byte[] message = original.getBytes(StandardCharsets.ISO_8859_1);
        byte[] outer = UnprotectorTest.protect(ProtectOptions.DEFAULTS, message, RSA2048, BOB);
        Files.write(dir.resolve("ours.eml"), outer);
        Openssl.ok(dir, "cms", "-decrypt", "-in", "ours.eml", "-recip", "bob.pem", "-inkey", "bob.key",
                "-out", "ours-signed.eml");
        Openssl.Result text = Openssl.run(dir, "cms", "-verify", "-noverify", "-in", "ours-signed.eml",
                "-out", "text.out");
        assertThat(text.exit()).as("openssl cms -verify (text mode): " + text.stderr()).isZero();

        String entity = Files.readString(dir.resolve("ours-signed.eml"), StandardCharsets.ISO_8859_1);
        String boundary = entity.substring(entity.indexOf("boundary=\"") + 10);
        boundary = "--" + boundary.substring(0, boundary.indexOf('"'));
        int contentStart = entity.indexOf(boundary + "\r\n") + boundary.length() + 2;
        int contentEnd = entity.indexOf("\r\n" + boundary, contentStart);
        Files.writeString(dir.resolve("content.bin"), entity.substring(contentStart, contentEnd),
                StandardCharsets.ISO_8859_1);
        String signaturePart = entity.substring(contentEnd + 2 + boundary.length());
        String base64 = signaturePart.substring(signaturePart.indexOf("\r\n\r\n") + 4,
                signaturePart.indexOf("\r\n" + boundary));
        Files.write(dir.resolve("signature.der"), java.util.Base64.getMimeDecoder().decode(base64));
        for (String mode : List.of("-binary", "-text")) {
            List<String> verify = new ArrayList<>(List.of("cms", "-verify", "-noverify", "-inform", "DER", "-in",
                    "signature.der", "-content", "content.bin", "-out", "content.out"));
            if (mode.equals("-binary")) {
                verify.add(mode);
            }
            Openssl.Result detached = Openssl.run(dir, verify.toArray(String[]::new));
            assertThat(detached.exit()).as("openssl cms -verify " + mode + " -content: " + detached.stderr()).isZero();
        }

        UnprotectResult result = unprotect("ours.eml");
        assertThat(result).isInstanceOf(Verified.class);
        try (Verified verified = (Verified) result) {
            assertThat(new String(verified.message().toByteArray(), StandardCharsets.ISO_8859_1))
                    .isEqualTo(CanonicalLineEndsTest.canonical(original));
            assertThat(verified.message().head().fields()).filteredOn(f -> f.is("Subject"))
                    .extracting(MimeHeaderField::value).containsExactly("Patient\rsummary (PHI)");
        }
    }

    private static UnprotectResult notVerified(UnprotectResult.Category category) {
        return new UnprotectResult.NotVerified(category);
    }

    private static String serial(PrivateKeyEntry e) {
        return e.certificate().getSerialNumber().toString(16);
    }
}
