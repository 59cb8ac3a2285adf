package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.ERIN;
import static org.directmilter.milter.testkit.DirectDeployment.MALLORY;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.milter.testkit.PartnerHisp;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Delivery notifications (issue 13) through a real Postfix: the daemon pipes each processed MDN to this
 * Postfix instance's own {@code sendmail -i -t -f <>}; postdrop queues it, pickup passes it through
 * direct-milter as {@code non_smtpd_milters}, which signs it as the recipient and encrypts it to the
 * sender, and Postfix relays it to the sink, where openssl plays the partner HISP that opens it.
 */
@Tag("integration")
class NotificationsPostfixIT extends DirectBehindMta {

    private static final String BODY = "Summary of care.\n";
    private static final Duration LOAD_WAIT = Duration.ofMinutes(5);

    /** Opened MDNs by sink file, so each is decrypted once however often the sink is searched. */
    private final Map<SinkMessage, String> opened = new ConcurrentHashMap<>();

    NotificationsPostfixIT() {
        super(deployment -> PostfixInstance.start(deployment.postfixSocket()));
    }

    @BeforeAll
    void submitToThisPostfix() {
        setup.submitWith("exec /usr/sbin/sendmail -C " + mta.dir().resolve("etc") + " -i -t -f '<>'");
    }

    @Test
    void aVerifiedMessageIsDeliveredAndAProcessedMdnReachesItsSenderSignedAndEncrypted() {
        String id = "mdn-processed@partner.example";
        List<SmtpClient.Reply> replies = sendIncoming(setup.bob, List.of(setup.dave), id, "");

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        assertThat(arrived(id).envelopeRecipients()).containsExactly("<" + DAVE + ">");
        SinkMessage mdn = awaitMdn(id, DAVE);
        assertThat(mdn.envelopeSender()).isEqualTo("<>");
        assertThat(mdn.envelopeRecipients()).containsExactly("<" + BOB + ">");
        assertThat(mdn.relayed()).doesNotContain("Original-Message-ID", "Final-Recipient", "processed");
        String report = opened.get(mdn);
        assertThat(report).startsWith("Content-Type: message/rfc822\n\n")
                .contains("From: " + DAVE + "\n", "To: " + BOB + "\n",
                        "Content-Type: multipart/report; report-type=disposition-notification;",
                        "Reporting-UA: hisp-a.example; direct-milter\n",
                        "Final-Recipient: rfc822;" + DAVE + "\n",
                        "Original-Message-ID: <" + id + ">\n",
                        "Disposition: automatic-action/MDN-sent-automatically; processed\n")
                .doesNotContainIgnoringCase("Disposition-Notification-To").doesNotContain(BODY.strip());
        assertAudited("event=notification queue=" + queueId(replies) + " from=" + BOB + " outcome=sent");
    }

    @Test
    void aRecipientRemovedForNotTrustingTheSignerGetsNoMdnTheOtherOneDoes() {
        String id = "mdn-removed@partner.example";
        List<SmtpClient.Reply> replies = sendIncoming(setup.bob, List.of(setup.dave, setup.erin), id, "");

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        awaitMdn(id, DAVE);
        assertAudited("event=incoming-recipient queue=" + queueId(replies) + " from=" + BOB
                + " outcome=removed-untrusted rcpt=" + ERIN);
        assertThat(mdnsFor(id)).as("MDNs for <%s>", id).hasSize(1)
                .allMatch(m -> opened.get(m).contains("Final-Recipient: rfc822;" + DAVE + "\n"));
        assertThat(notificationLines(id)).hasSize(1);
    }

    @Test
    void anUntrustedMessageGetsNoMdn() {
        String id = "mdn-untrusted@partner.example";
        String inner = message(MALLORY, List.of(DAVE), id, "x", BODY);
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), MALLORY, List.of(DAVE),
                deployment.partner.protect(inner, setup.mallory, List.of(setup.dave), routingHeaders(MALLORY, List.of(DAVE), id)));

        assertThat(replies.get(replies.size() - 1).last()).startsWith("550 5.7.1 Direct: sender not trusted");
        assertAudited("from=" + MALLORY + " outcome=untrusted");
        assertThat(notificationLines(id)).isEmpty();
    }

    @Test
    void aTamperedMessageGetsNoMdn() {
        String id = "mdn-tampered@partner.example";
        String inner = message(BOB, List.of(DAVE), id, "x", "Medication list, line after line.\n".repeat(300));
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE), PartnerHisp.tamper(
                deployment.partner.protect(inner, setup.bob, List.of(setup.dave), routingHeaders(BOB, List.of(DAVE), id))));

        assertThat(replies.get(replies.size() - 1).last()).isEqualTo("554 5.7.5 Direct: message could not be decrypted or verified");
        assertAudited("msgid=<" + id + ">");
        assertThat(notificationLines(id)).isEmpty();
    }

    @Test
    void anIncomingMdnGetsNoMdn() {
        String id = "mdn-incoming-mdn@partner.example";
        String report = report(id, "disposition-notification", "Reporting-UA: partner.example; x\n"
                + "Final-Recipient: rfc822;" + BOB + "\nOriginal-Message-ID: <earlier@hisp-a.example>\n"
                + "Disposition: automatic-action/MDN-sent-automatically; processed\n");
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE),
                deployment.partner.protect(report, setup.bob, List.of(setup.dave), routingHeaders(BOB, List.of(DAVE), id)));

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        arrived(id);
        assertAudited("event=notification queue=" + queueId(replies) + " from=" + BOB + " outcome=not-sent");
        assertThat(notificationLines(id)).hasSize(1).allMatch(l -> l.contains("itself a notification"));
    }

    @Test
    void anIncomingDsnGetsNoMdn() {
        String id = "mdn-incoming-dsn@partner.example";
        String dsn = report(id, "delivery-status", "Reporting-MTA: dns; mx.partner.example\n\n"
                + "Final-Recipient: rfc822;" + BOB + "\nAction: failed\nStatus: 5.1.1\n");
        // a protected DSN, and the plaintext one a remote MTA sends with the null sender
        List<SmtpClient.Reply> protectedDsn = SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE),
                deployment.partner.protect(dsn, setup.bob, List.of(setup.dave), routingHeaders(BOB, List.of(DAVE), id)));
        String plainId = "mdn-plain-dsn@partner.example";
        List<SmtpClient.Reply> plainDsn = SmtpClient.send(mta.smtpPort(), "", List.of(DAVE),
                report(plainId, "delivery-status", "Reporting-MTA: dns; mx.partner.example\n\n"
                        + "Final-Recipient: rfc822;" + BOB + "\nAction: failed\nStatus: 5.1.1\n"));

        assertThat(protectedDsn).as("replies").allMatch(SmtpClient.Reply::positive);
        assertThat(plainDsn).as("replies").allMatch(SmtpClient.Reply::positive);
        arrived(id);
        arrived(plainId);
        assertAudited("event=notification queue=" + queueId(protectedDsn) + " from=" + BOB + " outcome=not-sent");
        assertAudited("event=incoming queue=" + queueId(plainDsn) + " from=<> outcome=delivery-report");
        assertThat(notificationLines(plainId)).isEmpty();
    }

    @Test
    void withoutItsSubmissionCommandAVerifiedMessageIsTempfailedAndAcceptedOnceItIsBack() throws Exception {
        String id = "mdn-missing-command@partner.example";
        String script = Files.readString(setup.submitCommand);
        Files.delete(setup.submitCommand);
        List<SmtpClient.Reply> refused;
        try {
            refused = sendIncoming(setup.bob, List.of(setup.dave), id, "");
        } finally {
            setup.submitWith(script.substring(script.indexOf('\n') + 1).strip());
        }

        assertThat(refused.get(refused.size() - 1).last())
                .isEqualTo("451 4.3.0 Direct: cannot send the delivery notification, try again later");
        assertAudited("outcome=failed disposition=processed rcpt=" + DAVE + " msgid=<" + id + ">");
        assertAudited("outcome=notification-failed reply=\"451 4.3.0 Direct: cannot send the delivery notification");

        List<SmtpClient.Reply> retried = sendIncoming(setup.bob, List.of(setup.dave), id, "");
        assertThat(retried).as("the client's retry").allMatch(SmtpClient.Reply::positive);
        assertThat(arrived(id).envelopeRecipients()).containsExactly("<" + DAVE + ">");
        awaitMdn(id, DAVE);
    }

    @Test
    void aRetryAfterTheSecondMdnFailedDoesNotSendTheFirstAgain() throws Exception {
        String id = "mdn-retry@partner.example";
        String script = Files.readString(setup.submitCommand);
        String submit = script.substring(script.indexOf('\n') + 1).strip().replaceFirst("^exec ", "");
        java.nio.file.Path once = setup.submitCommand.resolveSibling("refused-once");
        // dave's MDN is refused the first time only, after alice's has been queued
        setup.submitWith("m=$(cat)\nif [ ! -e " + once + " ] && printf '%s' \"$m\" | grep -q 'Final-Recipient: rfc822;"
                + DAVE + "'; then touch " + once + "; echo 'postdrop: queue full' >&2; exit 75; fi\n"
                + "printf '%s\\n' \"$m\" | " + submit);
        List<SmtpClient.Reply> refused;
        List<SmtpClient.Reply> retried;
        try {
            refused = sendIncoming(setup.bob, List.of(setup.alice, setup.dave), id, "");
            retried = sendIncoming(setup.bob, List.of(setup.alice, setup.dave), id, "");
        } finally {
            setup.submitWith(script.substring(script.indexOf('\n') + 1).strip());
        }

        assertThat(refused.get(refused.size() - 1).last())
                .isEqualTo("451 4.3.0 Direct: cannot send the delivery notification, try again later");
        assertThat(retried).as("the client's retry").allMatch(SmtpClient.Reply::positive);
        awaitMdn(id, DAVE);
        assertAudited("event=notification queue=" + queueId(retried) + " from=" + BOB + " outcome=not-sent"
                + " disposition=processed rcpt=" + ALICE + " msgid=<" + id + "> to=" + BOB
                + " reason=\"already sent for an earlier attempt of this message\"");
        List<String> aliceSent = notificationLines(id).stream()
                .filter(l -> l.contains(" outcome=sent disposition=processed rcpt=" + ALICE + " ")).toList();
        assertThat(aliceSent).as("alice's MDN handed over").hasSize(1);
        String mdnId = aliceSent.get(0).replaceFirst(".* mdn=(<[^>]+>).*", "$1");
        Poll.until("alice's MDN " + mdnId + " at the sink", WAIT,
                () -> mta.sinkMessages().stream().anyMatch(m -> m.relayed().contains(mdnId)),
                () -> mta.maillog() + "\n" + deployment.diagnostics());
        assertThat(mdnsFor(id)).as("dave's MDNs").hasSize(1);
    }

    @Test
    void manyParallelMessagesGetOneMdnEachWithoutDeadlock() throws Exception {
        // One protected message sent 200 times over 16 sessions: every end of data runs the submission
        // command while pickup brings the MDNs back into the same daemon's workers.
        int sessions = 16;
        int messages = 200;
        String id = "mdn-load@partner.example";
        assertThat(sendConcurrently(id, BODY, sessions, messages, LOAD_WAIT)).as("messages accepted").isEqualTo(messages);

        Poll.until(messages + " MDNs from " + ALICE + " at the sink", LOAD_WAIT,
                () -> mdnsFrom(ALICE).size() >= messages, () -> mta.maillog() + "\n" + deployment.diagnostics());
        assertThat(mdnsFrom(ALICE)).hasSize(messages).allMatch(m -> m.envelopeSender().equals("<>"));
        SinkMessage sample = mdnsFrom(ALICE).get(0);
        assertThat(deployment.partner.open(sample.relayed(), setup.bob, setup.localCa))
                .contains("Final-Recipient: rfc822;" + ALICE + "\n", "Original-Message-ID: <" + id + ">\n");
    }

    private List<SmtpClient.Reply> sendIncoming(PrivateKeyEntry signer, List<PrivateKeyEntry> recipients, String id,
                                                String extraHeaders) {
        List<String> to = recipients.stream().map(org.directmilter.milter.testkit.DirectSetup::address).toList();
        String from = org.directmilter.milter.testkit.DirectSetup.address(signer);
        String inner = extraHeaders + message(from, to, id, "referral", BODY);
        return SmtpClient.send(mta.smtpPort(), from, to,
                deployment.partner.protect(inner, signer, recipients, routingHeaders(from, to, id)));
    }

    /** A multipart/report of {@code type} from bob to dave, as the partner's MTA or agent writes it. */
    private static String report(String id, String type, String fields) {
        return "From: " + BOB + "\nTo: " + DAVE + "\nDate: Sat, 28 Nov 2026 12:00:00 +0000\nMessage-ID: <" + id + ">\n"
                + "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=" + type + "; boundary=b\n\n"
                + "--b\nContent-Type: text/plain\n\nreport\n--b\nContent-Type: message/" + type + "\n\n" + fields
                + "\n--b--\n";
    }

    /** Waits for the MDN about message {@code id} for {@code recipient}, opened as bob with our CA as anchor. */
    private SinkMessage awaitMdn(String id, String recipient) {
        Poll.until("the MDN for <" + id + "> to " + recipient, WAIT,
                () -> mdnsFor(id).stream().anyMatch(m -> opened.get(m).contains("Final-Recipient: rfc822;" + recipient + "\n")),
                () -> mta.maillog() + "\n" + deployment.diagnostics());
        return mdnsFor(id).stream().filter(m -> opened.get(m).contains("Final-Recipient: rfc822;" + recipient + "\n"))
                .findFirst().orElseThrow();
    }

    /** The MDNs at the sink that report on {@code id}: sent to bob with the null sender, opened by bob. */
    private List<SinkMessage> mdnsFor(String id) {
        return mta.sinkMessages().stream()
                .filter(m -> m.envelopeSender().equals("<>") && m.envelopeRecipients().equals(List.of("<" + BOB + ">")))
                .filter(m -> !m.text().contains("From: " + ALICE + "\n")) // the load test's, all about one message
                .filter(m -> Optional.ofNullable(opened.computeIfAbsent(m,
                        k -> deployment.partner.open(k.relayed(), setup.bob, setup.localCa))).orElse("")
                        .contains("Original-Message-ID: <" + id + ">\n"))
                .toList();
    }

    /** The daemon's notification audit lines about the message {@code id}. */
    private List<String> notificationLines(String id) {
        return deployment.daemon().log().lines()
                .filter(l -> l.contains(" audit: event=notification ") && l.contains(" msgid=<" + id + ">")).toList();
    }
}
