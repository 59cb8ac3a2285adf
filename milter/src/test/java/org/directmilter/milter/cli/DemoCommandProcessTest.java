package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.it.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code direct-milter demo} as a user runs it: a real process (the daemon's shutdown hook halts the
 * JVM), its printed commands run as printed.
 */
class DemoCommandProcessTest {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private String output() {
        Path log = dir.resolve("output.log");
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the demo into DIR and returns once its port listens and the daemon says it serves (the
     * instructions are printed between the two): polled, with a deadline.
     */
    private void startDemo(Path demo, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                DirectMilterCommand.class.getName(), "demo", demo.toString(), "--port", String.valueOf(port))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.log").toFile())
                .start();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        // Between looks, wait on the process itself: a demo that dies ends the wait at once.
        while (!(Ports.listening(port) && output().contains("serving on"))
                && !process.waitFor(20, TimeUnit.MILLISECONDS)) {
            assertThat(System.nanoTime() - deadline).as(() -> "port " + port + " listening; output: " + output())
                    .isNegative();
        }
        assertThat(process.isAlive()).as("the demo exited early: %s", output()).isTrue();
    }

    /** A command the demo printed, e.g. {@code direct-milter probe ...}, as arguments after the launcher. */
    private String[] printed(String command) {
        String text = output();
        String line = text.lines().map(String::strip).filter(l -> l.startsWith("direct-milter " + command + " "))
                .findFirst().orElseThrow(() -> new AssertionError("no '" + command + "' line in: " + text));
        String[] words = line.split(" ");
        return Arrays.copyOfRange(words, 1, words.length);
    }

    @Test
    void createsTheDemoRunsTheDaemonAndPrintsWorkingCommands() throws Exception {
        Path demo = dir.resolve("demo");
        int port = Ports.free();

        startDemo(demo, port);

        assertThat(output()).contains("smtpd_milters         = inet:127.0.0.1:" + port,
                "milter_default_action = tempfail", "non_smtpd_milters     = $smtpd_milters",
                "direct-milter probe --socket inet:" + port + "@127.0.0.1 --from alice@hisp-a.example --to bob@hisp-b.example",
                "openssl cms -decrypt -in " + demo.resolve("out.eml"), "serving on inet:" + port + "@127.0.0.1");
        assertThat(demo.resolve("keys/bob@hisp-b.example.p12")).isRegularFile();
        assertThat(demo.resolve("certs/bob@hisp-b.example.pem")).isRegularFile();

        CheckCommandTest.Outcome check = CheckCommandTest.run("check", "-c", demo.resolve("direct-milter.conf").toString());
        assertThat(check.status()).as(check.err()).isZero();

        CheckCommandTest.Outcome probe = CheckCommandTest.run(printed("probe"));
        assertThat(probe.status()).as(probe.out() + probe.err()).isZero();
        assertThat(probe.out()).contains("result: accept");
        assertThat(demo.resolve("out.eml")).isRegularFile();

        process.destroy(); // SIGTERM, as Ctrl-C
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output()).isZero();
    }

    @Test
    void aSecondRunReusesTheDemoAndItsPort() throws Exception {
        Path demo = dir.resolve("demo");
        int port = Ports.free();
        startDemo(demo, port);
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        byte[] key = Files.readAllBytes(demo.resolve("keys/bob@hisp-b.example.p12"));

        startDemo(demo, port);

        assertThat(output()).contains("test PKI: reused from an earlier run", "direct-milter.conf (reused)");
        assertThat(Files.readAllBytes(demo.resolve("keys/bob@hisp-b.example.p12"))).isEqualTo(key);
    }
}
