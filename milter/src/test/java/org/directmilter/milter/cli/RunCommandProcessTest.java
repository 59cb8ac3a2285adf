package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Scratch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code direct-milter run} as a real process: exit statuses and signal handling cannot be observed
 * in-process (the shutdown hook halts the JVM).
 */
class RunCommandProcessTest {

    private static final Pattern SERVING = Pattern.compile("serving on \\S+ \\(127\\.0\\.0\\.1:(\\d+)\\), pid (\\d+)");

    @TempDir
    Path dir;

    private Process start(Path config) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                DirectMilterCommand.class.getName(), "run", "-c", config.toString())
                .redirectErrorStream(true)
                // A file, not a pipe: Process.destroy() closes the pipes, and the output after
                // SIGTERM is what we want to read.
                .redirectOutput(dir.resolve("output.log").toFile())
                .start();
    }

    private Path config(String text) throws IOException {
        Path file = dir.resolve("direct-milter.conf");
        Files.writeString(file, "TemporaryDirectory " + dir + "\n" + text + (text.contains("Domains") ? "" : "Domains a.example\n")
                + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
        return file;
    }

    private String output() {
        return Scratch.readOrEmpty(dir.resolve("output.log"));
    }

    @Test
    void servesUntilSigtermThenDrainsAndExitsZero() throws Exception {
        Process process = start(config("Socket inet:0@127.0.0.1\n"));
        try {
            Matcher serving = SERVING.matcher("");
            Poll.until("the daemon's \"serving on\" line", Duration.ofSeconds(30),
                    () -> !process.isAlive() || serving.reset(output()).find(), this::output);
            assertThat(serving.reset(output()).find()).as("startup output: %s", output()).isTrue();
            assertThat(Long.parseLong(serving.group(2))).isEqualTo(process.pid());
            try (Socket client = new Socket("127.0.0.1", Integer.parseInt(serving.group(1)))) {
                assertThat(client.isConnected()).isTrue();
            }
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("output: %s", output()).isZero();
            assertThat(output()).contains("stopping: no new connections", "DaemonRunner: stopped");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void badConfigurationExits78WithoutAStackTrace() throws Exception {
        Process process = start(config("Socket inet:0@127.0.0.1\nSockte x\nWorkers 0\n"));
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = output();
        assertThat(process.exitValue()).as(output).isEqualTo(78);
        assertThat(output).contains(":3: unknown key \"Sockte\" (did you mean \"Socket\"?)",
                ":4: bad value for \"Workers\"", "direct-milter: ").doesNotContain("\tat ", "Exception");
    }

    @Test
    void portInUseExits69WithOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Process process = start(config("Socket inet:" + taken.getLocalPort() + "@127.0.0.1\n"));
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = output();
            assertThat(process.exitValue()).as(output).isEqualTo(69);
            assertThat(output).contains(String.valueOf(taken.getLocalPort())).doesNotContain("\tat ");
        }
    }
}
