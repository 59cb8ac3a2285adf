package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Exec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Plaintext never leaves by a side door of the MTA (issue 20): a real Postfix with direct-milter as
 * {@code smtpd_milters} and {@code non_smtpd_milters}, as docs/mta-configuration.md advises. The sink
 * stands for everything outside the HISP except dave's and alice's mailboxes: a message there addressed
 * to anyone else must not carry a decrypted or unprotected Direct message.
 *
 * <p>alice's mailbox refuses everything after Postfix accepted it ({@code error:} transport), the
 * sink's DSN support is ignored so that Postfix itself sends "relayed" success notices, and local Unix
 * users (the HISP's own programs) have their mail discarded, as local delivery would keep it on the host.
 */
@Tag("integration")
class SideDoorsPostfixIT extends DirectBehindMta {

    private static final String SECRET = "Diagnosis: the patient's confidential findings.\n";
    private static final String LOCAL_USERS = "mta.milter-test.invalid"; // $myhostname: sendmail's sender domain

    SideDoorsPostfixIT() {
        super(deployment -> PostfixInstance.start(PostfixInstance.Options.milter(deployment.postfixSocket())
                .set("transport_maps", "inline:{ {" + ALICE + " = error:5.2.1 mailbox disabled}, {"
                        + LOCAL_USERS + " = discard:local user} }")
                .set("smtpd_reject_unlisted_recipient", "no") // else smtpd refuses alice at RCPT already
                .set("smtp_discard_ehlo_keywords", "dsn")));
    }

    @Test
    void aDecryptedMessageWhoseDeliveryFailsAfterAcceptanceIsNotReturnedToItsSender() {
        String id = "side-bounce@partner.example";
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), BOB, List.of(ALICE),
                protectedFor(setup.alice, id));

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        String queueId = queueId(replies);
        postfix().awaitMaillog(queueId + ": to=<" + ALICE + ">", WAIT);
        assertThat(postfix().maillog()).as("alice's mailbox refused it").contains("status=bounced");
        awaitQueueWithout(id);
        assertNothingReadableLeft(id);
        assertAudited("event=incoming queue=" + queueId + " from=" + BOB + " outcome=verified");
    }

    @Test
    void aSuccessNoticeWithTheFullMessageIsNeverSentForADecryptedMessage() {
        String id = "side-dsn@partner.example";
        String sent = protectedFor(setup.dave, id);
        SmtpClient.Reply endOfData;
        try (SmtpClient smtp = SmtpClient.connect(mta.smtpPort())) {
            assertThat(smtp.ehlo("mx.partner.example").code()).isEqualTo(250);
            assertThat(smtp.command("MAIL FROM:<" + BOB + "> RET=FULL ENVID=side-dsn").code()).isEqualTo(250);
            assertThat(smtp.command("RCPT TO:<" + DAVE + "> NOTIFY=SUCCESS,DELAY,FAILURE").code()).isEqualTo(250);
            endOfData = smtp.data(sent);
            smtp.quit();
        }

        assertThat(endOfData.code()).as("end of data").isEqualTo(250);
        SinkMessage delivered = arrived(id);
        assertThat(delivered.envelopeRecipients()).containsExactly("<" + DAVE + ">");
        assertThat(delivered.envelopeSender()).as("verified mail is handed on with the null sender").isEqualTo("<>");
        assertThat(delivered.relayed()).contains(SECRET);
        awaitQueueWithout(id);
        assertNothingReadableLeft(id);
    }

    @Test
    void aLocalProgramSendingAsADirectAddressUnderItsOwnEnvelopeIsRefusedNotRelayed() {
        String id = "side-sendmail@hisp-a.example";
        Path file = write(id, message(ALICE, List.of(BOB), id, "from a cron job", SECRET));

        Exec.Result result = sendmail(file, "-t"); // envelope sender: root@$myhostname

        assertThat(result.exitCode()).as("sendmail: %s", result.output()).isZero();
        postfix().awaitMaillog("milter-reject: END-OF-MESSAGE", WAIT);
        awaitQueueWithout(id);
        assertNothingReadableLeft(id);
        assertAudited("from=root@" + LOCAL_USERS + " outcome=sender-mismatch");
    }

    @Test
    void aNullSenderMessageFromADirectAddressLeavesSignedAndEncrypted() {
        String id = "side-null-sender@hisp-a.example";
        String original = message(ALICE, List.of(BOB), id, "a notification", SECRET);
        Path file = write(id, original);

        Exec.Result result = sendmail(file, "-t", "-f", "<>");

        assertThat(result.exitCode()).as("sendmail: %s", result.output()).isZero();
        SinkMessage got = arrived(id);
        assertThat(got.envelopeSender()).isEqualTo("<>");
        assertThat(got.relayed()).doesNotContain("confidential", "a notification");
        assertThat(deployment.partner.open(got.relayed(), setup.bob, setup.localCa))
                .startsWith("Content-Type: message/rfc822\n\n").endsWith(SECRET);
        assertAudited("event=outgoing queue=");
    }

    private String protectedFor(org.directmilter.crypto.keys.PrivateKeyEntry recipient, String id) {
        String to = DirectSetup.address(recipient);
        String inner = message(BOB, List.of(to), id, "referral", SECRET);
        return deployment.partner.protect(inner, setup.bob, List.of(recipient), routingHeaders(BOB, List.of(to), id));
    }

    private PostfixInstance postfix() {
        return (PostfixInstance) mta;
    }

    /** Postfix's own sendmail(1) for this instance, run as a local program would (root here). */
    private Exec.Result sendmail(Path message, String... options) {
        StringBuilder command = new StringBuilder("/usr/sbin/sendmail -C " + postfix().dir().resolve("etc") + " -i");
        for (String option : options) {
            command.append(" '").append(option).append('\'');
        }
        return Exec.run(WAIT, List.of("sh", "-c", command + " < " + message));
    }

    private Path write(String id, String message) {
        try {
            Path file = postfix().dir().resolve(id.replace('@', '_') + ".eml");
            Files.writeString(file, message, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until no queue file holds the message any more, neither itself nor a notice quoting it: by
     * then every notice Postfix was going to send has been sent.
     */
    private void awaitQueueWithout(String messageId) {
        Poll.until("Postfix's queue to hold nothing with <" + messageId + ">", WAIT,
                () -> postfix().queueFilesContaining("<" + messageId + ">").isEmpty(), mta::maillog);
    }

    /** No message at the sink addressed outside our mailboxes carries the secret or the message's id. */
    private void assertNothingReadableLeft(String messageId) {
        List<SinkMessage> outside = mta.sinkMessages().stream()
                .filter(m -> m.envelopeRecipients().stream()
                        .anyMatch(r -> !r.equals("<" + DAVE + ">") && !r.equals("<" + ALICE + ">")))
                .toList();
        assertThat(outside).as("messages that left for anyone but our mailboxes")
                .noneMatch(m -> m.text().contains("confidential") || m.text().contains("<" + messageId + ">"));
    }
}
