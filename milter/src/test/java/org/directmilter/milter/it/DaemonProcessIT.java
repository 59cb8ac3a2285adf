package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.directmilter.milter.cli.DirectMilterCommand;
import org.directmilter.milter.testkit.DaemonProcess;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The real daemon, {@code direct-milter run -c FILE} in its own JVM (the pass-through handler), behind
 * a real Postfix on a Unix socket, stopped with SIGTERM; and answering {@code direct-milter probe}.
 */
@Tag("integration")
class DaemonProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Date and Message-ID present, so Postfix adds nothing but its Received field. */
    private static final String MESSAGE = """
            From: alice@sender.test
            To: bob@recipient.test
            Subject: pass me through
            Date: Sat, 28 Nov 2026 12:00:00 +0000
            Message-ID: <daemon-process-it@sender.test>
            X-Folded: first part
            \tsecond part,  two spaces\t
            MIME-Version: 1.0
            Content-Type: text/plain; charset=us-ascii

            first line
            .a leading dot
            trailing spaces  \s

            last line after an empty one
            """;

    @Test
    void relaysThroughPostfixOverAUnixSocketUntouchedThenDrainsOnSigterm() throws IOException {
        Path dir = Scratch.newDirectory("daemon-");
        Path socket = dir.resolve("direct-milter.sock");
        try (DaemonProcess daemon = DaemonProcess.start(dir,
                "Socket local:" + socket + "\nSocketGroup postfix\nSocketMode 0660\n");
             PostfixInstance postfix = PostfixInstance.start("unix:" + socket)) {
            Poll.until("the socket " + socket, WAIT, () -> Files.exists(socket), daemon::diagnostics);
            PosixFileAttributes attributes = Files.readAttributes(socket, PosixFileAttributes.class);
            assertThat(attributes.isOther()).as("a socket, not a regular file").isTrue();
            assertThat(attributes.group().getName()).isEqualTo("postfix");
            assertThat(PosixFilePermissions.toString(attributes.permissions())).isEqualTo("rw-rw----");

            List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(), "alice@sender.test",
                    List.of("bob@recipient.test"), MESSAGE);
            // milter_default_action = tempfail: a 250 means the daemon answered every step
            assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
            SinkMessage got = postfix.awaitSinkMessages(1, WAIT).get(0);
            // smtp-sink ends each dump with an empty line of its own
            assertThat(got.original()).isEqualTo(MESSAGE + "\n");

            assertThat(daemon.terminate(WAIT)).as("exit status; log:\n%s", daemon.log()).isZero();
            assertThat(daemon.log()).contains("serving on local:" + socket,
                    "stopping: no new connections", "local:" + socket + ": stopped\n", "DaemonRunner: stopped")
                    .doesNotContain("WARN", "ERROR");
            assertThat(socket).doesNotExist();

            List<SmtpClient.Reply> refused = SmtpClient.send(postfix.smtpPort(), "alice@sender.test",
                    List.of("bob@recipient.test"), MESSAGE);
            assertThat(refused).as("greeting, EHLO, MAIL").hasSize(3);
            assertThat(refused.get(2).last()).isEqualTo(PostfixInstance.MILTER_UNAVAILABLE);
            assertThat(postfix.sinkMessages()).hasSize(1);
        }
    }

    @Test
    void probeAgainstTheDaemonOverInetAccepts() {
        int port = Ports.free();
        String socket = "inet:" + port + "@127.0.0.1";
        try (DaemonProcess daemon = DaemonProcess.start(Scratch.newDirectory("daemon-"), "Socket " + socket + "\n")) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = new CommandLine(new DirectMilterCommand())
                    .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute("probe", "--socket", socket, "--from", "alice@sender.test", "--to", "bob@recipient.test");

            assertThat(status).as("probe output:\n%s\n%s", out, err).isZero();
            assertThat(out.toString()).contains("MAIL FROM:<alice@sender.test>", "result: accept");
            assertThat(daemon.log()).contains("serving on " + socket + " (127.0.0.1:" + port + ")");
            assertThat(daemon.terminate(WAIT)).as("exit status; log:\n%s", daemon.log()).isZero();
        }
    }
}
