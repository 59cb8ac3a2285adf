package org.directmilter.milter.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.directmilter.crypto.testpki.MutableClock;
import org.junit.jupiter.api.Test;

/** Which notifications are sent, to whom, and what the report holds; the hand-off by command. */
class NotifierTest {

    private static final String DAVE = "dave@hisp-a.example";
    private static final String BOB = "bob@partner.example";

    private final List<String> submitted = new ArrayList<>();
    private final Notifier notifier = new Notifier(true, (to, m) -> submitted.add(new String(m, StandardCharsets.US_ASCII)),
            Clock.fixed(Instant.parse("2026-12-06T01:00:00Z"), ZoneOffset.UTC));

    private static OriginalMessage original(String messageId, List<String> dnt, String contentType, String options) {
        return new OriginalMessage(Optional.ofNullable(messageId), List.of(BOB), dnt, contentType, options);
    }

    private List<Notice> processed(OriginalMessage original, Optional<String> orcpt) {
        return notifier.processed(original, List.of(new Notifier.Recipient(DAVE, orcpt)));
    }

    @Test
    void theReportNamesTheOriginalAndTheRecipientAndAsksForNothing() {
        List<Notice> notices = processed(original("<m1@partner.example>", List.of(), "text/plain", ""),
                Optional.of("Dave@hisp-a.example"));

        assertThat(notices).singleElement().isInstanceOf(Notice.Sent.class);
        assertThat(submitted).singleElement().asString()
                .startsWith("From: " + DAVE + "\nTo: " + BOB + "\nDate: Sun, 6 Dec 2026 01:00:00 GMT\n")
                .contains("\n\nReporting-UA: hisp-a.example; direct-milter\n"
                        + "Original-Recipient: rfc822;Dave@hisp-a.example\n"
                        + "Final-Recipient: rfc822;" + DAVE + "\n"
                        + "Original-Message-ID: <m1@partner.example>\n"
                        + "Disposition: automatic-action/MDN-sent-automatically; processed\n\n")
                .doesNotContainIgnoringCase("Disposition-Notification-To")
                .doesNotContain(OriginalMessage.FINAL_DESTINATION_DELIVERY);
    }

    @Test
    void theOriginalRecipientIsTheOrcptParameterDecoded() {
        assertThat(Notifier.Recipient.of(DAVE, List.of("NOTIFY=NEVER", "ORCPT=rfc822;Dave+2Bmed@hisp-a.example")).original())
                .contains("Dave+med@hisp-a.example");
        assertThat(Notifier.Recipient.of(DAVE, List.of("ORCPT=x400;whatever")).original()).isEmpty();
    }

    @Test
    void itGoesToDispositionNotificationToWhenThereIsOne() {
        List<Notice> notices = processed(original("<m1@partner.example>", List.of("records@partner.example"),
                "text/plain", ""), Optional.empty());

        assertThat(((Notice.Sent) notices.get(0)).destination()).isEqualTo("records@partner.example");
        assertThat(submitted.get(0)).contains("\nTo: records@partner.example\n");
    }

    @Test
    void reportsGetNoReport() {
        for (String type : List.of("multipart/report; report-type=disposition-notification; boundary=x",
                "Multipart/Report; boundary=x; Report-Type=\"delivery-status\"", "message/disposition-notification")) {
            assertThat(processed(original("<r@partner.example>", List.of(), type, ""), Optional.empty()))
                    .as(type).singleElement().isInstanceOf(Notice.NotSent.class);
        }
        assertThat(processed(original("<r@partner.example>", List.of(), "multipart/report; report-type=other", ""),
                Optional.empty())).singleElement().isInstanceOf(Notice.Sent.class);
    }

    @Test
    void nothingFromTheOriginalThatCouldBreakALineOrAnAddressIsWritten() {
        List<Notice> notices = processed(original("<a b\r\nBcc: x@y>", List.of("x@y\r\nBcc: z@w"), "text/plain", ""),
                Optional.of("x\r\nBcc: y@z"));
        assertThat(notices).singleElement().isInstanceOf(Notice.NotSent.class);

        processed(original("<a b>", List.of(), "text/plain", ""), Optional.of("x\r\nBcc: y@z"));
        assertThat(submitted).singleElement().asString().doesNotContain("Original-Message-ID", "Original-Recipient", "Bcc");
    }

    @Test
    void timelyAndReliableIsRecognisedAsTheGuideWritesIt() {
        assertThat(original(null, List.of(), "text/plain", "X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true")
                .wantsFinalDelivery()).isTrue();
        assertThat(original(null, List.of(), "text/plain", "").wantsFinalDelivery()).isFalse();
    }

    /** A failure report as Postfix 3.7 writes it to IncomingEnvelopeSender (shortened), returned message and all. */
    private static final String POSTFIX_BOUNCE = """
            From: Mail Delivery System <MAILER-DAEMON@mta.example>
            To: direct-notify@hisp-a.example
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status;
            \tboundary="9CDD55284D2.1796522236/mta.example"

            This is a MIME-encapsulated message.

            --9CDD55284D2.1796522236/mta.example
            Content-Description: Notification
            Content-Type: text/plain; charset=utf-8

            <dave@hisp-a.example>: mailbox disabled

            --9CDD55284D2.1796522236/mta.example
            Content-Description: Delivery report
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mta.example
            X-Postfix-Queue-ID: 9CDD55284D2

            Final-Recipient: rfc822; dave@hisp-a.example
            Original-Recipient: rfc822;Dave@hisp-a.example
            Action: failed
            Status: 5.2.1
            Diagnostic-Code: X-Postfix; mailbox disabled

            --9CDD55284D2.1796522236/mta.example
            Content-Description: Undelivered Message
            Content-Type: message/rfc822

            Return-Path: <direct-notify@hisp-a.example>
            Disposition-Notification-To: bob@partner.example
            Disposition-Notification-Options: X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true
            From: bob@partner.example
            To: dave@hisp-a.example
            Message-ID: <m1@partner.example>
            Content-Type: text/plain; charset=us-ascii

            Summary of care.

            --9CDD55284D2.1796522236/mta.example--
            """.replace("\n", "\r\n");

    @Test
    void aPostfixFailureReportIsRead() {
        DeliveryReport report = DeliveryReport.parse(POSTFIX_BOUNCE);

        assertThat(report.recipients()).containsExactly(new DeliveryReport.RecipientStatus(DAVE,
                Optional.of("Dave@hisp-a.example"), "failed", "5.2.1"));
        assertThat(report.returned("Message-ID")).contains("<m1@partner.example>");
        assertThat(report.returned("Disposition-Notification-Options"))
                .contains("X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true");
        assertThat(DeliveryReport.parse("From: x\n\nnot a report\n").recipients()).isEmpty();
    }

    @Test
    void aFailedDeliveryGetsAFailedMdnWithItsStatusAndADeliveredOneADispatchedOnlyWhenAsked() {
        OriginalMessage asked = original("<m1@partner.example>", List.of(), "text/plain",
                "X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true");
        OriginalMessage notAsked = original("<m2@partner.example>", List.of(), "text/plain", "");
        Notifier.Recipient dave = new Notifier.Recipient(DAVE, Optional.empty());

        assertThat(notifier.delivery(notAsked, dave, false, "5.2.1")).isInstanceOf(Notice.Sent.class);
        assertThat(notifier.delivery(notAsked, dave, true, "2.0.0")).isInstanceOf(Notice.NotSent.class);
        assertThat(notifier.delivery(asked, dave, true, "2.0.0")).isInstanceOf(Notice.Sent.class);

        assertThat(submitted).hasSize(2);
        assertThat(submitted.get(0)).contains("Original-Message-ID: <m2@partner.example>\n"
                + "Disposition: automatic-action/MDN-sent-automatically; failed\nFailure: 5.2.1\n")
                .doesNotContain(OriginalMessage.FINAL_DESTINATION_DELIVERY);
        assertThat(submitted.get(1)).contains("Original-Message-ID: <m1@partner.example>\n"
                + "X-DIRECT-FINAL-DESTINATION-DELIVERY:\n"
                + "Disposition: automatic-action/MDN-sent-automatically; dispatched\n");
    }

    @Test
    void aCommandThatFailsOrHangsIsAFailedHandOff() {
        CommandSubmission failing = new CommandSubmission(List.of("/bin/sh", "-c", "cat >/dev/null; echo no queue >&2; exit 75"),
                Duration.ofSeconds(30));
        assertThatThrownBy(() -> failing.submit("bob@partner.example", "x".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Submission.SubmissionException.class).hasMessage("/bin/sh exited 75: no queue");

        CommandSubmission hanging = new CommandSubmission(List.of("/bin/sleep", "60"), Duration.ofMillis(200));
        assertThatThrownBy(() -> hanging.submit("bob@partner.example", "x".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Submission.SubmissionException.class).hasMessageContaining("did not finish");
    }

    @Test
    void aRetryOfAMessageTempfailedForItsSecondMdnDoesNotSendTheFirstAgain() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T01:00:00Z"));
        List<String> handedOver = new ArrayList<>();
        boolean[] secondFails = {true};
        Notifier retrying = new Notifier(true, (to, m) -> {
            String text = new String(m, StandardCharsets.US_ASCII);
            if (secondFails[0] && text.contains("Final-Recipient: rfc822;alice@hisp-a.example\n")) {
                throw new Submission.SubmissionException("postdrop: queue full");
            }
            handedOver.add(text);
        }, clock);
        OriginalMessage original = original("<m9@partner.example>", List.of(), "text/plain", "");
        List<Notifier.Recipient> both = List.of(new Notifier.Recipient(DAVE, Optional.empty()),
                new Notifier.Recipient("alice@hisp-a.example", Optional.empty()));

        assertThat(retrying.processed(original, both)).extracting(Notice::outcome).containsExactly("sent", "failed");
        secondFails[0] = false;
        List<Notice> retry = retrying.processed(original, both);

        assertThat(retry).extracting(Notice::outcome).containsExactly("not-sent", "sent");
        assertThat(((Notice.NotSent) retry.get(0)).reason()).isEqualTo("already sent for an earlier attempt of this message");
        assertThat(handedOver).hasSize(2).anyMatch(m -> m.contains("Final-Recipient: rfc822;" + DAVE + "\n"))
                .anyMatch(m -> m.contains("Final-Recipient: rfc822;alice@hisp-a.example\n"));
        // accepted now: the same message sent once more is a new message to answer
        assertThat(retrying.earlierAttempts().size()).isZero();
        assertThat(retrying.processed(original, both)).extracting(Notice::outcome).containsExactly("sent", "sent");
    }

    @Test
    void theMemoryOfEarlierAttemptsExpiresAndIsBounded() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T01:00:00Z"));
        EarlierAttempts earlier = new EarlierAttempts(clock, 2);
        earlier.remember("<a@x>", DAVE);
        earlier.remember("<b@x>", "Dave@HISP-A.example");
        assertThat(earlier.sent("<a@x>", DAVE)).isTrue();
        assertThat(earlier.sent("<b@x>", DAVE)).as("the recipient's case does not matter").isTrue();
        assertThat(earlier.sent("<a@x>", "alice@hisp-a.example")).isFalse();

        earlier.remember("<c@x>", DAVE);
        assertThat(earlier.sent("<a@x>", DAVE)).as("the oldest goes beyond the capacity").isFalse();
        assertThat(earlier.size()).isEqualTo(2);

        clock.advance(EarlierAttempts.LIFETIME.minusSeconds(1));
        assertThat(earlier.sent("<c@x>", DAVE)).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(earlier.sent("<c@x>", DAVE)).isFalse();
        assertThat(earlier.size()).isZero();
    }
}
