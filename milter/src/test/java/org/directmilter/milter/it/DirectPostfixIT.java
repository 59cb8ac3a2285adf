package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.ERIN;
import static org.directmilter.milter.testkit.DirectDeployment.MALLORY;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.milter.testkit.DaemonProcess;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.PartnerHisp;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Direct milter end to end behind a throwaway Postfix relaying to smtp-sink (TEST-INFRA §1), with
 * {@code milter_default_action = tempfail}: besides the paths every MTA runs ({@link DirectBehindMta}),
 * each way incoming mail is refused, a recipient domain that does not trust the signer, the daemon
 * killed in the middle of a transaction, and named gone.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // only so that the test that stops named runs last
class DirectPostfixIT extends DirectBehindMta {

    private static final String BODY = "Discharge summary.\n";

    DirectPostfixIT() {
        super(deployment -> PostfixInstance.start(deployment.postfixSocket()));
    }

    @Test
    void incomingMailSignedUnderACaNoAnchorNamesIsRefusedAt550() {
        String id = "incoming-stranger@partner.example";
        List<SmtpClient.Reply> replies = sendIncoming(MALLORY, setup.mallory, List.of(setup.dave), id, BODY);

        assertThat(last(replies)).startsWith("550 5.7.1 Direct: sender not trusted: ");
        assertNothingArrived(id);
        assertAudited("from=" + MALLORY + " outcome=untrusted reply=\"550 5.7.1 Direct: sender not trusted");
    }

    @Test
    void incomingPlaintextIsRefusedAt550() {
        String id = "incoming-plaintext@partner.example";
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE),
                message(BOB, List.of(DAVE), id, "not protected", BODY));

        assertThat(last(replies)).isEqualTo("550 5.7.1 Direct: message must be signed and encrypted");
        assertNothingArrived(id);
    }

    @Test
    void incomingCiphertextTamperedWithOnTheWayIsRefusedAt554() {
        String id = "incoming-tampered@partner.example";
        // long enough that the middle of the CMS structure is ciphertext of the inner message's body
        String body = "Medication list, line after line.\n".repeat(300);
        String inner = message(BOB, List.of(DAVE), id, "tampered", body);
        String sent = PartnerHisp.tamper(deployment.partner.protect(inner, setup.bob, List.of(setup.dave),
                routingHeaders(BOB, List.of(DAVE), id)));

        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE), sent);

        assertThat(last(replies)).isEqualTo("554 5.7.5 Direct: message could not be decrypted or verified");
        assertNothingArrived(id);
    }

    @Test
    void ofTwoLocalRecipientsOnlyTheOneWhoseDomainTrustsTheSignerReceivesTheMessage() {
        String id = "incoming-two-domains@partner.example";
        List<SmtpClient.Reply> replies = sendIncoming(BOB, setup.bob, List.of(setup.dave, setup.erin), id, BODY);

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        SinkMessage got = arrived(id);
        assertThat(got.envelopeRecipients()).containsExactly("<" + DAVE + ">");
        assertThat(got.relayed()).contains("X-Direct-Verified: signer=" + BOB + ";").endsWith("\n\n" + BODY + "\n");
        assertAudited("event=incoming-recipient queue=" + queueId(replies) + " from=" + BOB
                + " outcome=removed-untrusted rcpt=" + ERIN);
    }

    /** Over SpoolThreshold (1M): the bodies go through the daemon's disk spools and many REPLBODY packets. */
    @Test
    void messagesOfThreeMegabytesGoBothWaysIntact() {
        String body = "Imaging report, one of many identical lines of seventy-odd characters.\n".repeat(44_000);
        String outId = "outgoing-large@hisp-a.example";
        String original = message(ALICE, List.of(BOB), outId, "large", body);

        assertThat(SmtpClient.send(mta.smtpPort(), ALICE, List.of(BOB), original)).allMatch(SmtpClient.Reply::positive);
        assertThat(deployment.partner.open(arrived(outId).relayed(), setup.bob, setup.localCa))
                .isEqualTo("Content-Type: message/rfc822\n\n" + original);

        String inId = "incoming-large@partner.example";
        assertThat(sendIncoming(BOB, setup.bob, List.of(setup.dave), inId, body)).allMatch(SmtpClient.Reply::positive);
        assertThat(arrived(inId).relayed()).endsWith("\n\n" + body + "\n");
    }

    /**
     * The daemon is frozen after it accepted the recipient, Postfix hands it the message and waits, and
     * then the daemon is killed: the client must get a 4xx, nothing may leave, and the same message sent
     * again to a daemon started on the same socket must leave encrypted.
     */
    @Test
    void aDaemonKilledInTheMiddleOfATransactionCostsATempfailAndTheRetryLeavesEncrypted() throws Exception {
        String id = "outgoing-killed@hisp-a.example";
        String original = message(ALICE, List.of(BOB), id, "sent twice", BODY);
        DaemonProcess doomed = deployment.daemon();
        SmtpClient.Reply endOfData;
        try (SmtpClient smtp = SmtpClient.connect(mta.smtpPort())) {
            assertThat(smtp.ehlo("client.milter-test.invalid").code()).isEqualTo(250);
            assertThat(smtp.mailFrom(ALICE).code()).isEqualTo(250);
            assertThat(smtp.rcptTo(BOB).code()).as("RCPT: the daemon found bob's certificate").isEqualTo(250);
            doomed.freeze();
            CompletableFuture<SmtpClient.Reply> data = CompletableFuture.supplyAsync(() -> smtp.data(original));
            // Postfix has sent the frozen daemon the message's first packets and waits for its answer.
            Poll.until("Postfix to send the frozen daemon the message", WAIT,
                    () -> Ports.unreadBytes(deployment.milterPort()) > 0, mta::maillog);
            assertThat(data).as("the client waits while the daemon is frozen").isNotDone();
            doomed.kill();
            endOfData = data.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        assertThat(endOfData.last()).isEqualTo(PostfixInstance.MILTER_UNAVAILABLE);
        mta.awaitMaillog("warning: milter " + deployment.postfixSocket() + ": ", WAIT);
        assertNothingArrived(id);
        deployment.startDaemon();
        List<SmtpClient.Reply> retry = SmtpClient.send(mta.smtpPort(), ALICE, List.of(BOB), original);

        assertThat(retry).as("replies to the retry").allMatch(SmtpClient.Reply::positive);
        SinkMessage got = arrived(id); // exactly one: the retry, never the first attempt
        assertThat(got.relayed()).doesNotContain("Discharge summary");
        assertThat(deployment.partner.open(got.relayed(), setup.bob, setup.localCa)).endsWith(BODY);
    }

    /** Runs last: it stops the class's named for good. */
    @Test
    @Order(Integer.MAX_VALUE)
    void withNamedStoppedARecipientIsTempfailedAt451AndNothingLeaves() {
        deployment.stopNamed();
        String frank = "frank@partner.example"; // never looked up before, so not in the daemon's cache
        String id = "outgoing-dns-down@hisp-a.example";

        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), ALICE, List.of(frank),
                message(ALICE, List.of(frank), id, "while DNS is down", BODY));

        assertThat(last(replies)).as("RCPT").startsWith("451 4.4.3 Direct: certificate lookup for <" + frank
                + "> failed, try again later: ");
        assertThat(replies).as("no DATA after the only recipient was refused").hasSize(4);
        assertAudited("from=" + ALICE + " outcome=dns-error reply=\"451 4.4.3 ");
        assertNothingArrived(id);
    }

    private List<SmtpClient.Reply> sendIncoming(String from, PrivateKeyEntry signer, List<PrivateKeyEntry> to,
                                                String id, String body) {
        List<String> addresses = to.stream().map(DirectSetup::address).toList();
        String sent = deployment.partner.protect(message(from, addresses, id, "from the partner", body), signer, to,
                routingHeaders(from, addresses, id));
        return SmtpClient.send(mta.smtpPort(), from, addresses, sent);
    }

    private static String last(List<SmtpClient.Reply> replies) {
        return replies.get(replies.size() - 1).last();
    }

    /**
     * Nothing with this Message-ID at the sink, and nothing in Postfix's queue that could still get
     * there: the refusal was an SMTP reply, so Postfix never took the message.
     */
    private void assertNothingArrived(String messageId) {
        assertThat(((PostfixInstance) mta).queueFilesContaining("<" + messageId + ">")).as("queue files").isEmpty();
        assertThat(withId(messageId)).as("at the sink").isEmpty();
    }
}
