package org.directmilter.milter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.directmilter.milter.server.MilterServer;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.server.SocketSpec;
import org.directmilter.milter.session.MessageHandler;
import org.directmilter.milter.session.MilterSessionFactory;
import org.directmilter.milter.session.SessionSettings;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.TestHandlers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProbeCommandTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    private Run probe(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new ProbeCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private interface Body {
        void run(String spec) throws Exception;
    }

    private void withMilter(MessageHandler handler, Body body) throws Exception {
        try (MilterSessionFactory factory = new MilterSessionFactory(handler, SessionSettings.defaults())) {
            MilterServer server = MilterServer.bind(SocketSpec.parse("local:" + dir.resolve("m.sock")), ServerSettings.defaults(), factory);
            server.start();
            try {
                body.run("local:" + dir.resolve("m.sock"));
            } finally {
                server.stop(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void showsTheChangesAndWritesTheDeliveredMessage() throws Exception {
        Path message = dir.resolve("in.eml");
        Files.writeString(message, "From: a@hisp.example\nTo: b@partner.example\nSubject: hi\n\nORIGINAL\n");
        Path delivered = dir.resolve("out.eml");
        withMilter(TestHandlers.replaceBody("REPLACED\r\n", "X-Test", "replaced"), spec -> {
            Run run = probe("--socket", spec, "--from", "a@hisp.example", "--to", "b@partner.example",
                    "--output", delivered.toString(), message.toString());
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("MAIL FROM:<a@hisp.example>", "-> continue", "add header X-Test: replaced",
                    "replace body: 10 bytes in 1 packet(s)", "result: accept");
        });
        assertThat(Files.readString(delivered)).isEqualTo(
                "From: a@hisp.example\r\nTo: b@partner.example\r\nSubject: hi\r\nX-Test: replaced\r\n\r\nREPLACED\r\n");
    }

    @Test
    void reportsARejectionWithItsTextAndExitCode() throws Exception {
        withMilter(TestHandlers.rejectSendersFrom("untrusted.example", SmtpReply.reject("5.7.1", "untrusted sender")), spec -> {
            Run run = probe("--socket", spec, "--from", "eve@untrusted.example", "--to", "b@hisp.example");
            assertThat(run.status()).isEqualTo(ProbeCommand.REJECTED);
            assertThat(run.out()).contains("result: 550 5.7.1 untrusted sender");
        });
    }

    @Test
    void saysClearlyWhenTheMilterIsNotThere() throws IOException {
        Run run = probe("--socket", "local:" + dir.resolve("nobody.sock"), "--from", "a@b.example", "--to", "c@d.example");
        assertThat(run.status()).isEqualTo(ProbeCommand.UNAVAILABLE);
        assertThat(run.err()).contains("cannot connect to the milter at local:" + dir.resolve("nobody.sock"));
        Run bad = probe("--socket", "tcp:8891", "--from", "a@b.example", "--to", "c@d.example");
        assertThat(bad.status()).isEqualTo(64);
        Run missing = probe("--socket", "inet:1@127.0.0.1", "--from", "a@b.example", "--to", "c@d.example",
                dir.resolve("missing.eml").toString());
        assertThat(missing.status()).isEqualTo(ProbeCommand.NO_INPUT);
        assertThat(missing.err()).contains("no such file");
    }
}
