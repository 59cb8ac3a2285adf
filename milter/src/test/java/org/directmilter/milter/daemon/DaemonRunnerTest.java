package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.text.LogCapture;
import org.directmilter.milter.config.ConfigKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonRunnerTest {

    @TempDir
    Path dir;

    private Path config(String text) throws IOException {
        Path file = dir.resolve("direct-milter.conf");
        Files.writeString(file, "TemporaryDirectory " + dir + "\n" + text + (text.contains("Domains") ? "" : "Domains a.example\n")
                + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
        return file;
    }

    @Test
    void bindsServesAcceptsAndStops() throws Exception {
        DaemonRunner runner = DaemonRunner.bind(config("Socket inet:0@127.0.0.1\nWorkers 2\n"));
        try {
            runner.start();
            assertThat(runner.port()).isPositive();
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", runner.port()), 5_000);
                assertThat(client.isConnected()).isTrue();
            }
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
        runner.stop(Duration.ofSeconds(5)); // idempotent
        try (Socket late = new Socket()) {
            assertThatThrownBy(() -> late.connect(new InetSocketAddress("127.0.0.1", runner.port()), 1_000))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void portInUseIsUnavailableWithAnOperatorMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path file = config("Socket inet:" + taken.getLocalPort() + "@127.0.0.1\n");
            assertThatThrownBy(() -> DaemonRunner.bind(file))
                    .isInstanceOfSatisfying(StartupException.class, e -> {
                        assertThat(e.exitStatus()).isEqualTo(ExitStatus.UNAVAILABLE);
                        assertThat(e.getMessage()).contains(String.valueOf(taken.getLocalPort()));
                        assertThat(e.getStackTrace()).isEmpty();
                    });
        }
    }

    @Test
    void configErrorsAreConfigFailuresListingEveryLine() throws Exception {
        Path file = config("Sockte inet:0@127.0.0.1\nWorkers 0\n");
        assertThatThrownBy(() -> DaemonRunner.bind(file))
                .isInstanceOfSatisfying(StartupException.class, e -> {
                    assertThat(e.exitStatus()).isEqualTo(ExitStatus.CONFIG);
                    assertThat(e.getMessage()).isEqualTo(file + ": 2 configuration errors");
                    assertThat(e.details()).hasSize(2);
                    assertThat(e.details().get(0)).startsWith(file + ":2: unknown key \"Sockte\"");
                    assertThat(e.details().get(1)).startsWith(file + ":3: bad value for \"Workers\"");
                });
    }

    @Test
    void reloadReportsChangesKeepsRunningOnABadFileAndFlagsRestartKeys() throws Exception {
        Path file = config("Socket inet:0@127.0.0.1\nDomains a.example\n");
        DaemonRunner runner = DaemonRunner.bind(file);
        try {
            runner.start();

            Files.writeString(file, "TemporaryDirectory " + dir + "\nSocket inet:0@127.0.0.1\nDomains b.example\n"
                    + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
            assertThat(runner.reload()).isEqualTo(new DaemonRunner.ReloadResult.Reloaded(
                    java.util.List.of(ConfigKeys.DOMAINS), java.util.List.of()));
            assertThat(runner.currentConfig().get(ConfigKeys.DOMAINS)).containsExactly("b.example");

            Files.writeString(file, "Sockte inet:1@127.0.0.1\n");
            assertThat(runner.reload()).isInstanceOf(DaemonRunner.ReloadResult.Rejected.class);
            assertThat(runner.currentConfig().get(ConfigKeys.DOMAINS)).containsExactly("b.example");

            Files.writeString(file, "TemporaryDirectory " + dir + "\nSocket inet:1@127.0.0.1\nDomains b.example\n"
                    + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
            assertThat(runner.reload()).isEqualTo(new DaemonRunner.ReloadResult.Reloaded(
                    java.util.List.of(), java.util.List.of(ConfigKeys.SOCKET)));

            try (Socket client = new Socket("127.0.0.1", runner.port())) {
                assertThat(client.isConnected()).as("still serving on the original socket").isTrue();
            }
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void startRefusesAnUnwritableSpoolDirectoryAndReleasesTheSocket() throws Exception {
        Path plainFile = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path file = dir.resolve("spool.conf");
        Files.writeString(file, "Socket inet:0@127.0.0.1\nDomains a.example\nTemporaryDirectory " + plainFile + "\n"
                + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
        DaemonRunner runner = DaemonRunner.bind(file);
        assertThatThrownBy(runner::start).isInstanceOfSatisfying(StartupException.class,
                e -> assertThat(e.exitStatus()).isEqualTo(ExitStatus.CONFIG));
        try (Socket late = new Socket()) {
            assertThatThrownBy(() -> late.connect(new InetSocketAddress("127.0.0.1", runner.port()), 1_000))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void startLogsWhatCheckWouldReportAboutKeysAndRevocation() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Path key = TestPki.writePkcs12(keys.resolve("a.example.p12"),
                TestPki.create("runner CA").rsaEntity("a.example", 2048), "pw");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Path password = Files.writeString(keys.resolve("password"), "pw\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path file = config("Socket inet:0@127.0.0.1\nKeyStore " + keys + "\nOn-RevocationUnknown accept\n");
        DaemonRunner runner = DaemonRunner.bind(file);
        try (LogCapture log = LogCapture.of(DaemonRunner.class)) {
            runner.start();

            assertThat(log.lines(Level.WARN)).anySatisfy(line -> assertThat(line)
                    .contains(key + ": is accessible to every user; refusing it"));
            assertThat(log.lines(Level.WARN)).contains("On-RevocationUnknown accept: a certificate whose revocation "
                    + "status cannot be learnt (CRL unreachable or stale) is used as if not revoked");
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void startAndReloadWarnOfOurCertificatesAndAnchorsExpiringWithinTheWindow() throws Exception {
        TestPki pki = TestPki.create("expiry CA");
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Instant now = Instant.now();
        TestPki.writePkcs12(keys.resolve("a.example.p12"), pki.entity("a.example", TestPki.rsa(2048),
                b -> b.validity(now.minus(Duration.ofDays(300)), now.plus(Duration.ofDays(10)))), "pw");
        TestPki.writePkcs12(keys.resolve("b.example.p12"), pki.rsaEntity("b.example", 2048), "pw");
        for (String name : new String[] {"a.example.pass", "b.example.pass"}) {
            Files.setPosixFilePermissions(Files.writeString(keys.resolve(name), "pw\n"),
                    PosixFilePermissions.fromString("rw-------"));
        }
        Path incoming = Files.createDirectories(dir.resolve("anchors/all-domains/incoming"));
        TestPki.Issued old = TestPki.cert("Old partner CA", TestPki.rsa(2048)).ca()
                .validity(now.minus(Duration.ofDays(400)), now.minus(Duration.ofDays(2))).build();
        TestPki.writePem(incoming.resolve("old.pem"), old.cert());
        Path file = config("Socket inet:0@127.0.0.1\nKeyStore " + keys + "\nAnchorDir " + dir.resolve("anchors")
                + "\nDomains a.example, b.example\n");
        DaemonRunner runner = DaemonRunner.bind(file);
        try (LogCapture log = LogCapture.of(DaemonRunner.class)) {
            runner.start();
            assertThat(log.lines(Level.WARN)).anySatisfy(line -> assertThat(line)
                    .contains("key " + keys.resolve("a.example.p12"), "CN=a.example", "expires in 9 days"));
            assertThat(log.lines(Level.WARN)).anySatisfy(line -> assertThat(line)
                    .contains("anchor ", "Old partner CA", "expired "));
            assertThat(log.lines(Level.WARN)).noneSatisfy(line -> assertThat(line).contains("CN=b.example"));

            // a narrower window at reload: the key is no longer warned of, the expired anchor still is
            Files.writeString(file, Files.readString(file) + "ExpiryWarningDays 5\n");
            int before = log.lines(Level.WARN).size();
            runner.reload();
            List<String> afterReload = log.lines(Level.WARN).subList(before, log.lines(Level.WARN).size());
            assertThat(afterReload).anySatisfy(line -> assertThat(line).contains("Old partner CA", "expired "));
            assertThat(afterReload).noneSatisfy(line -> assertThat(line).contains("CN=a.example"));
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aReloadEmptiesTheDiscoveryCacheUnlessToldToKeepIt() throws Exception {
        Path file = config("Socket inet:0@127.0.0.1\n");
        DaemonRunner runner = DaemonRunner.bind(file);
        try {
            runner.start();
            var first = runner.policy().discovery();
            runner.reload();
            var afterFlush = runner.policy().discovery();
            assertThat(afterFlush).as("a new discovery, its cache empty").isNotSameAs(first);

            Files.writeString(file, Files.readString(file) + "FlushCacheOnReload no\n");
            runner.reload();
            var kept = runner.policy().discovery();
            runner.reload();
            assertThat(runner.policy().discovery()).as("kept with FlushCacheOnReload no").isSameAs(kept);
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
    }
}
