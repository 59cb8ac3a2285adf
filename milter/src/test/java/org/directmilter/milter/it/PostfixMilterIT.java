package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Our milter server behind a real Postfix: replies reach the SMTP client, changes reach the sink. */
@Tag("integration")
class PostfixMilterIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RunningMilter milter;
    private static PostfixInstance postfix;

    @BeforeAll
    static void start() {
        milter = RunningMilter.start(new SampleHandler());
        postfix = PostfixInstance.start(milter.postfixSocket());
    }

    @AfterAll
    static void stop() {
        try {
            if (postfix != null) {
                postfix.close();
            }
        } finally {
            if (milter != null) {
                milter.close();
            }
        }
    }

    @Test
    void rejectAtMailReachesTheClientVerbatim() {
        List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(), "eve@untrusted.test",
                List.of("bob@recipient.test"), "Subject: x\n\nbody\n");

        assertThat(replies.get(replies.size() - 1).last()).isEqualTo("550 5.7.1 untrusted sender");
    }

    @Test
    void recipientRefusedAloneAndMessageRewrittenForTheRest() {
        int before = postfix.sinkMessages().size();
        List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(), "alice@sender.test",
                List.of("nocert@recipient.test", "bob@recipient.test"),
                "From: alice@sender.test\nSubject: rewrite me\n\nORIGINAL BODY\n");

        assertThat(replies).extracting(SmtpClient.Reply::last).contains(
                "550 5.7.1 no certificate for nocert@recipient.test");
        assertThat(replies.get(replies.size() - 1).code()).as("replies %s", replies).isEqualTo(250);
        SinkMessage got = postfix.awaitSinkMessages(before + 1, WAIT).get(before);
        assertThat(got.envelopeRecipients()).containsExactly("<bob@recipient.test>");
        assertThat(got.relayed()).contains("Subject: rewrite me\n", "X-Direct-Milter: recipients=1\n")
                .endsWith("\n\nREPLACED BODY by direct-milter\n\n")
                .doesNotContain("ORIGINAL BODY");
    }
}
