package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * Delivery notifications handed over SMTP ({@code NotificationServer}) through a real Postfix: the
 * daemon submits each processed MDN over kept connections to a dedicated loopback smtpd listener of
 * this Postfix ({@code 127.0.0.1:PORT inet n - n - - smtpd}, logging as {@code postfix/mdn}), which
 * inherits {@code smtpd_milters} and so passes the MDN through direct-milter, which signs and encrypts
 * it before Postfix relays it to the sink. The 250 that ends each hand-off comes only after that
 * milter pass, while the incoming message's own end of data waits on a completion thread.
 */
@Tag("integration")
class NotificationsSmtpPostfixIT extends DirectBehindMta {

    private static final String BODY = "Summary of care.\n";
    private static final Duration LOAD_WAIT = Duration.ofMinutes(5);
    /** The MDN listener; static, as the super constructor's lambda starts Postfix with it. */
    private static final int MDN_PORT = Ports.free();

    NotificationsSmtpPostfixIT() {
        super(deployment -> PostfixInstance.start(PostfixInstance.Options.milter(deployment.postfixSocket())
                // the MDN listener with the -o lines of docs/mta-configuration.md; smtpd_milters inherited
                .listener(MDN_PORT, Map.of("syslog_name", "postfix/mdn",
                        "smtpd_relay_restrictions", "permit_mynetworks,reject"))));
    }

    @BeforeAll
    void submitOverSmtp() {
        deployment.restartDaemon("NotificationServer 127.0.0.1:" + MDN_PORT + "\n");
    }

    @Test
    void aVerifiedMessagesMdnGoesThroughTheListenerAndArrivesSignedAndEncrypted() {
        String id = "smtp-mdn-processed@partner.example";
        List<SmtpClient.Reply> replies = sendIncoming(id);

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        assertThat(arrived(id).envelopeRecipients()).containsExactly("<" + DAVE + ">");
        SinkMessage mdn = awaitMdn(id);
        assertThat(mdn.envelopeSender()).isEqualTo("<>");
        assertThat(mdn.envelopeRecipients()).containsExactly("<" + BOB + ">");
        assertThat(mdn.relayed()).as("nothing of the report in clear")
                .doesNotContain("Original-Message-ID", "Final-Recipient", "processed");
        assertThat(deployment.partner.open(mdn.relayed(), setup.bob, setup.localCa))
                .startsWith("Content-Type: message/rfc822\n\n")
                .contains("From: " + DAVE + "\n", "To: " + BOB + "\n",
                        "Content-Type: multipart/report; report-type=disposition-notification;",
                        "Final-Recipient: rfc822;" + DAVE + "\n", "Original-Message-ID: <" + id + ">\n",
                        "Disposition: automatic-action/MDN-sent-automatically; processed\n")
                .doesNotContain(BODY.strip());
        assertAudited("event=notification queue=" + queueId(replies) + " from=" + BOB + " outcome=sent");
        assertThat(mta.maillog()).as("the MDN came in through the listener")
                .containsPattern("postfix/mdn/smtpd\\[\\d+\\]: connect from [^\\[ ]*\\[127\\.0\\.0\\.1\\]");
        assertThat(setup.submittedNotifications()).as("NotificationCommand was not run").isEmpty();
    }

    @Test
    void manyParallelMessagesGetOneMdnEachOverKeptConnectionsWithoutDeadlock() throws Exception {
        // 200 end-of-data hand-offs, each waiting for its MDN's own milter pass in the same daemon.
        int sessions = 16;
        int messages = 200;
        String id = "smtp-mdn-load@partner.example";
        long connectsBefore = listenerConnects();
        assertThat(sendConcurrently(id, BODY, sessions, messages, LOAD_WAIT)).as("messages accepted").isEqualTo(messages);

        Poll.until(messages + " MDNs from " + ALICE + " at the sink", LOAD_WAIT,
                () -> mdnsFrom(ALICE).size() >= messages, () -> mta.maillog() + "\n" + deployment.diagnostics());
        assertThat(mdnsFrom(ALICE)).hasSize(messages).allMatch(m -> m.envelopeSender().equals("<>"));
        assertThat(deployment.partner.open(mdnsFrom(ALICE).get(0).relayed(), setup.bob, setup.localCa))
                .contains("Final-Recipient: rfc822;" + ALICE + "\n", "Original-Message-ID: <" + id + ">\n");
        assertThat(listenerConnects() - connectsBefore).as("connections to the listener: kept, not one per MDN")
                .isLessThan(messages / 2);
    }

    @Test
    void withTheListenerAbsentAVerifiedMessageIsTempfailedAndAcceptedAfterAReloadPointsBack() throws Exception {
        String id = "smtp-mdn-absent@partner.example";
        int nobody = Ports.free();
        Path config = deployment.daemon().configFile();
        String working = Files.readString(config);
        reloadWith(working.replace("NotificationServer 127.0.0.1:" + MDN_PORT, "NotificationServer 127.0.0.1:" + nobody), 1);
        List<SmtpClient.Reply> refused;
        try {
            refused = sendIncoming(id);
        } finally {
            reloadWith(working, 2);
        }

        assertThat(refused.get(refused.size() - 1).last())
                .isEqualTo("451 4.3.0 Direct: cannot send the delivery notification, try again later");
        assertAudited("outcome=failed disposition=processed rcpt=" + DAVE + " msgid=<" + id + ">");
        assertAudited("reason=\"cannot connect to 127.0.0.1:" + nobody + ": Connection refused\"");
        assertThat(withId(id)).as("nothing delivered while tempfailed").isEmpty();

        List<SmtpClient.Reply> retried = sendIncoming(id);
        assertThat(retried).as("the client's retry").allMatch(SmtpClient.Reply::positive);
        assertThat(arrived(id).envelopeRecipients()).containsExactly("<" + DAVE + ">");
        awaitMdn(id);
    }

    @Test
    void atMaxConnectionsTheMdnsMilterConnectionIsRefusedAndTheMessageIsTempfailedWithoutWaiting() {
        // One milter connection: the incoming message's. The MDN's smtpd finds the daemon full, Postfix
        // applies milter_default_action = tempfail, and the hand-off fails on that answer, not a timeout.
        String id = "smtp-mdn-full@partner.example";
        deployment.restartDaemon("NotificationServer 127.0.0.1:" + MDN_PORT + "\nMaxConnections 1\n");
        try {
            List<SmtpClient.Reply> refused = sendIncoming(id);

            assertThat(refused.get(refused.size() - 1).last())
                    .isEqualTo("451 4.3.0 Direct: cannot send the delivery notification, try again later");
            assertAudited("outcome=failed disposition=processed rcpt=" + DAVE + " msgid=<" + id + ">");
            assertAudited("reason=\"127.0.0.1:" + MDN_PORT + " ");
            assertThat(deployment.daemon().log()).contains("refusing connection from")
                    .doesNotContain("no answer from 127.0.0.1:" + MDN_PORT);
            assertThat(withId(id)).as("nothing delivered while tempfailed").isEmpty();
        } finally {
            deployment.restartDaemon("NotificationServer 127.0.0.1:" + MDN_PORT + "\n");
        }
    }

    /** Rewrites the daemon's configuration and reloads; {@code count}: the reloads logged so far after it. */
    private void reloadWith(String config, int count) throws Exception {
        Files.writeString(deployment.daemon().configFile(), config);
        deployment.daemon().reload();
        Poll.until("reload " + count, WAIT, () -> deployment.daemon().log().lines()
                .filter(l -> l.contains("configuration reloaded:")).count() >= count, deployment::diagnostics);
    }

    private long listenerConnects() {
        return mta.maillog().lines().filter(l -> l.matches(".*postfix/mdn/smtpd\\[\\d+\\]: connect from .*")).count();
    }

    /** A protected message from bob to dave with Message-ID {@code id}, as the partner sends it. */
    private List<SmtpClient.Reply> sendIncoming(String id) {
        String inner = message(BOB, List.of(DAVE), id, "referral", BODY);
        return SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE),
                deployment.partner.protect(inner, setup.bob, List.of(setup.dave), routingHeaders(BOB, List.of(DAVE), id)));
    }

    /** Waits for dave's MDN about {@code id}, at the sink for bob with the null sender, opened as bob. */
    private SinkMessage awaitMdn(String id) {
        Poll.until("the MDN for <" + id + ">", WAIT, () -> mdnFor(id).isPresent(),
                () -> mta.maillog() + "\n" + deployment.diagnostics());
        return mdnFor(id).orElseThrow();
    }

    private Optional<SinkMessage> mdnFor(String id) {
        return mta.sinkMessages().stream()
                .filter(m -> m.envelopeSender().equals("<>") && m.envelopeRecipients().equals(List.of("<" + BOB + ">")))
                .filter(m -> m.relayed().contains("From: " + DAVE + "\n"))
                .filter(m -> Optional.ofNullable(deployment.partner.open(m.relayed(), setup.bob, setup.localCa))
                        .orElse("").contains("Original-Message-ID: <" + id + ">\n"))
                .findFirst();
    }
}
