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
import org.junit.jupiter.api.Test;

/** Which notifications are sent, to whom, and what the report holds; the hand-off by command. */
class NotifierTest {

    private static final String DAVE = "dave@hisp-a.example";
    private static final String BOB = "bob@partner.example";

    private final List<String> submitted = new ArrayList<>();
    private final Notifier notifier = new Notifier(true, m -> submitted.add(new String(m, StandardCharsets.US_ASCII)),
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

    @Test
    void aCommandThatFailsOrHangsIsAFailedHandOff() {
        CommandSubmission failing = new CommandSubmission(List.of("/bin/sh", "-c", "cat >/dev/null; echo no queue >&2; exit 75"),
                Duration.ofSeconds(30));
        assertThatThrownBy(() -> failing.submit("x".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Submission.SubmissionException.class).hasMessage("/bin/sh exited 75: no queue");

        CommandSubmission hanging = new CommandSubmission(List.of("/bin/sleep", "60"), Duration.ofMillis(200));
        assertThatThrownBy(() -> hanging.submit("x".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(Submission.SubmissionException.class).hasMessageContaining("did not finish");
    }
}
