package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50 MB message through {@code protect} and then {@code unprotect}, each in a JVM of its own with a
 * 256 MB heap: the engine streams and spools, so memory must not follow the message size. The result is
 * compared with the original by SHA-256, byte for byte.
 */
class LargeMessageProcessTest {

    private static final long SIZE = 50L * 1024 * 1024;
    private static final String HEAP = "-Xmx256m";

    @TempDir
    Path dir;

    @Test
    void fiftyMegabytesGoThroughProtectAndUnprotectInA256MegabyteHeap() throws Exception {
        TestPki pki = TestPki.create("Large message CA");
        PrivateKeyEntry alice = pki.rsaEntity("alice@hisp.example.org", 2048);
        PrivateKeyEntry bob = pki.rsaEntity("bob@partner.example", 2048);
        Path config = OfflineFixture.create(dir, "alice@hisp.example.org", alice, "partner.example", bob, pki);
        byte[] original = writeMessage(dir.resolve("large.eml"));

        run(dir.resolve("protect.log"), "protect", "-c", config.toString(), "--from", "alice@hisp.example.org",
                "--to", "bob@partner.example", "--cert", dir.resolve("bob.pem").toString(),
                dir.resolve("large.eml").toString(), dir.resolve("protected.eml").toString());
        assertThat(Files.size(dir.resolve("protected.eml"))).isGreaterThan(SIZE * 4 / 3);
        run(dir.resolve("unprotect.log"), "unprotect", "-c", config.toString(), "--to", "bob@partner.example",
                dir.resolve("protected.eml").toString(), dir.resolve("inner.eml").toString());

        assertThat(Files.size(dir.resolve("inner.eml"))).isEqualTo(Files.size(dir.resolve("large.eml")));
        assertThat(sha256(dir.resolve("inner.eml"))).isEqualTo(original);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("direct-milter-spool-"));
        }
    }

    /** A message of {@link #SIZE} bytes with CRLF line ends (what unprotect returns); its SHA-256. */
    private static byte[] writeMessage(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 65536),
                digest)) {
            out.write(("From: alice@hisp.example.org\r\nTo: bob@partner.example\r\nSubject: imaging study\r\n"
                    + "Message-ID: <large.1@hisp.example.org>\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long written = 0;
            for (long line = 0; written < SIZE; line++) {
                byte[] bytes = ("line " + line + " of a large clinical attachment, as a mail client sends it\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                out.write(bytes);
                written += bytes.length;
            }
        }
        return digest.digest();
    }

    private static byte[] sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[65536];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.digest();
    }

    /** Runs the launcher's main class in a JVM with a {@link #HEAP} heap; it must exit 0 within a minute. */
    private static void run(Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                DirectMilterCommand.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(args[0] + " did not finish within 60 s:\n" + Files.readString(log));
        }
        assertThat(process.exitValue()).as(args[0] + " with " + HEAP + ":\n" + Files.readString(log)).isZero();
    }
}
