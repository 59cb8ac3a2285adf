package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Our milter server behind a real Sendmail 8.17 (F=T): replies and changes as Sendmail applies them. */
@Tag("integration")
class SendmailMilterIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RunningMilter milter;
    private static SendmailInstance sendmail;

    @BeforeAll
    static void start() {
        milter = RunningMilter.start(new SampleHandler());
        sendmail = SendmailInstance.start(milter.libmilterSocket());
    }

    @AfterAll
    static void stop() {
        try {
            if (sendmail != null) {
                sendmail.close();
            }
        } finally {
            if (milter != null) {
                milter.close();
            }
        }
    }

    @Test
    void rejectAtMailReachesTheClient() {
        List<SmtpClient.Reply> replies = SmtpClient.send(sendmail.smtpPort(), "eve@untrusted.test",
                List.of("bob@recipient.test"), "Subject: x\n\nbody\n");

        // Sendmail puts the address in front of the milter's text
        assertThat(replies.get(replies.size() - 1).last())
                .isEqualTo("550 5.7.1 <eve@untrusted.test>... untrusted sender");
    }

    @Test
    void recipientRefusedAloneAndMessageRewrittenForTheRest() {
        int before = sendmail.sinkMessages().size();
        List<SmtpClient.Reply> replies = SmtpClient.send(sendmail.smtpPort(), "alice@sender.test",
                List.of("nocert@recipient.test", "bob@recipient.test"),
                "From: alice@sender.test\nSubject: rewrite me\n\nORIGINAL BODY\n");

        assertThat(replies).extracting(SmtpClient.Reply::last).anyMatch(line ->
                line.startsWith("550 5.7.1 ") && line.endsWith("no certificate for nocert@recipient.test"));
        assertThat(replies.get(replies.size() - 1).code()).as("replies %s", replies).isEqualTo(250);
        SinkMessage got = sendmail.awaitSinkMessages(before + 1, WAIT).get(before);
        assertThat(got.envelopeRecipients()).containsExactly("<bob@recipient.test>");
        assertThat(got.relayed()).contains("Subject: rewrite me\n", "X-Direct-Milter: recipients=1\n")
                .endsWith("\n\nREPLACED BODY by direct-milter\n\n")
                .doesNotContain("ORIGINAL BODY");
    }
}
