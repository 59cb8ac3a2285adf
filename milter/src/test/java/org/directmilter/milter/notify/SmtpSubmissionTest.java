package org.directmilter.milter.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.directmilter.milter.config.ConfigError;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.testkit.FakeSmtpServer;
import org.directmilter.milter.testkit.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SmtpSubmissionTest {

    private static final String TO = "bob@partner.example";
    private static final byte[] MDN = "From: dave@hisp-a.example\nTo: bob@partner.example\n\nprocessed\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final FakeSmtpServer server = new FakeSmtpServer();
    private final List<SmtpSubmission> submissions = new ArrayList<>();

    @AfterEach
    void close() {
        submissions.forEach(SmtpSubmission::close);
        server.close();
    }

    private SmtpSubmission submission(Duration timeout, Duration keepIdle) {
        SmtpSubmission submission = new SmtpSubmission(server.address(), timeout, keepIdle);
        submissions.add(submission);
        return submission;
    }

    private SmtpSubmission submission() {
        return submission(Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    @Test
    void aSecondSubmissionReusesTheKeptConnection() throws Exception {
        SmtpSubmission submission = submission();

        submission.submit(TO, MDN);
        submission.submit(TO, MDN);

        assertThat(server.connections.get()).isEqualTo(1);
        assertThat(server.messages).containsExactly(
                "From: dave@hisp-a.example\r\nTo: bob@partner.example\r\n\r\nprocessed\r\n",
                "From: dave@hisp-a.example\r\nTo: bob@partner.example\r\n\r\nprocessed\r\n");
        assertThat(server.commands).containsSubsequence("EHLO [127.0.0.1]", "MAIL FROM:<>", "RCPT TO:<" + TO + ">",
                "DATA", "MAIL FROM:<>", "RCPT TO:<" + TO + ">", "DATA").doesNotContain("RSET", "QUIT");
        assertThat(submission.idleConnections()).isEqualTo(1);
    }

    @Test
    void aLineStartingWithADotSurvivesDotStuffing() throws Exception {
        submission().submit(TO, "To: bob@partner.example\n\n.\n..two\n.three\nlast without LF".getBytes(StandardCharsets.US_ASCII));

        assertThat(server.messages).containsExactly(
                "To: bob@partner.example\r\n\r\n..\r\n...two\r\n..three\r\nlast without LF\r\n");
        assertThat(FakeSmtpServer.unstuffed(server.messages.get(0)))
                .isEqualTo("To: bob@partner.example\r\n\r\n.\r\n..two\r\n.three\r\nlast without LF\r\n");
    }

    @Test
    void aTemporaryRefusalAtRcptFailsWithTheServersReply() {
        server.reply = command -> command.startsWith("RCPT") ? "450 4.2.0 <bob@partner.example>: mailbox busy" : null;

        assertThatThrownBy(() -> submission().submit(TO, MDN)).isInstanceOf(Submission.SubmissionException.class)
                .hasMessage(server.name() + " answered RCPT TO with 450 4.2.0 <bob@partner.example>: mailbox busy");
        assertThat(server.messages).isEmpty();
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void aRefusalOfDataFailsWithTheServersMultilineReply() {
        server.reply = command -> command.equals("DATA") ? "554-5.5.1 no\r\n554 5.5.1 valid recipients" : null;

        assertThatThrownBy(() -> submission().submit(TO, MDN)).isInstanceOf(Submission.SubmissionException.class)
                .hasMessage(server.name() + " answered DATA with 554-5.5.1 no 554 5.5.1 valid recipients");
        assertThat(server.connections.get()).as("a refusal is not retried").isEqualTo(1);
    }

    @Test
    void aRefusalAfterTheFinalDotIsNotRetried() {
        server.afterDot = "554 5.7.1 Direct: no key for the sender";

        assertThatThrownBy(() -> submission().submit(TO, MDN)).isInstanceOf(Submission.SubmissionException.class)
                .hasMessage(server.name() + " answered the message's end with 554 5.7.1 Direct: no key for the sender");
        assertThat(server.messages).hasSize(1);
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void aKeptConnectionTheServerClosedIsReplacedTransparently() throws Throwable {
        // the server's own idle timeout, unnoticed by the client
        assertKeptConnectionReplacedAfter(server::dropIdleConnections);
    }

    @Test
    void aKeptConnectionAnswered421IsReplacedTransparently() throws Throwable {
        AtomicInteger mails = new AtomicInteger();
        assertKeptConnectionReplacedAfter(() -> server.reply = command -> command.startsWith("MAIL")
                && mails.incrementAndGet() == 1 ? "421 4.4.2 mta.example Error: timeout exceeded" : null);
    }

    /** One MDN sent, the kept connection then broken by {@code breakIt}: the next MDN goes on a new one. */
    private void assertKeptConnectionReplacedAfter(Executable breakIt) throws Throwable {
        SmtpSubmission submission = submission();
        submission.submit(TO, MDN);
        breakIt.execute();

        submission.submit(TO, MDN);

        assertThat(server.connections.get()).isEqualTo(2);
        assertThat(server.messages).hasSize(2);
    }

    @Test
    void aConnectionLostAfterTheFinalDotIsNotRetriedSoNoNotificationIsSentTwice() throws Exception {
        SmtpSubmission submission = submission();
        submission.submit(TO, MDN);
        server.afterDot = FakeSmtpServer.CLOSE;

        assertThatThrownBy(() -> submission.submit(TO, MDN)).isInstanceOf(Submission.SubmissionException.class)
                .hasMessage(server.name() + " closed the connection at the message's end");
        assertThat(server.connections.get()).isEqualTo(1);
        assertThat(server.messages).hasSize(2);
    }

    @Test
    void aServerThatDoesNotAnswerTimesOut() {
        server.afterDot = FakeSmtpServer.SILENT;

        assertThatThrownBy(() -> submission(Duration.ofMillis(300), Duration.ofSeconds(60)).submit(TO, MDN))
                .isInstanceOf(Submission.SubmissionException.class)
                .hasMessage("no answer from " + server.name() + " to the message's end within 300ms");
        assertThat(server.connections.get()).isEqualTo(1);
    }

    @Test
    void aServerThatIsNotThereFailsAtOnce() throws IOException {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        SmtpSubmission submission = new SmtpSubmission(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                Duration.ofSeconds(10), Duration.ofSeconds(60));
        submissions.add(submission);

        assertThatThrownBy(() -> submission.submit(TO, MDN)).isInstanceOf(Submission.SubmissionException.class)
                .hasMessageStartingWith("cannot connect to 127.0.0.1:" + port + ": Connection refused");
    }

    @Test
    void controlCharactersInTheServersReplyAreEscaped() {
        server.reply = command -> command.startsWith("MAIL") ? "550 5.7.1 \u001b[2Jgone\u0007 \\ \u00e9" : null;

        assertThatThrownBy(() -> submission().submit(TO, MDN)).isInstanceOf(Submission.SubmissionException.class)
                .hasMessage(server.name() + " answered MAIL FROM with 550 5.7.1 \\x1B[2Jgone\\x07 \\x5C \\xE9")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b", "\u0007"));
    }

    @Test
    void aMalformedReplyIsAFailure() {
        server.greeting = "hello there";

        assertThatThrownBy(() -> submission().submit(TO, MDN)).isInstanceOf(Submission.SubmissionException.class)
                .hasMessage(server.name() + " sent a malformed reply to the greeting: hello there");
    }

    @Test
    void anIdleConnectionIsClosedWithQuitAfterTheKeepTime() throws Exception {
        SmtpSubmission submission = submission(Duration.ofSeconds(10), Duration.ofMillis(200));
        submission.submit(TO, MDN);

        Poll.until("the idle connection closed", () -> submission.idleConnections() == 0 && server.commands.contains("QUIT"));
        submission.submit(TO, MDN);
        assertThat(server.connections.get()).isEqualTo(2);
    }

    @Test
    void closingQuitsTheKeptConnectionsAndLaterSubmissionsKeepNone() throws Exception {
        SmtpSubmission submission = submission();
        submission.submit(TO, MDN);

        submission.close();
        assertThat(server.commands).contains("QUIT");
        submission.submit(TO, MDN); // a message in flight under a replaced configuration

        assertThat(server.messages).hasSize(2);
        assertThat(submission.idleConnections()).isZero();
        assertThat(Collections.frequency(server.commands, "QUIT")).isEqualTo(2);
    }

    @Test
    void concurrentSubmissionsOpenNoMoreConnectionsThanThereAreSubmitters() throws Exception {
        SmtpSubmission submission = submission();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        submission.submit(TO, MDN);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.messages).hasSize(100);
        assertThat(server.connections.get()).isBetween(1, threads);
        assertThat(submission.idleConnections()).isEqualTo(server.connections.get());
    }

    @Test
    void onlyALoopbackNotificationServerIsAccepted() {
        ConfigLoader loader = new ConfigLoader();
        ConfigResult remote = loader.parse(java.nio.file.Path.of("/etc/direct-milter/direct-milter.conf"),
                "NotificationServer 192.0.2.25:25\n");
        assertThat(remote).isInstanceOf(ConfigResult.Invalid.class);
        assertThat(((ConfigResult.Invalid) remote).errors()).map(ConfigError::toString).singleElement().asString()
                .contains("NotificationServer", "\"192.0.2.25:25\" is not a loopback address", "plaintext");
        ConfigResult name = loader.parse(java.nio.file.Path.of("/c"), "NotificationServer localhost:10027\n");
        assertThat(name).isInstanceOf(ConfigResult.Invalid.class);
        ConfigResult noPort = loader.parse(java.nio.file.Path.of("/c"), "NotificationServer 127.0.0.1\n");
        assertThat(noPort).isInstanceOf(ConfigResult.Invalid.class);

        ConfigResult v6 = loader.parse(java.nio.file.Path.of("/c"), "NotificationServer [::1]:10027\n");
        assertThat(((ConfigResult.Valid) v6).config().get(ConfigKeys.NOTIFICATION_SERVER)).hasValueSatisfying(
                hp -> assertThat(hp.toString()).isEqualTo("[::1]:10027"));
        assertThatThrownBy(() -> new SmtpSubmission(new InetSocketAddress("192.0.2.25", 25), Duration.ofSeconds(1),
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
