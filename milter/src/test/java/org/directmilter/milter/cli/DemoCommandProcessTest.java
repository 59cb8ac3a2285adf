package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.Scratch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code direct-milter demo} as a user runs it: a real process (the daemon's shutdown hook halts the
 * JVM), its printed commands run as printed.
 */
class DemoCommandProcessTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

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
        return Scratch.readOrEmpty(dir.resolve("output.log"));
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
        // a demo that dies ends the wait at once
        Poll.until("port " + port + " to listen and the demo to say it serves", START_TIMEOUT,
                () -> !process.isAlive() || Ports.listening(port) && output().contains("serving on"), this::output);
        assertThat(process.isAlive()).as("the demo exited early: %s", output()).isTrue();
    }

    /** The commands the demo printed that start with {@code prefix}, in order. */
    private List<String> printed(String prefix) {
        String text = output();
        List<String> lines = text.lines().map(String::strip).filter(l -> l.startsWith(prefix)).toList();
        assertThat(lines).as("lines starting with '%s' in: %s", prefix, text).isNotEmpty();
        return lines;
    }

    /** A printed direct-milter command run in-process, as the arguments after the launcher. */
    private static CheckCommandTest.Outcome runPrinted(String line) {
        String[] words = line.split(" ");
        return CheckCommandTest.run(Arrays.copyOfRange(words, 1, words.length));
    }

    /** Runs a printed shell pipeline; fails with its output unless every command in it succeeds. */
    private static String bash(String pipeline) throws Exception {
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", pipeline).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(pipeline + "\n" + output).isZero();
        return output;
    }

    @Test
    void createsTheDemoRunsTheDaemonAndPrintsCommandsThatWorkAsPrinted() throws Exception {
        Path demo = dir.resolve("demo");
        int port = Ports.free();

        startDemo(demo, port);

        assertThat(output()).contains("smtpd_milters         = inet:127.0.0.1:" + port,
                "milter_default_action = tempfail", "non_smtpd_milters     = $smtpd_milters",
                "serving on inet:" + port + "@127.0.0.1");
        assertThat(demo.resolve("keys/bob@hisp-b.example.p12")).isRegularFile();
        assertThat(demo.resolve("certs/bob@hisp-b.example.pem")).isRegularFile();
        CheckCommandTest.Outcome check = CheckCommandTest.run("check", "-c", demo.resolve("direct-milter.conf").toString());
        assertThat(check.status()).as(check.err()).isZero();

        List<String> probes = printed("direct-milter probe ");
        assertThat(probes).hasSize(2);
        assertThat(probes.get(0)).isEqualTo("direct-milter probe --socket inet:" + port + "@127.0.0.1"
                + " --from alice@hisp-a.example --to bob@hisp-b.example --output " + demo.resolve("out.eml"));

        // outgoing: alice's message leaves signed and encrypted, without its Subject outside
        CheckCommandTest.Outcome sent = runPrinted(probes.get(0));
        assertThat(sent.status()).as(sent.out() + sent.err()).isZero();
        String outer = Files.readString(demo.resolve("out.eml"));
        String outerHeaders = outer.substring(0, outer.indexOf("\r\n\r\n"));
        assertThat(outerHeaders).contains("Content-Type: application/pkcs7-mime; smime-type=enveloped-data")
                .doesNotContain("Subject:");

        // bob's HISP, played by openssl, recovers alice's message and trusts her signature
        String opened = bash(printed("openssl cms -decrypt ").get(0));
        assertThat(opened).contains("Content-Type: message/rfc822", "Subject: direct-milter probe",
                "A test message sent by direct-milter probe.", "CMS Verification successful");

        // incoming: the daemon itself, as hisp-b.example, decrypts and verifies it
        CheckCommandTest.Outcome received = runPrinted(probes.get(1));
        assertThat(received.status()).as(received.out() + received.err()).isZero();
        assertThat(Files.readString(demo.resolve("in.eml"))).contains("Subject: direct-milter probe",
                "X-Direct-Verified: signer=alice@hisp-a.example", "A test message sent by direct-milter probe.");

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
