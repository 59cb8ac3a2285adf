package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.milter.testkit.FakeSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

    @TempDir
    Path dir;

    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = DirectMilterCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(status, out.toString(), err.toString());
    }

    private Path config(String text) throws IOException {
        Path file = dir.resolve("direct-milter.conf");
        // The lines the tests are about come first, so the line numbers they expect stay put.
        Files.writeString(file, text + (text.contains("Domains") ? "" : "Domains hisp.example.org\n")
                + "KeyStore " + dir + "\n");
        return file;
    }

    @Test
    void validConfigurationExitsZeroWithOneSummaryLine() throws IOException {
        Path file = config("Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\nDomains hisp.example.org\n");
        Outcome outcome = run("check", "-c", file.toString());
        assertThat(outcome.status()).isZero();
        assertThat(outcome.err().lines()).as("only anchor warnings (no AnchorDir here)")
                .allMatch(line -> line.startsWith("warning: "));
        assertThat(outcome.out().lines()).singleElement().asString()
                .startsWith(file + ": OK: Socket=inet:0@127.0.0.1 SocketMode=0660")
                .contains("TemporaryDirectory=" + dir, "Domains=hisp.example.org", "On-DNSError=tempfail");
    }

    @Test
    void revocationFailingOpenIsSaidAndTheDefaultFailsClosed() throws IOException {
        Path accept = config("Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\nOn-RevocationUnknown accept\n");
        Outcome explicit = run("check", "-c", accept.toString());
        Path plain = config("Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\n");
        Outcome byDefault = run("check", "-c", plain.toString());

        assertThat(explicit.status()).isZero();
        assertThat(explicit.err().lines()).contains("warning: On-RevocationUnknown accept: a certificate whose "
                + "revocation status cannot be learnt (CRL unreachable or stale) is used as if not revoked");
        assertThat(byDefault.err()).doesNotContain("On-RevocationUnknown");
        assertThat(byDefault.out()).contains("On-RevocationUnknown=tempfail");
    }

    /** NativeCrypto yes: check loads the native provider as the daemon would, and says it is in use. */
    @Test
    void nativeCryptoIsReportedAsInUseAndNotTriedByDefault() throws IOException {
        Path plain = config("Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\n");
        Outcome byDefault = run("check", "-c", plain.toString());
        Path yes = config("Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\nNativeCrypto yes\n");
        Outcome outcome;
        try {
            outcome = run("check", "-c", yes.toString());
        } finally {
            java.security.Security.removeProvider("AmazonCorrettoCryptoProvider"); // the other tests keep the JDK's
        }

        assertThat(byDefault.out()).doesNotContain("native crypto").contains("NativeCrypto=no");
        assertThat(outcome.status()).isZero();
        assertThat(outcome.out().lines()).anyMatch(line ->
                line.matches("native crypto: AmazonCorrettoCryptoProvider \\d+\\.\\d+\\.\\d+ in use"));
        assertThat(outcome.err()).doesNotContain("native crypto");
    }

    @Test
    void everyErrorIsPrintedWithFileAndLineAndExitIs78() throws IOException {
        Path file = config("Sockte inet:1@127.0.0.1\n\nWorkers many\nWorkers 2\n");
        Outcome outcome = run("check", "--config", file.toString());
        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.out()).isEmpty();
        assertThat(outcome.err().lines()).containsExactly(
                file + ":1: unknown key \"Sockte\" (did you mean \"Socket\"?)",
                file + ":3: bad value for \"Workers\": \"many\" is not a whole number from 1 to 4096",
                file + ":4: duplicate key \"Workers\" (already set on line 3)",
                file + ": 3 errors; direct-milter would not start");
    }

    @Test
    void missingFileIsAConfigurationError() {
        Path file = dir.resolve("nope.conf");
        Outcome outcome = run("check", "-c", file.toString());
        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err()).startsWith(file + ": cannot read configuration: no such file");
    }

    @Test
    void localSocketDirectoryMustExist() throws IOException {
        Path file = config("Socket local:" + dir.resolve("missing/dm.sock") + "\n");
        Outcome outcome = run("check", "-c", file.toString());
        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err().lines()).first().isEqualTo(
                file + ":1: Socket: the socket's directory " + dir.resolve("missing") + " does not exist");
    }

    @Test
    void theNotificationCommandMustExistAndBeExecutable() throws IOException {
        Path file = config("NotificationCommand " + dir.resolve("missing") + " -i -t -f <>\n");
        assertThat(run("check", "-c", file.toString()).err().lines()).contains(
                file + ":1: NotificationCommand: " + dir.resolve("missing") + " does not exist; install the MTA's"
                        + " sendmail command or set \"Notifications no\"");

        Path notExecutable = Files.writeString(dir.resolve("sendmail"), "#!/bin/sh\n");
        config("NotificationCommand " + notExecutable + " -t\n");
        assertThat(run("check", "-c", file.toString()).err().lines()).contains(
                file + ":1: NotificationCommand: " + notExecutable + " is not executable by "
                        + System.getProperty("user.name"));

        config("Notifications no\nNotificationCommand " + dir.resolve("missing") + "\n");
        assertThat(run("check", "-c", file.toString()).err()).doesNotContain("NotificationCommand");
    }

    @Test
    void theNotificationServerMustAnswerAsAnSmtpServer() throws IOException {
        try (FakeSmtpServer server = new FakeSmtpServer()) {
            Path file = config("NotificationServer " + server.name() + "\nNotificationCommand " + dir.resolve("missing")
                    + "\nSocket inet:0@127.0.0.1\nTemporaryDirectory " + dir + "\n");
            Outcome answers = run("check", "-c", file.toString());

            assertThat(answers.status()).isZero();
            assertThat(answers.out().lines()).contains("notification server " + server.name() + ": 220 fake.example ESMTP");
            assertThat(answers.err()).as("the command is not used").doesNotContain("NotificationCommand");
            assertThat(server.commands).containsExactly("EHLO [127.0.0.1]", "QUIT");

            server.greeting = "554 5.3.2 not now";
            Outcome refuses = run("check", "-c", file.toString());
            assertThat(refuses.status()).isEqualTo(78);
            assertThat(refuses.err().lines()).first().isEqualTo(file + ":1: NotificationServer: " + server.name()
                    + " answered the greeting with 554 5.3.2 not now; verified incoming mail would be tempfailed until it answers");
            assertThat(server.messages).isEmpty();
        }
    }

    @Test
    void temporaryDirectoryMustBeAWritableDirectory() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = config("# spool\nTemporaryDirectory " + notADirectory + "\n");
        Outcome outcome = run("check", "-c", file.toString());
        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err().lines()).first().isEqualTo(
                file + ":2: TemporaryDirectory: directory " + notADirectory + " is not a directory");
    }

    @Test
    void aDirectAgentNeedsItsDomainsAndAKeyStore() throws IOException {
        Path file = dir.resolve("bare.conf");
        Files.writeString(file, "TemporaryDirectory " + dir + "\nKeyStore " + dir.resolve("no-keys") + "\n");
        Outcome outcome = run("check", "-c", file.toString());
        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err().lines()).startsWith(
                file + ": Domains (default none): no local Direct domain is set; name them (e.g. \"Domains"
                        + " hisp.example.org\") with their keys in " + dir.resolve("no-keys") + " and anchors in "
                        + "/etc/direct-milter/anchors",
                file + ":2: KeyStore: directory " + dir.resolve("no-keys") + " does not exist");
    }

    @Test
    void everyKeyFileIsOpenedAsTheDaemonWouldOpenIt() throws IOException {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        org.directmilter.crypto.testpki.TestPki pki = org.directmilter.crypto.testpki.TestPki.create("check CA");
        org.directmilter.crypto.testpki.TestPki.writePkcs12(keys.resolve("alice@hisp.example.org.p12"),
                pki.rsaEntity("alice@hisp.example.org", 2048), "right");
        Files.writeString(keys.resolve("password"), "wrong\n");
        Files.setPosixFilePermissions(keys.resolve("password"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path file = dir.resolve("keys.conf");
        Files.writeString(file, "TemporaryDirectory " + dir + "\nDomains hisp.example.org\nKeyStore " + keys + "\n");

        Outcome wrong = run("check", "-c", file.toString());
        assertThat(wrong.status()).isEqualTo(78);
        assertThat(wrong.err().lines()).first().asString()
                .startsWith(file + ":3: KeyStore: " + keys.resolve("alice@hisp.example.org.p12") + ": ");

        Files.writeString(keys.resolve("password"), "right\n");
        assertThat(run("check", "-c", file.toString()).status()).isEqualTo(0);
    }

    @Test
    void socketGroupMustExist() throws IOException {
        Path file = config("SocketGroup no-such-group-dm\nTemporaryDirectory " + dir + "\n");
        Outcome outcome = run("check", "-c", file.toString());
        assertThat(outcome.status()).isEqualTo(78);
        assertThat(outcome.err()).contains(file + ":1: SocketGroup: group \"no-such-group-dm\" does not exist");
    }

    @Test
    void usageErrorsExit64() {
        assertThat(run("check", "--bogus").status()).isEqualTo(64);
        assertThat(run("no-such-command").status()).isEqualTo(64);
        Outcome bare = run();
        assertThat(bare.status()).isEqualTo(64);
        assertThat(bare.err()).contains("Commands:", "check", "run");
    }

    @Test
    void helpDocumentsCommandsExitCodesFilesAndExamples() {
        Outcome help = run("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: direct-milter", "Commands:", "run", "check", "probe", "Exit codes:",
                "78", "69", "Files:", "/etc/direct-milter/direct-milter.conf", "Examples:");
        Outcome checkHelp = run("help", "check");
        assertThat(checkHelp.status()).isZero();
        assertThat(checkHelp.out()).contains("-c, --config=FILE", "Exit codes:");
    }

    @Test
    void versionNamesTheProgram() {
        Outcome version = run("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("direct-milter ");
    }

    @Test
    void ourCertificatesExpiringSoonAndDomainsWithoutAKeyAreWarnedOf() throws Exception {
        TestPki pki = TestPki.create("check expiry CA");
        Instant now = Instant.now();
        TestPki.writePkcs12(dir.resolve("hisp.example.org.p12"), pki.entity("hisp.example.org", TestPki.rsa(2048),
                b -> b.validity(now.minus(Duration.ofDays(300)), now.plus(Duration.ofDays(10)))), "pw");
        Files.setPosixFilePermissions(Files.writeString(dir.resolve("hisp.example.org.pass"), "pw\n"),
                PosixFilePermissions.fromString("rw-------"));
        Path file = config("Socket inet:0@127.0.0.1\nTemporaryDirectory " + dir
                + "\nDomains hisp.example.org, other.example\n");
        Outcome outcome = run("check", "-c", file.toString());
        assertThat(outcome.status()).isZero();
        assertThat(outcome.err().lines()).anySatisfy(line -> assertThat(line).startsWith("warning: key ")
                .contains("hisp.example.org.p12", "CN=hisp.example.org", "expires in 9 days"));
        assertThat(outcome.err().lines()).anySatisfy(line -> assertThat(line)
                .startsWith("warning: other.example has no key in " + dir).contains("refused"));
        assertThat(outcome.err()).doesNotContain("hisp.example.org has no key");
    }

    @Test
    void postfixWithoutDirectMilterForLocalSubmissionIsWarnedOf() throws IOException {
        Path postconf = Path.of("/usr/sbin/postconf");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(postconf), "Postfix's postconf is installed");
        Path file = config("Socket inet:8891@127.0.0.1\nTemporaryDirectory " + dir + "\n");
        Path postfix = Files.createDirectories(dir.resolve("postfix"));
        Files.writeString(postfix.resolve("main.cf"), "smtpd_milters = {inet:127.0.0.1:8891, default_action=accept}\n"
                + "milter_default_action = accept\n");

        Outcome partial = run("check", "-c", file.toString(), "--postfix", postfix.toString());

        assertThat(partial.status()).isZero();
        assertThat(partial.err().lines().filter(l -> l.contains("Postfix ("))).containsExactly(
                "warning: Postfix (" + postfix + "): non_smtpd_milters does not name direct-milter's socket "
                        + "inet:8891@127.0.0.1: mail submitted with sendmail (local programs, delivery notifications) "
                        + "leaves unprotected",
                "warning: Postfix (" + postfix + "): milter_default_action is accept, not tempfail: while "
                        + "direct-milter cannot be reached, mail passes unprotected");

        Files.writeString(postfix.resolve("main.cf"), "smtpd_milters = inet:127.0.0.1:8891\n"
                + "non_smtpd_milters = $smtpd_milters\nmilter_default_action = tempfail\n");
        assertThat(run("check", "-c", file.toString(), "--postfix", postfix.toString()).err())
                .doesNotContain("Postfix (", "Postfix's settings");
        assertThat(run("check", "-c", file.toString()).err()).as("only when asked").doesNotContain("Postfix (");
    }
}
