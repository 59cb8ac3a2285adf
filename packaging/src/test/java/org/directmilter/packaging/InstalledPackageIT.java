package org.directmilter.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.testkit.Exec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The .deb as an operator gets it, on this machine: installed beforehand with {@code apt-get install
 * ./direct-milter_*.deb} (.ci/run's package phase), then checked and driven step by step, in order:
 * files, owners and modes; the command line; the unit; the daemon started by the unit's own ExecStart
 * line (systemd is not PID 1 here) refusing to start unconfigured, then serving a real Postfix over the
 * socket in Postfix's spool directory and protecting a Direct message; SIGUSR2; SIGTERM; remove; purge.
 * The last steps uninstall the package.
 */
@Tag("installed")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstalledPackageIT {

    private static final String UNIT = "/lib/systemd/system/direct-milter.service";
    private static final String CONF = "/etc/direct-milter/direct-milter.conf";
    private static final String SOCKET = "/var/spool/postfix/direct-milter/direct-milter.sock";
    private static final String PID_FILE = "/run/direct-milter/jsvc.pid";
    private static final String LOCAL = "hisp.test";
    private static final String SENDER = "alice@" + LOCAL;
    private static final String PARTNER = "partner.test";
    private static final String RECIPIENT = "bob@" + PARTNER;
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final Duration START = Duration.ofSeconds(60);

    private static Path work;
    private static Process daemon;
    private static Path daemonLog;
    private static PostfixInstance postfix;

    // ------------------------------------------------------------------ 1. what is installed

    @Test
    @Order(1)
    void filesOwnersAndModesAreAsTheInstallChapterSays() throws IOException {
        assertThat(Exec.check("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "direct-milter").output())
                .as("the .deb is installed (.ci/run: apt-get install ./packaging/target/direct-milter_*.deb)")
                .startsWith("ii");

        Map<String, String> expected = new LinkedHashMap<>();
        PackagesIT.COMMON.forEach((path, mode) -> expected.put(strip(path), mode + " root root"));
        expected.put("/etc/direct-milter/keys", "drwxr-x--- root direct-milter");
        expected.put("/var/lib/direct-milter", "drwxr-x--- direct-milter direct-milter");
        expected.put("/var/lib/direct-milter/bundles", "drwxr-x--- direct-milter direct-milter");
        expected.put("/etc/default/direct-milter", "-rw-r--r-- root root");
        expected.put(UNIT, "-rw-r--r-- root root");
        expected.put("/run/direct-milter", "drwxr-x--- direct-milter direct-milter");
        expected.put("/var/spool/postfix/direct-milter", "drwxr-s--- direct-milter postfix");
        expected.forEach((path, modeOwners) -> assertThat(stat(path)).as(path).isEqualTo(modeOwners));

        assertThat(Exec.check("dpkg-query", "-W", "-f=${Conffiles}", "direct-milter").output())
                .contains(" /etc/direct-milter/direct-milter.conf ", " /etc/direct-milter/logback.xml ",
                        " /etc/default/direct-milter ");
        assertThat(Files.readSymbolicLink(Path.of("/etc/systemd/system/multi-user.target.wants/direct-milter.service")))
                .as("enabled").isEqualTo(Path.of(UNIT));
        assertThat(Path.of(PID_FILE)).as("not started").doesNotExist();

        // the user postinst made is the one sysusers.d describes: u NAME - "GECOS" HOME SHELL
        List<String> sysusers = SystemdUnit.words(Files.readString(Path.of("/usr/lib/sysusers.d/direct-milter.conf"))
                .lines().filter(l -> l.startsWith("u ")).findFirst().orElseThrow());
        String[] passwd = Exec.check("getent", "passwd", "direct-milter").output().strip().split(":");
        assertThat(passwd[0]).isEqualTo(sysusers.get(1));
        assertThat(passwd[4]).startsWith(sysusers.get(3));
        assertThat(passwd[5]).isEqualTo(sysusers.get(4));
        assertThat(passwd[6]).isEqualTo(sysusers.get(5));
        assertThat(Integer.parseInt(passwd[2])).as("a system user").isLessThan(1000);
        assertThat(Exec.check("id", "-gn", "direct-milter").output().strip()).isEqualTo("direct-milter");

        // tmpfiles.d, as systemd applies it at boot, finds the directories postinst made as it wants them
        Exec.check("systemd-tmpfiles", "--create", "/usr/lib/tmpfiles.d/direct-milter.conf");
        assertThat(stat("/run/direct-milter")).isEqualTo(expected.get("/run/direct-milter"));
        assertThat(stat("/var/spool/postfix/direct-milter")).isEqualTo(expected.get("/var/spool/postfix/direct-milter"));
    }

    // ------------------------------------------------------------------ 2. the command line, the unit

    @Test
    @Order(2)
    void theCommandWorksAsInstalledAndCheckRefusesAConfigurationWithoutDomains() {
        Exec.Result help = Exec.run(COMMAND, List.of("direct-milter", "--help"));
        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output()).contains("Usage: direct-milter", "check", "run");
        assertThat(Exec.check("/usr/bin/direct-milter", "--version").output()).contains("direct-milter");

        Exec.Result check = Exec.run(COMMAND, List.of("direct-milter", "check"));
        assertThat(check.exitCode()).as(check.output()).isEqualTo(78);
        assertThat(check.output()).contains(CONF, "Domains");
    }

    @Test
    @Order(3)
    void theUnitPassesSystemdAnalyzeVerifyWithoutAWord() {
        Exec.Result verify = Exec.run(COMMAND, List.of("systemd-analyze", "verify", UNIT));
        assertThat(verify.output()).as("systemd-analyze verify prints nothing").isEmpty();
        assertThat(verify.exitCode()).isZero();
    }

    // ------------------------------------------------------------------ 3. the daemon, as the unit starts it

    @Test
    @Order(4)
    void theUnitsExecStartRefusesToStartUntilDomainsIsSet() throws Exception {
        work = scratch();
        Path log = work.resolve("unconfigured.log");
        Process refused = startExecStart(log);
        assertThat(refused.waitFor(START.toSeconds(), TimeUnit.SECONDS)).as("jsvc gives up").isTrue();
        assertThat(refused.exitValue()).as(read(log)).isNotZero();
        assertThat(read(log)).contains("Domains");
        assertThat(Path.of(SOCKET)).doesNotExist();
    }

    @Test
    @Order(5)
    void servesPostfixOverTheSocketInItsSpoolAndProtectsADirectMessage() throws Exception {
        if (work == null) {
            work = scratch();
        }
        configure();
        Exec.Result check = Exec.run(COMMAND, List.of("direct-milter", "check"));
        assertThat(check.exitCode()).as(check.output()).isZero();
        Exec.Result asUser = Exec.run(COMMAND, List.of("runuser", "-u", "direct-milter", "--", "direct-milter", "check"));
        assertThat(asUser.exitCode()).as("check as the service user:\n%s", asUser.output()).isZero();

        daemonLog = work.resolve("daemon.log");
        daemon = startExecStart(daemonLog);
        Poll.until("the installed daemon's \"serving on\" line", START, () -> {
            if (!daemon.isAlive()) {
                throw new AssertionError("jsvc exited with " + daemon.exitValue() + "\n" + read(daemonLog));
            }
            return read(daemonLog).contains(" serving on local:" + SOCKET);
        }, () -> read(daemonLog));

        // jsvc stays root to forward signals; the JVM runs as direct-milter without any capability
        long jvm = Long.parseLong(Files.readString(Path.of(PID_FILE)).strip());
        assertThat(status(daemon.pid(), "Uid")).startsWith("0\t");
        String uid = Exec.check("id", "-u", "direct-milter").output().strip();
        assertThat(status(jvm, "Uid")).isEqualTo(String.join("\t", uid, uid, uid, uid));
        assertThat(status(jvm, "CapEff")).isEqualTo("0000000000000000");
        assertThat(stat(SOCKET)).isEqualTo("srw-rw---- direct-milter postfix");

        postfix = PostfixInstance.start("unix:" + SOCKET);
        String message = "From: Alice <" + SENDER + ">\r\nTo: Bob <" + RECIPIENT + ">\r\n"
                + "Subject: installed package\r\nMessage-ID: <installed-1@" + LOCAL + ">\r\n\r\n"
                + "A Direct message through the installed daemon.\r\n";
        List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(), SENDER, List.of(RECIPIENT), message);
        assertThat(replies).as("SMTP replies").allMatch(SmtpClient.Reply::positive);

        SinkMessage got = postfix.awaitSinkMessages(1, Duration.ofSeconds(60)).get(0);
        assertThat(got.envelopeRecipients()).containsExactly("<" + RECIPIENT + ">");
        assertThat(got.original()).as("what the partner receives")
                .containsPattern("(?im)^Content-Type: application/pkcs7-mime")
                .doesNotContain("A Direct message through the installed daemon.");
        assertThat(read(daemonLog)).contains(RECIPIENT, "outcome=protected");
    }

    @Test
    @Order(6)
    void theUnitsExecReloadReloadsWithoutRestartingTheJvm() throws Exception {
        assertThat(daemon).as("started by the previous step").isNotNull();
        long jvm = Long.parseLong(Files.readString(Path.of(PID_FILE)).strip());
        String conf = Files.readString(Path.of(CONF));
        Files.writeString(Path.of(CONF), conf.replace("\nDNSTimeout 3s\n", "\nDNSTimeout 4s\n"));

        SystemdUnit unit = SystemdUnit.parse(Files.readString(Path.of(UNIT)));
        List<String> reload = SystemdUnit.command(unit.value("ExecReload"), Map.of("MAINPID", Long.toString(daemon.pid())));
        Exec.check(reload.toArray(String[]::new));
        Poll.until("the reload log line", Duration.ofSeconds(30),
                () -> read(daemonLog).contains("configuration reloaded"), () -> read(daemonLog));
        assertThat(read(daemonLog)).contains("DNSTimeout changed: 3s -> 4s");
        assertThat(Files.readString(Path.of(PID_FILE)).strip()).as("the same JVM").isEqualTo(Long.toString(jvm));

        // still serving after the reload
        String message = "From: " + SENDER + "\r\nTo: " + RECIPIENT + "\r\nSubject: after reload\r\n\r\nsecond\r\n";
        assertThat(SmtpClient.send(postfix.smtpPort(), SENDER, List.of(RECIPIENT), message))
                .allMatch(SmtpClient.Reply::positive);
        assertThat(postfix.awaitSinkMessages(2, Duration.ofSeconds(60)).get(1).original())
                .containsPattern("(?im)^Content-Type: application/pkcs7-mime");
    }

    @Test
    @Order(7)
    void sigtermAsSystemdSendsItStopsCleanly() throws Exception {
        assertThat(daemon).as("started by an earlier step").isNotNull();
        long jvm = Long.parseLong(Files.readString(Path.of(PID_FILE)).strip());
        daemon.destroy(); // SIGTERM to the main process: KillMode=mixed
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("stops within TimeoutStopSec").isTrue();
        assertThat(daemon.exitValue()).as(read(daemonLog)).isZero();
        assertThat(read(daemonLog)).contains("stopping: no new connections", "DaemonRunner: stopped");
        assertThat(ProcessHandle.of(jvm).map(ProcessHandle::isAlive)).as("the JVM is gone").isNotEqualTo(
                java.util.Optional.of(true));
        assertThat(Path.of(SOCKET)).doesNotExist();
        assertThat(Path.of(PID_FILE)).doesNotExist();
    }

    // ------------------------------------------------------------------ 4. remove and purge

    @Test
    @Order(8)
    void removeKeepsTheConfigurationKeysAndTheUser() throws IOException {
        apt("remove");
        assertThat(Exec.check("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "direct-milter").output()).startsWith("rc");
        assertThat(Path.of("/usr/bin/direct-milter")).doesNotExist();
        assertThat(Path.of("/usr/share/direct-milter")).doesNotExist();
        assertThat(Path.of(UNIT)).doesNotExist();
        assertThat(Files.readString(Path.of(CONF))).contains("Domains " + LOCAL);
        assertThat(Path.of("/etc/direct-milter/logback.xml")).exists();
        assertThat(Path.of("/etc/default/direct-milter")).exists();
        assertThat(Path.of("/etc/direct-milter/keys/" + SENDER + ".p12")).exists();
        assertThat(Path.of("/etc/direct-milter/anchors/" + LOCAL + "/outgoing/ca.pem")).exists();
        assertThat(Exec.run(COMMAND, List.of("getent", "passwd", "direct-milter")).exitCode()).isZero();
        assertThat(Files.readSymbolicLink(Path.of("/etc/systemd/system/direct-milter.service")))
                .as("masked: nothing starts a daemon whose program is gone").isEqualTo(Path.of("/dev/null"));
    }

    @Test
    @Order(9)
    void purgeDeletesThePackagesFilesButNeverTheOperatorsKeys() throws IOException {
        apt("purge");
        assertThat(Exec.run(COMMAND, List.of("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "direct-milter")).output())
                .doesNotStartWith("rc").doesNotStartWith("ii");
        for (String gone : List.of(CONF, "/etc/direct-milter/logback.xml", "/etc/default/direct-milter",
                "/var/lib/direct-milter", "/run/direct-milter", "/var/spool/postfix/direct-milter",
                "/etc/systemd/system/direct-milter.service",
                "/etc/systemd/system/multi-user.target.wants/direct-milter.service")) {
            assertThat(Path.of(gone)).as(gone).doesNotExist();
        }
        assertThat(Path.of("/etc/direct-milter/keys/" + SENDER + ".p12")).as("the operator's key").exists();
        assertThat(Path.of("/etc/direct-milter/anchors/" + LOCAL + "/outgoing/ca.pem")).exists();
        assertThat(Exec.run(COMMAND, List.of("getent", "passwd", "direct-milter")).exitCode())
                .as("the user stays with the files that name its group").isZero();
    }

    @Test
    @Order(10)
    void purgeAfterTheOperatorsFilesAreGoneLeavesNothingBehind() throws IOException {
        Exec.check("rm", "-rf", "/etc/direct-milter/keys", "/etc/direct-milter/anchors", "/etc/direct-milter/certs");
        Path deb = PackagesIT.deb();
        Exec.Result install = Exec.run(COMMAND, List.of("dpkg", "-i", deb.toAbsolutePath().toString()));
        assertThat(install.exitCode()).as(install.output()).isZero();
        assertThat(install.output()).contains("refuses to start until the local Direct");

        // this test's daemon stopped in step 7: a process running as direct-milter now is someone else's
        // (a shared development machine); deluser must then refuse, and postrm must say so
        String others = processesOfTheUser();
        String purge = apt("purge");
        for (String gone : List.of("/etc/direct-milter", "/var/lib/direct-milter", "/run/direct-milter",
                "/var/spool/postfix/direct-milter", "/usr/share/direct-milter", "/usr/bin/direct-milter")) {
            assertThat(Path.of(gone)).as(gone).doesNotExist();
        }
        if (!others.isEmpty()) {
            assertThat(purge).as("processes outside this test run as direct-milter:%n%s", others)
                    .contains("direct-milter: could not remove the user direct-milter");
            return;
        }
        assertThat(Exec.run(COMMAND, List.of("getent", "passwd", "direct-milter")).exitCode())
                .as("the user is gone; apt-get purge said:%n%s", purge).isEqualTo(2);
        assertThat(Exec.run(COMMAND, List.of("getent", "group", "direct-milter")).exitCode()).isEqualTo(2);
    }

    @AfterAll
    static void stopEverything() {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly();
        }
        if (postfix != null) {
            postfix.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The unit's ExecStart, exactly: its Environment= and EnvironmentFile= settings, its variables
     * expanded as systemd expands them, run as root with systemd's default PATH and nothing else in
     * the environment. Standard output and error go to {@code log}, as they would go to the journal.
     */
    private static Process startExecStart(Path log) throws IOException {
        SystemdUnit unit = SystemdUnit.parse(Files.readString(Path.of(UNIT)));
        Map<String, String> env = unit.environment(path -> {
            try {
                return Files.exists(Path.of(path)) ? Files.readString(Path.of(path)) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<String> argv = SystemdUnit.command(unit.value("ExecStart"), env);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        builder.environment().putAll(env);
        Files.writeString(log, "");
        return builder.start();
    }

    /**
     * An operator's setup, done with the tools an operator has: a CA and two users made with the
     * openssl command, the sender's key in KeyStore, the CA as hisp.test's anchor both ways, the
     * partner's certificate in CertificateDir ({@code <address>.pem}), and Domains set in the
     * installed file.
     */
    private static void configure() throws Exception {
        Path pki = Files.createDirectories(work.resolve("pki"));
        openssl(pki, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "30", "-subj", "/CN=direct-milter installed-package test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        for (String address : List.of(SENDER, RECIPIENT)) {
            Files.writeString(pki.resolve(address + ".ext"), "basicConstraints=critical,CA:FALSE\n"
                    + "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    + "extendedKeyUsage=emailProtection\nsubjectAltName=email:" + address + "\n");
            openssl(pki, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", address + ".key", "-out", address + ".csr",
                    "-subj", "/CN=" + address);
            openssl(pki, "x509", "-req", "-in", address + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", "30", "-sha256", "-extfile", address + ".ext", "-out", address + ".pem");
        }
        Path keys = Path.of("/etc/direct-milter/keys");
        openssl(pki, "pkcs12", "-export", "-inkey", SENDER + ".key", "-in", SENDER + ".pem", "-certfile", "ca.pem",
                "-passout", "pass:installed-test", "-out", keys.resolve(SENDER + ".p12").toString());
        Files.writeString(keys.resolve(SENDER + ".pass"), "installed-test\n");
        for (String file : List.of(SENDER + ".p12", SENDER + ".pass")) {
            Exec.check("chown", "root:direct-milter", keys.resolve(file).toString());
            Files.setPosixFilePermissions(keys.resolve(file), PosixFilePermissions.fromString("rw-r-----"));
        }
        for (String direction : List.of("incoming", "outgoing")) {
            Path dir = Files.createDirectories(Path.of("/etc/direct-milter/anchors", LOCAL, direction));
            Files.copy(pki.resolve("ca.pem"), dir.resolve("ca.pem"));
        }
        Files.copy(pki.resolve(RECIPIENT + ".pem"), Path.of("/etc/direct-milter/certs", RECIPIENT + ".pem"));

        // DNS goes to a loopback port nothing listens on: the partner's certificate must come from CertificateDir
        Files.writeString(Path.of(CONF), "\n# installed-package test\nDomains " + LOCAL + "\n"
                + "Nameservers 127.0.0.1:" + unusedPort() + "\nDNSTimeout 3s\n", StandardOpenOption.APPEND);
    }

    /** A loopback port that nothing listens on (the kernel picked it a moment ago). */
    private static int unusedPort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** openssl ARGS, run in {@code dir} so that relative file names land there. */
    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "cd \"$0\" && exec openssl \"$@\"", dir.toString()));
        command.addAll(List.of(args));
        Exec.run(COMMAND, command).orThrow();
    }

    /** "PID ARGS" of every process running as direct-milter, one per line; empty when there is none. */
    private static String processesOfTheUser() {
        Exec.Result ps = Exec.run(COMMAND, List.of("ps", "-u", "direct-milter", "-o", "pid=,args="));
        return ps.exitCode() == 0 ? ps.output().strip() : "";
    }

    /** apt-get ACTION direct-milter, which must succeed; returns what it printed. */
    private static String apt(String action) {
        Exec.Result result = Exec.run(Duration.ofMinutes(5), List.of("env", "DEBIAN_FRONTEND=noninteractive",
                "apt-get", action, "-y", "-q", "direct-milter"));
        assertThat(result.exitCode()).as("apt-get %s:\n%s", action, result.output()).isZero();
        return result.output();
    }

    /** "MODE OWNER GROUP" as ls shows them, e.g. "drwxr-s--- direct-milter postfix". */
    private static String stat(String path) {
        return Exec.check("stat", "-c", "%A %U %G", path).output().strip();
    }

    private static String status(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow()
                .substring(field.length() + 1).strip();
    }

    private static String strip(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** A 0755 directory under target/: the daemon user and Postfix read what the test puts there. */
    private static Path scratch() throws IOException {
        Path base = Files.createDirectories(Path.of("target/installed").toAbsolutePath());
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createTempDirectory(base, "run-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }
}
