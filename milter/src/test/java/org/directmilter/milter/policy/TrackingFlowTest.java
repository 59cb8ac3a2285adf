package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.testpki.MutableClock;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.notify.CommandSubmission;
import org.directmilter.milter.notify.Disposition;
import org.directmilter.milter.notify.Mdn;
import org.directmilter.milter.policy.PolicyMilter.Sent;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.tracking.RecipientState;
import org.directmilter.milter.tracking.TrackedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's flow through the real milter protocol (in-process server, the project's client, an
 * in-memory store): what an outgoing message is recorded as, what a verified MDN or a plaintext failure
 * DSN coming back does, and the failure DSN an overdue recipient's originator gets.
 */
class TrackingFlowTest {

    private static final String ALICE = "alice@hisp-a.example";
    private static final String DAVE = "dave@hisp-a.example";
    private static final String BOB = "bob@partner.example";
    private static final String CAROL = "carol@partner.example";
    private static final String ID = "<m1@hisp-a.example>";
    private static final String TR = "Disposition-Notification-Options: X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true\r\n";

    @TempDir
    Path dir;

    private final MemoryTrackingStore store = new MemoryTrackingStore();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private PolicyMilter milter;
    private DirectSetup setup;
    private Tracker tracker;

    private void start(boolean deliverProcessed) throws IOException {
        milter = PolicyMilter.start(dir, "", (config, real) -> tracker = new Tracker(store,
                new Tracker.Settings(Duration.ofHours(1), Duration.ofHours(24), deliverProcessed),
                new CommandSubmission(config.get(ConfigKeys.NOTIFICATION_COMMAND), Duration.ofSeconds(30)), clock));
        setup = milter.setup;
        milter.publish(setup.bob);
    }

    @AfterEach
    void stop() {
        if (milter != null) {
            milter.close();
        }
    }

    @Test
    void aProtectedMessageIsRecordedWithItsOriginatorRecipientsAndDeadlinesBeforeItIsAccepted() throws Exception {
        start(true);
        Sent sent = milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        assertThat(sent.accepted()).isTrue();
        TrackedMessage recorded = store.find(ID).orElseThrow().message();
        assertThat(recorded.sender()).isEqualTo(ALICE);
        assertThat(recorded.recipients()).containsExactly(BOB);
        assertThat(recorded.timelyAndReliable()).isFalse();
        assertThat(recorded.processedBy()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        assertThat(recorded.dispatchedBy()).isEmpty();
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=outgoing ") && l.contains(" outcome=protected ")
                && l.contains(" tracking=recorded"));
    }

    @Test
    void theRecordIsCommittedOffTheEndOfMessageWorkers() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        // the commit waits for the disk: on a worker it would keep the next message's cryptography waiting
        assertThat(store.recordedOn).startsWith("milter-completion-");
    }

    @Test
    void timelyAndReliableIsRecordedWithTheDispatchedDeadline() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, TR));

        TrackedMessage recorded = store.find(ID).orElseThrow().message();
        assertThat(recorded.timelyAndReliable()).isTrue();
        assertThat(recorded.dispatchedBy()).contains(clock.instant().plus(Duration.ofHours(24)));
    }

    @Test
    void aMessageWithoutMessageIdIsRecordedUnderTheOneItLeavesWith() throws Exception {
        start(true);
        Sent sent = milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(null, ""));

        String given = sent.delivered().headers().stream().filter(h -> h.name().equalsIgnoreCase("Message-ID"))
                .map(h -> new String(h.value(), StandardCharsets.US_ASCII).strip()).findFirst().orElseThrow();
        assertThat(store.find(given)).isPresent();
    }

    @Test
    void aStoreThatCannotRecordTempfailsTheMessage() throws Exception {
        start(true);
        store.failing = true;
        Sent sent = milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        assertThat(sent.eom()).isEqualTo("451 4.3.0 Direct: cannot record the message for delivery tracking, try again later");
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=outgoing ") && l.contains(" outcome=tracking-failed ")
                && l.contains("reason=\"database is locked\""));
    }

    @Test
    void ourOwnMdnIsNotTracked() throws Exception {
        start(true);
        // What the MTA's pickup passes: dave's processed MDN to bob, null sender.
        String mdn = mdn(DAVE, BOB, "<m9@partner.example>", Disposition.PROCESSED);
        Sent sent = milter.send(Envelope.of("", List.of(BOB)), mdn.getBytes(StandardCharsets.US_ASCII));

        assertThat(sent.accepted()).isTrue();
        assertThat(store.pending(10)).isEmpty();
    }

    @Test
    void aVerifiedProcessedMdnCompletesTheRecipientAndReachesTheOriginatorOnce() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        Sent first = milter.send(incoming("", ALICE), protect(setup.bob, mdn(BOB, ALICE, ID, Disposition.PROCESSED)));
        Sent again = milter.send(incoming("", ALICE), protect(setup.bob, mdn(BOB, ALICE, ID, Disposition.PROCESSED)));

        assertThat(first.accepted()).isTrue();
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.PROCESSED);
        assertThat(again.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Discard.class);
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=tracking ") && l.contains(" outcome=completed ")
                && l.contains(" msgid=" + ID) && l.contains(" rcpt=" + BOB) && l.contains(" report=processed"));
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=tracking ") && l.contains(" outcome=duplicate "));
    }

    @Test
    void underTimelyAndReliableProcessedIsProgressAndDispatchedCompletes() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, TR));

        Sent processed = milter.send(incoming("", ALICE), protect(setup.bob, mdn(BOB, ALICE, ID, Disposition.PROCESSED)));
        assertThat(processed.accepted()).isTrue();
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.PROCESSED);
        Sent dispatched = milter.send(incoming("", ALICE), protect(setup.bob, mdn(BOB, ALICE, ID, Disposition.DISPATCHED)));

        assertThat(dispatched.accepted()).isTrue();
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.DISPATCHED);
        assertThat(auditLines()).anyMatch(l -> l.contains(" outcome=progress ") && l.contains(" report=processed"))
                .anyMatch(l -> l.contains(" outcome=completed ") && l.contains(" report=dispatched"));
    }

    @Test
    void processedMdnsAreSwallowedWhenConfiguredButStillRecorded() throws Exception {
        start(false);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        Sent sent = milter.send(incoming("", ALICE), protect(setup.bob, mdn(BOB, ALICE, ID, Disposition.PROCESSED)));

        assertThat(sent.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Discard.class);
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.PROCESSED);
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=incoming ") && l.contains(" outcome=tracking-suppressed "));
    }

    @Test
    void aForgedMdnChangesNothing() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        // mallory's certificate is of the partner CA, but not bound to bob's address: the signer is not trusted.
        Sent forged = milter.send(incoming("", ALICE), protect(setup.mallory, mdn(BOB, ALICE, ID, Disposition.PROCESSED)));

        assertThat(forged.eom()).startsWith("550 5.7.1 Direct: sender not trusted");
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.PENDING);
        assertThat(auditLines()).noneMatch(l -> l.startsWith("event=tracking "));
    }

    @Test
    void aTrustedHispCannotReportOnAnotherDomainsRecipient() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        String claim = mdn(BOB, ALICE, ID, Disposition.FAILED).replace("Final-Recipient: rfc822;" + BOB,
                "Final-Recipient: rfc822;someone@elsewhere.example");
        Sent sent = milter.send(incoming("", ALICE), protect(setup.bob, claim));

        assertThat(sent.accepted()).isTrue();
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.PENDING);
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=tracking ") && l.contains(" outcome=foreign-recipient "));
    }

    @Test
    void aRemoteBounceForOneOfTwoRecipientsFailsThatOneAndLeavesTheOtherPending() throws Exception {
        start(true);
        milter.publish(setup.partnerCa.rsaEntity(CAROL, 2048));
        milter.send(Envelope.of(ALICE, List.of(BOB, CAROL)), outgoingTo(ID, BOB + ", " + CAROL));

        Sent bounce = milter.send(incoming("", ALICE), dsn(ID, BOB).getBytes(StandardCharsets.US_ASCII));
        Sent again = milter.send(incoming("", ALICE), dsn(ID, BOB).getBytes(StandardCharsets.US_ASCII));

        assertThat(bounce.accepted()).isTrue();
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.FAILED);
        assertThat(store.state(ID, CAROL)).isEqualTo(RecipientState.PENDING);
        assertThat(again.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Discard.class);
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=tracking ") && l.contains(" outcome=completed ")
                && l.contains(" report=failed") && l.contains("detail=\"dsn 5.1.1\""));
    }

    @Test
    void anOverdueRecipientsOriginatorGetsExactlyOneFailureDsnThatPassesTheMilterUncorrelated() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));

        assertThat(tracker.settleOverdue()).isZero();
        clock.advance(Duration.ofMinutes(61));
        assertThat(tracker.settleOverdue()).isEqualTo(1);
        assertThat(tracker.settleOverdue()).isZero();

        List<String> submitted = setup.submittedNotifications();
        assertThat(submitted).hasSize(1);
        String dsn = submitted.get(0);
        assertThat(dsn).contains("To: " + ALICE + "\n", "From: Mail Delivery System <MAILER-DAEMON@hisp-a.example>\n",
                "Content-Type: multipart/report; report-type=delivery-status;", "Final-Recipient: rfc822;" + BOB + "\n",
                "Action: failed\n", "Status: 5.4.7\n", "no processed MDN within 1h", "Message-ID: " + ID + "\n");
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.TIMED_OUT);
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=tracking outcome=timed-out ") && l.contains(" rcpt=" + BOB)
                && l.contains("reason=\"no processed MDN within 1h\""));

        // What the MTA's pickup passes back through the milter: null sender, to the local originator.
        Sent delivered = milter.send(Envelope.of("", List.of(ALICE)), dsn.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(delivered.accepted()).isTrue();
        assertThat(new String(delivered.delivered().toBytes(), StandardCharsets.US_ASCII)).contains("Final-Recipient");
        assertThat(auditLines()).noneMatch(l -> l.startsWith("event=tracking ") && l.contains(" outcome=duplicate "));
    }

    @Test
    void aDsnThatCannotBeHandedOverIsTriedAgainAtTheNextRun() throws Exception {
        start(true);
        milter.send(Envelope.of(ALICE, List.of(BOB)), outgoing(ID, ""));
        clock.advance(Duration.ofHours(2));
        setup.submitWith("exit 75");

        assertThat(tracker.settleOverdue()).isZero();
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.PENDING);
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=tracking outcome=dsn-failed "));

        setup.submitWith("cat > " + setup.notifications + "/dsn.eml");
        assertThat(tracker.settleOverdue()).isEqualTo(1);
        assertThat(store.state(ID, BOB)).isEqualTo(RecipientState.TIMED_OUT);
    }

    private static byte[] outgoing(String messageId, String extraHeaders) {
        return outgoingHead(messageId, BOB, extraHeaders);
    }

    private static byte[] outgoingTo(String messageId, String to) {
        return outgoingHead(messageId, to, "");
    }

    private static byte[] outgoingHead(String messageId, String to, String extraHeaders) {
        return ("From: " + ALICE + "\r\nTo: " + to + "\r\n" + extraHeaders + "Subject: lab results\r\n"
                + "Date: Sun, 06 Dec 2026 10:00:00 +0000\r\n" + (messageId == null ? "" : "Message-ID: " + messageId + "\r\n")
                + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nPotassium 4.1 mmol/L\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** An MDN as a partner HISP writes it, CRLF line ends. */
    private static String mdn(String reporter, String to, String original, Disposition disposition) {
        String text = new String(new Mdn(reporter, to, Optional.of(original), Optional.empty(), disposition,
                disposition == Disposition.DISPATCHED, reporter.substring(reporter.indexOf('@') + 1), Optional.empty())
                .render("<" + disposition.text() + System.nanoTime() + "@partner.example>",
                        ZonedDateTime.parse("2026-12-06T10:05:00Z")), StandardCharsets.US_ASCII);
        return text.replace("\n", "\r\n");
    }

    /** A remote MTA's bounce (RFC 3464) for {@code recipient} of the message {@code original}. */
    private static String dsn(String original, String recipient) {
        return "From: Mail Delivery System <MAILER-DAEMON@mx.partner.example>\r\nTo: " + ALICE + "\r\n"
                + "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nI'm sorry.\r\n\r\n"
                + "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.partner.example\r\n\r\n"
                + "Final-Recipient: rfc822; " + recipient + "\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n"
                + "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: " + ALICE + "\r\nMessage-ID: " + original
                + "\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n--b1--\r\n";
    }

    private static Envelope incoming(String from, String... to) {
        return new Envelope("mx.partner.example", "192.0.2.7", "mx.partner.example", from, List.of(to), Map.of());
    }

    private byte[] protect(PrivateKeyEntry signer, String message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)),
                signer, List.of(setup.alice.certificate()), out);
        return out.toByteArray();
    }

    private List<String> auditLines() {
        return milter.auditLines();
    }
}
