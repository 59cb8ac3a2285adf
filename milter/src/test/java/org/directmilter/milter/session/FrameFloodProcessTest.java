package org.directmilter.milter.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.server.SocketSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduction of issue 19.2 against a real daemon process with a 256 MB heap: 300 connections that
 * announce a 1 MiB frame and send nothing (which used to allocate 300 MiB and kill the acceptor), and 100
 * that send whole 1 MiB frames (more than MessageMemory holds) — and the daemon still serves a normal
 * message, and exits cleanly on SIGTERM. It also removes a dead process's spool file at start.
 */
@Timeout(180)
class FrameFloodProcessTest {
    private static final Pattern SERVING = Pattern.compile("serving on \\S+ \\(127\\.0\\.0\\.1:(\\d+)\\), pid (\\d+)");

    @TempDir
    Path dir;

    private String output() throws IOException {
        Path log = dir.resolve("output.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void announcedFramesCannotExhaustTheHeapAndANormalMessageIsServed() throws Exception {
        Path leftover = Files.writeString(dir.resolve("direct-milter-spool-" + SpoolOnEveryPathTest.deadPid() + "-1.tmp"),
                "plaintext of a crashed run");
        Path config = Files.writeString(dir.resolve("direct-milter.conf"), "Socket inet:0@127.0.0.1\n"
                + "TemporaryDirectory " + dir + "\nDomains a.example\nMaxConnections 500\n"
                + "TrackingDatabase " + dir.resolve("tracking.db") + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process daemon = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "org.directmilter.milter.cli.DirectMilterCommand", "run", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("output.log").toFile()).start();
        List<Socket> attackers = new ArrayList<>();
        try {
            Matcher serving = SERVING.matcher("");
            Poll.until("the daemon serves", () -> {
                try {
                    return serving.reset(output()).find() || !daemon.isAlive();
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(serving.reset(output()).find()).as("startup output: %s", output()).isTrue();
            assertThat(leftover).as("a dead process's spool file is removed at start").doesNotExist();
            assertThat(output()).contains("removed 1 spool file(s) left behind");
            int port = Integer.parseInt(serving.group(1));

            byte[] announce = {0x00, 0x10, 0x00, 0x00, 'B'}; // 1 MiB, then nothing
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket("127.0.0.1", port);
                attackers.add(s);
                s.getOutputStream().write(announce);
                s.getOutputStream().flush();
            }
            byte[] whole = new byte[1 << 20];
            whole[2] = 0x10;
            whole[4] = 'B';
            for (int i = 0; i < 100; i++) {
                Socket s = new Socket("127.0.0.1", port);
                attackers.add(s);
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(whole);
                    out.flush();
                } catch (IOException e) {
                    // refused for want of shared memory and closed while we were still writing: as designed
                }
            }

            try (MilterClient client = MilterClient.connect(SocketSpec.parse("inet:" + port + "@127.0.0.1"))) {
                var outcome = Exchange.send(client, Envelope.of("sender@other.example", List.of("rcpt@elsewhere.example")),
                        "Subject: still here\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(outcome.endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
            }
            assertThat(daemon.isAlive()).as("output: %s", output()).isTrue();
            assertThat(output()).doesNotContain("OutOfMemoryError", "fatal error");
        } finally {
            for (Socket s : attackers) {
                s.close();
            }
            daemon.destroy(); // SIGTERM
            if (!daemon.waitFor(60, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
        assertThat(daemon.exitValue()).as("output: %s", output()).isZero();
    }
}
