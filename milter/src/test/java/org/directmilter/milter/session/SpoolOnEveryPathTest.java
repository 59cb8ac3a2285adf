package org.directmilter.milter.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.protocol.Command;
import org.directmilter.milter.protocol.CommandCodec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.RunningMilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spool files hold message plaintext (a decrypted body is a replacement body in a spool): none may
 * survive the message, however the message ends — here the paths where nobody sends the answer.
 */
@Timeout(60)
class SpoolOnEveryPathTest {

    @TempDir
    Path spool;

    /**
     * Writes a "decrypted" replacement body to a spool file, then waits (ignoring interrupts, as slow
     * crypto would) until the test lets it answer.
     */
    final class SlowDecryptor implements MessageHandler {
        final CountDownLatch spooled = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);

        @Override
        public EndOfMessage endOfMessage(Message message) throws IOException {
            SpooledBody plaintext = new SpooledBody(0, spool);
            plaintext.append("the decrypted secret\r\n".getBytes(StandardCharsets.US_ASCII));
            spooled.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    answer.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return EndOfMessage.accept(new Modification.ReplaceBody(plaintext));
        }
    }

    private long spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.count();
        }
    }

    private static void sendMessageUpToEndOfMessage(MilterClient client) throws IOException {
        client.negotiate();
        client.mail("<a@b.example>");
        client.recipient("<r@d.example>");
        client.header("Subject", " x".getBytes(StandardCharsets.US_ASCII));
        client.endOfHeaders();
        // 300 KB over a 100 KB threshold: the received body is in a spool file too
        client.body(new java.io.ByteArrayInputStream(new byte[300_000]));
        client.sendRaw(CommandCodec.encode(new Command.EndOfMessage(new byte[0])));
    }

    @Test
    void anMtaThatDisconnectsDuringEndOfMessageLeavesNoSpoolFile() throws Exception {
        SlowDecryptor handler = new SlowDecryptor();
        SessionSettings settings = SessionSettings.defaults().withSpool(100_000, spool)
                .withProgressInterval(Duration.ofMillis(20));
        try (RunningMilter milter = new RunningMilter(handler, settings)) {
            MilterClient client = milter.client();
            sendMessageUpToEndOfMessage(client);
            handler.spooled.await();
            assertThat(spoolFiles()).as("the received body and the plaintext are on disk").isEqualTo(2);
            client.close(); // the MTA goes away while PROGRESS is being sent

            Poll.until("the session notices the MTA is gone and ends", () -> milter.server().activeConnections() == 0);
            handler.answer.countDown(); // the work finishes after all, with nobody to send it to
            Poll.until("no spool file is left", () -> {
                try {
                    return spoolFiles() == 0;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(milter.sessions().memoryInUse()).isZero();
        }
    }

    @Test
    void workThatTimesOutLeavesNoSpoolFileWhenItFinishesLater() throws Exception {
        SlowDecryptor handler = new SlowDecryptor();
        SessionSettings settings = SessionSettings.defaults().withSpool(100_000, spool)
                .withProgressInterval(Duration.ofMillis(20)).withEndOfMessageTimeout(Duration.ofMillis(200));
        try (RunningMilter milter = new RunningMilter(handler, settings); MilterClient client = milter.client()) {
            sendMessageUpToEndOfMessage(client);
            handler.spooled.await();
            var result = readEndOfMessage(client);
            assertThat(result).isEqualTo(new org.directmilter.milter.protocol.Response.ReplyCode(
                    "451 4.3.0 direct-milter timed out processing the message; try again later"));
            handler.answer.countDown();
            Poll.until("no spool file is left", () -> {
                try {
                    return spoolFiles() == 0;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void anOutOfMemoryErrorInAWorkerWhoseMessageWasAbandonedIsStillFatal() throws Exception {
        List<Throwable> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch abandoned = new CountDownLatch(1);
        MessageHandler handler = message -> {
            boolean interrupted = false;
            while (true) {
                try {
                    abandoned.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new OutOfMemoryError("test: after the connection gave up");
        };
        SessionSettings settings = SessionSettings.defaults().withSpool(100_000, spool)
                .withProgressInterval(Duration.ofMillis(20)).withEndOfMessageTimeout(Duration.ofMillis(100));
        try (MilterSessionFactory sessions = new MilterSessionFactory(handler, settings,
                MilterSessionFactory.negotiationFor(handler), (where, error) -> fatal.add(error));
             org.directmilter.milter.server.MilterServer server = org.directmilter.milter.server.MilterServer.bind(
                     org.directmilter.milter.server.SocketSpec.parse("inet:0@127.0.0.1"),
                     org.directmilter.milter.server.ServerSettings.defaults(), sessions)) {
            server.start();
            try (MilterClient client = MilterClient.connect(
                    org.directmilter.milter.server.SocketSpec.parse("inet:" + server.port() + "@127.0.0.1"))) {
                sendMessageUpToEndOfMessage(client);
                assertThat(readEndOfMessage(client)).as("the connection times out first").isEqualTo(
                        new org.directmilter.milter.protocol.Response.ReplyCode(
                                "451 4.3.0 direct-milter timed out processing the message; try again later"));
            }
            abandoned.countDown();
            Poll.until("the worker reports the fatal error itself", () -> !fatal.isEmpty());
            assertThat(fatal).singleElement().isInstanceOf(OutOfMemoryError.class);
        }
    }

    private static org.directmilter.milter.protocol.Response readEndOfMessage(MilterClient client) throws IOException {
        while (true) {
            var reply = client.read();
            if (!(reply instanceof org.directmilter.milter.protocol.Response.Progress)) {
                return reply;
            }
        }
    }

    @Test
    void leftoversOfADeadProcessAreRemovedAndNothingElse() throws IOException {
        long dead = deadPid();
        Path leftover = Files.writeString(spool.resolve("direct-milter-spool-" + dead + "-123.tmp"), "plaintext");
        Path notOurs = Files.writeString(spool.resolve("other-program.tmp"), "keep");
        try (MilterSessionFactory factory = new MilterSessionFactory(new PassThroughHandler(),
                SessionSettings.defaults().withSpool(1 << 20, spool))) {
            assertThat(factory.removeLeftoverSpoolFiles()).isEqualTo(1);
        }
        assertThat(leftover).doesNotExist();
        assertThat(notOurs).exists();
        assertThat(List.of(spool.toFile().list())).containsExactly("other-program.tmp");
    }

    static long deadPid() {
        for (long pid = 4_000_000; pid > 1000; pid--) {
            if (ProcessHandle.of(pid).isEmpty()) {
                return pid;
            }
        }
        throw new IllegalStateException("no free pid");
    }
}
