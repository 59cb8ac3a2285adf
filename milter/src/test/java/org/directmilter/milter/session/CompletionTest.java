package org.directmilter.milter.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.directmilter.milter.client.EndOfMessageResult;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.testkit.RunningMilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An answer's blocking {@link Completion}: run off the end-of-message workers, before the answer goes. */
class CompletionTest {
    private static final byte[] MESSAGE = ("From: alice@partner.example\r\nTo: bob@hisp.example\r\n\r\nHello.\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final SmtpReply NOT_TAKEN = SmtpReply.tempfail("4.3.0", "a notification was not taken; try again later");

    @TempDir
    Path spool;

    /** One end-of-message worker, as on a one-core machine: whatever holds it holds every connection's message. */
    private SessionSettings oneWorker() {
        return new SessionSettings(1 << 20, 1 << 20, spool, Duration.ofMillis(20), Duration.ofSeconds(60), 1);
    }

    @Test
    void aBlockingCompletionDoesNotHoldTheWorker() throws Exception {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        MessageHandler handler = message -> {
            if (message.transaction().sender().address().startsWith("first")) {
                return EndOfMessage.of(Verdict.ACCEPT).completedBy(() -> {
                    blocking.countDown();
                    try {
                        letGo.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Optional.empty();
                });
            }
            return EndOfMessage.of(Verdict.ACCEPT);
        };
        try (RunningMilter milter = new RunningMilter(handler, oneWorker());
             MilterClient first = milter.client(); MilterClient second = milter.client()) {
            CompletableFuture<EndOfMessageResult> firstAnswer = CompletableFuture.supplyAsync(() -> send(first, "first"));
            assertThat(blocking.await(30, TimeUnit.SECONDS)).as("the first message's completion started").isTrue();

            // the only worker is free: the second message's end-of-message work runs while the first waits
            EndOfMessageResult secondAnswer = send(second, "second");
            assertThat(secondAnswer.finalReply()).isInstanceOf(Response.Accept.class);
            assertThat(firstAnswer).isNotDone();

            letGo.countDown();
            EndOfMessageResult firstResult = firstAnswer.get(30, TimeUnit.SECONDS);
            assertThat(firstResult.finalReply()).isInstanceOf(Response.Accept.class);
        }
    }

    @Test
    void aCompletionsVerdictReplacesTheAnswerAndItsChangesAreReleased() throws Exception {
        ReleasedBody body = new ReleasedBody();
        MessageHandler handler = message -> EndOfMessage.accept(new Modification.ReplaceBody(body),
                new Modification.AddHeader(HeaderField.of("X-Changed", "yes")))
                .completedBy(() -> Optional.of(Verdict.tempfail(NOT_TAKEN)));
        try (RunningMilter milter = new RunningMilter(handler, oneWorker()); MilterClient client = milter.client()) {
            EndOfMessageResult eom = send(client, "a");
            assertThat(eom.finalReply()).isEqualTo(new Response.ReplyCode(NOT_TAKEN.wireText()));
            assertThat(eom.modifications()).as("no change of an answer that was replaced").isEmpty();
            assertThat(body.released.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aCompletionThatLetsGoSendsTheAnswerWithItsChanges() throws Exception {
        MessageHandler handler = message -> EndOfMessage.accept(new Modification.AddHeader(HeaderField.of("X-Changed", "yes")))
                .completedBy(Optional::empty);
        try (RunningMilter milter = new RunningMilter(handler, oneWorker()); MilterClient client = milter.client()) {
            EndOfMessageResult eom = send(client, "a");
            assertThat(eom.finalReply()).isInstanceOf(Response.Accept.class);
            assertThat(eom.modifications()).hasSize(1);
        }
    }

    @Test
    void aFailingCompletionBecomesATempfail() throws Exception {
        ReleasedBody body = new ReleasedBody();
        MessageHandler handler = message -> EndOfMessage.accept(new Modification.ReplaceBody(body)).completedBy(() -> {
            throw new IllegalStateException("bug in a completion");
        });
        try (RunningMilter milter = new RunningMilter(handler, oneWorker()); MilterClient client = milter.client()) {
            EndOfMessageResult eom = send(client, "a");
            assertThat(eom.finalReply()).isEqualTo(new Response.ReplyCode(MilterSession.INTERNAL_ERROR.wireText()));
            assertThat(body.released.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theTimeoutCoversTheCompletionWhichIsThenStoppedAndItsAnswerReleased() throws Exception {
        ReleasedBody body = new ReleasedBody();
        CountDownLatch interrupted = new CountDownLatch(1);
        MessageHandler handler = message -> EndOfMessage.accept(new Modification.ReplaceBody(body)).completedBy(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return Optional.empty();
        });
        SessionSettings settings = oneWorker().withEndOfMessageTimeout(Duration.ofMillis(300));
        try (RunningMilter milter = new RunningMilter(handler, settings); MilterClient client = milter.client()) {
            EndOfMessageResult eom = send(client, "a");
            assertThat(eom.finalReply()).isEqualTo(new Response.ReplyCode(MilterSession.TIMED_OUT.wireText()));
            assertThat(eom.progressCount()).as("the MTA was kept waiting with PROGRESS meanwhile").isGreaterThan(0);
            assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the abandoned completion is stopped").isTrue();
            assertThat(body.released.await(10, TimeUnit.SECONDS)).as("and its answer released").isTrue();
        }
    }

    private static EndOfMessageResult send(MilterClient client, String sender) {
        try {
            return Exchange.send(client, Envelope.of(sender + "@partner.example", List.of("bob@hisp.example")), MESSAGE)
                    .endOfMessage().orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
