package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.testpki.Openssl;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.milter.cli.CheckCommandTest.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code protect} and {@code unprotect} on files, in this JVM, with keys and certificates made here. */
class SmimeCommandsTest {

    static final TestPki PKI = TestPki.create("Command test CA");
    static final PrivateKeyEntry ALICE = PKI.rsaEntity("alice@hisp.example.org", 2048);
    static final PrivateKeyEntry BOB = PKI.rsaEntity("bob@partner.example", 2048);

    static final String MESSAGE = "From: Alice <alice@hisp.example.org>\r\n"
            + "To: Bob <bob@partner.example>\r\n"
            + "Subject: Referral (PHI)\r\n"
            + "Message-ID: <cli.1@hisp.example.org>\r\n"
            + "\r\n"
            + "Dear Bob,\r\nthe referral follows.\r\n";

    @TempDir
    static Path dir;
    static Path config;

    @BeforeAll
    static void keysAndConfiguration() throws Exception {
        config = OfflineFixture.create(dir, "alice@hisp.example.org", ALICE, "partner.example", BOB, PKI);
        Files.writeString(dir.resolve("message.eml"), MESSAGE);
    }

    static Path configuration(String extra) throws Exception {
        return OfflineFixture.configuration(dir, extra);
    }

    private static void secret(Path file, String text) throws Exception {
        OfflineFixture.secret(file, text);
    }

    static Outcome protect(String in, String out, String... more) {
        List<String> args = List.of("protect", "-c", config.toString(), "--from", "alice@hisp.example.org",
                "--to", "bob@partner.example", "--cert", dir.resolve("bob.pem").toString(),
                dir.resolve(in).toString(), dir.resolve(out).toString());
        return CheckCommandTest.run(concat(args, more));
    }

    static Outcome unprotect(String in, String out) {
        return CheckCommandTest.run("unprotect", "-c", config.toString(), "--to", "bob@partner.example",
                dir.resolve(in).toString(), dir.resolve(out).toString());
    }

    private static String[] concat(List<String> args, String... more) {
        String[] all = Arrays.copyOf(args.toArray(String[]::new), args.size() + more.length);
        System.arraycopy(more, 0, all, args.size(), more.length);
        return all;
    }

    @Test
    void protectThenUnprotectGivesTheMessageBackAndOpensslReadsWhatProtectWrote() throws Exception {
        Outcome protect = protect("message.eml", "protected.eml");
        assertThat(protect.status()).as(protect.err()).isZero();
        assertThat(protect.err()).contains("signer:     " + ALICE.certificate().getSubjectX500Principal().getName(),
                Certificates.sha256(ALICE.certificate()), Certificates.sha256(BOB.certificate()),
                "AES-256-CBC, rsa-pkcs1, SHA256withRSA", "skipping CA certificate");
        String outer = Files.readString(dir.resolve("protected.eml"));
        assertThat(outer).startsWith("From: Alice <alice@hisp.example.org>\r\n")
                .contains("Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m")
                .doesNotContain("Subject");

        TestPki.writePem(dir.resolve("bob.key"), BOB.key());
        TestPki.writePem(dir.resolve("ca.pem"), PKI.caCertificate());
        Openssl.ok(dir, "cms", "-decrypt", "-in", "protected.eml", "-recip", "bob.pem", "-inkey", "bob.key",
                "-out", "signed.eml");
        Openssl.Result verify = Openssl.ok(dir, "cms", "-verify", "-in", "signed.eml", "-CAfile", "ca.pem",
                "-out", "verified.eml");
        assertThat(verify.stderr()).contains("Verification successful");
        assertThat(Files.readString(dir.resolve("verified.eml"))).isEqualTo("Content-Type: message/rfc822\r\n\r\n" + MESSAGE);

        Outcome unprotect = unprotect("protected.eml", "inner.eml");
        assertThat(unprotect.status()).as(unprotect.err()).isZero();
        assertThat(Files.readString(dir.resolve("inner.eml"))).isEqualTo(MESSAGE);
        assertThat(unprotect.err()).contains("verified for bob@partner.example",
                "signer:     " + ALICE.certificate().getSubjectX500Principal().getName(),
                Certificates.sha256(ALICE.certificate()),
                "AES-256-CBC, RSA PKCS#1 v1.5, SHA-256, SHA256withRSA, detached, wrapped as message/rfc822");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("inner.eml"))))
                .isEqualTo("rw-------");
    }

    @Test
    void configuredAlgorithmsAreUsed() throws Exception {
        Path gcm = configuration("KeyStore " + dir.resolve("keys") + "\nContentCipher AES-128-GCM\nKeyTransport rsa-oaep\n");
        Outcome protect = CheckCommandTest.run("protect", "-c", gcm.toString(), "--from", "alice@hisp.example.org",
                "--to", "bob@partner.example", "--cert", dir.resolve("bob.pem").toString(),
                dir.resolve("message.eml").toString(), dir.resolve("gcm.eml").toString());
        assertThat(protect.status()).as(protect.err()).isZero();
        assertThat(Files.readString(dir.resolve("gcm.eml"))).contains("smime-type=authEnveloped-data");
        Outcome unprotect = unprotect("gcm.eml", "gcm-inner.eml");
        assertThat(unprotect.err()).contains("AES-128-GCM, RSA-OAEP");
    }

    @Test
    void standardInputAndOutputCarryTheMessagesByteForByte() throws Exception {
        ByteArrayOutputStream protectedBytes = new ByteArrayOutputStream();
        int status = runWithStreams(MESSAGE.getBytes(StandardCharsets.UTF_8), protectedBytes, "protect", "-c",
                config.toString(), "--from", "alice@hisp.example.org", "--to", "bob@partner.example", "--cert",
                dir.resolve("bob.pem").toString());
        assertThat(status).isZero();
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        status = runWithStreams(protectedBytes.toByteArray(), inner, "unprotect", "-c", config.toString(),
                "--to", "bob@partner.example", "-", "-");
        assertThat(status).isZero();
        assertThat(inner.toString(StandardCharsets.UTF_8)).isEqualTo(MESSAGE);
    }

    private static int runWithStreams(byte[] in, ByteArrayOutputStream out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = DirectMilterCommand.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        MessageFiles files = ((OfflineCommand) commandLine.getSubcommands().get(args[0]).getCommand()).files;
        files.stdin = new ByteArrayInputStream(in);
        files.stdout = out;
        return commandLine.execute(args);
    }

    @Test
    void everyKindOfFailureHasItsOwnExitCodeAndItsReasonAndWritesNothing() throws Exception {
        Files.writeString(dir.resolve("plain.eml"), MESSAGE);
        Outcome plain = unprotect("plain.eml", "never.eml");
        assertThat(plain.status()).isEqualTo(OfflineExit.NOT_SMIME.code);
        assertThat(plain.err()).startsWith("direct-milter unprotect: rejected: NotSmime: not an encrypted S/MIME message")
                .doesNotContain("Exception", "\tat ");

        assertThat(protect("message.eml", "for-bob.eml").status()).isZero();
        String text = Files.readString(dir.resolve("for-bob.eml"));
        Files.writeString(dir.resolve("truncated.eml"), text.substring(0, text.length() / 2));
        Outcome truncated = unprotect("truncated.eml", "never.eml");
        assertThat(truncated.status()).isEqualTo(OfflineExit.CORRUPT.code);
        assertThat(truncated.err()).contains("rejected: NotVerified: message could not be decrypted or verified (decrypt)");

        Files.writeString(dir.resolve("headerless.eml"), "just words, no header\n\nbody\n");
        assertThat(unprotect("headerless.eml", "never.eml").status()).isEqualTo(OfflineExit.MALFORMED_MIME.code);

        PrivateKeyEntry carol = PKI.rsaEntity("carol@partner.example", 2048);
        TestPki.writePem(dir.resolve("carol.pem"), carol.certificate());
        Outcome toCarol = CheckCommandTest.run("protect", "-c", config.toString(), "--from", "alice@hisp.example.org",
                "--to", "carol@partner.example", "--cert", dir.resolve("carol.pem").toString(),
                dir.resolve("message.eml").toString(), dir.resolve("for-carol.eml").toString());
        assertThat(toCarol.status()).isZero();
        Outcome noKey = unprotect("for-carol.eml", "never.eml");
        assertThat(noKey.status()).isEqualTo(OfflineExit.NO_KEY.code);
        assertThat(noKey.err()).contains("rejected: NoKey: ");

        Files.writeString(dir.resolve("wrapped.txt"), "Content-Type: text/plain\r\n\r\nnot signed\r\n");
        Openssl.ok(dir, "cms", "-encrypt", "-in", "wrapped.txt", "-aes-256-cbc", "-out", "unsigned.eml", "bob.pem");
        assertThat(unprotect("unsigned.eml", "never.eml").status()).isEqualTo(OfflineExit.UNSIGNED.code);

        assertThat(Files.exists(dir.resolve("never.eml"))).isFalse();
    }

    @Test
    void eachFailureKindMapsToADistinctCode() {
        Class<?>[] kinds = UnprotectResult.Failure.class.getPermittedSubclasses();
        assertThat(OfflineExit.failures()).extracting(e -> e.code).doesNotHaveDuplicates()
                .allMatch(code -> code > 0 && code < 64);
        for (Class<?> kind : kinds) {
            if (kind != UnprotectResult.NotVerified.class) {
                assertThat(Arrays.stream(OfflineExit.failures())).as(kind.getSimpleName())
                        .anyMatch(e -> e.name().replace("_", "").equalsIgnoreCase(kind.getSimpleName()));
            }
        }
        for (UnprotectResult.Category category : UnprotectResult.Category.values()) {
            assertThat(OfflineExit.of(new UnprotectResult.NotVerified(category))).as(category.name())
                    .isIn((Object[]) OfflineExit.failures());
        }
        Outcome help = CheckCommandTest.run("unprotect", "--help");
        for (OfflineExit exit : OfflineExit.failures()) {
            assertThat(help.out()).contains(String.format("%2d   %s", exit.code, exit.meaning.substring(0, 20)));
        }
    }

    @Test
    void setupProblemsAreNamedWithSysexitsCodes() throws Exception {
        Outcome noKey = CheckCommandTest.run("protect", "-c", config.toString(), "--from", "nobody@elsewhere.example",
                "--to", "bob@partner.example", "--cert", dir.resolve("bob.pem").toString(),
                dir.resolve("message.eml").toString(), dir.resolve("x.eml").toString());
        assertThat(noKey.status()).isEqualTo(OfflineExit.NO_USER.code);
        assertThat(noKey.err()).contains("no private key for nobody@elsewhere.example");

        Outcome missing = protect("no-such.eml", "x.eml");
        assertThat(missing.status()).isEqualTo(OfflineExit.NO_INPUT.code);
        assertThat(missing.err()).contains("no-such.eml: no such file");

        Files.writeString(dir.resolve("not-a-cert.pem"), "hello");
        Outcome badCert = CheckCommandTest.run("protect", "-c", config.toString(), "--from", "alice@hisp.example.org",
                "--to", "bob@partner.example", "--cert", dir.resolve("not-a-cert.pem").toString(),
                dir.resolve("message.eml").toString(), dir.resolve("x.eml").toString());
        assertThat(badCert.status()).isEqualTo(OfflineExit.DATA.code);

        Files.writeString(dir.resolve("not-mail.eml"), "no header here\n\n");
        assertThat(protect("not-mail.eml", "x.eml").status()).isEqualTo(OfflineExit.DATA.code);
        assertThat(Files.exists(dir.resolve("x.eml"))).isFalse();

        Path loose = Files.createDirectory(dir.resolve("loose-keys"));
        TestPki.writePkcs12(loose.resolve("partner.example.p12"), BOB, "pw");
        Files.setPosixFilePermissions(loose.resolve("partner.example.p12"), PosixFilePermissions.fromString("rw-r--r--"));
        secret(loose.resolve("password"), "pw");
        Outcome unsafe = CheckCommandTest.run("unprotect", "-c", configuration("KeyStore " + loose + "\n").toString(),
                "--to", "bob@partner.example", dir.resolve("message.eml").toString());
        assertThat(unsafe.status()).isEqualTo(OfflineExit.CONFIG.code);
        assertThat(unsafe.err()).contains(loose.resolve("partner.example.p12").toString(), "every user");

        Outcome badConfig = CheckCommandTest.run("unprotect", "-c", configuration("NoSuchKey 1\n").toString(),
                "--to", "bob@partner.example");
        assertThat(badConfig.status()).isEqualTo(OfflineExit.CONFIG.code);
    }
}
