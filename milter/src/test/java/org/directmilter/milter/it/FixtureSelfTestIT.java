package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.directmilter.milter.testkit.Miltertest;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.SendmailInstance;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proves the fixtures against the real MTAs before any milter of ours exists: a configured but
 * unreachable milter must tempfail (Postfix milter_default_action = tempfail, Sendmail F=T), and
 * without a milter the message must reach the sink intact.
 */
@Tag("integration")
class FixtureSelfTestIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void postfixTempfailsWhileTheMilterIsDown() {
        int nobodyListens = Ports.free();
        try (PostfixInstance postfix = PostfixInstance.start("inet:127.0.0.1:" + nobodyListens)) {
            List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(),
                    "alice@sender.test", List.of("bob@recipient.test"), message("tempfail"));

            SmtpClient.Reply last = replies.get(replies.size() - 1);
            assertThat(last.code()).as("replies: %s", replies).isEqualTo(451);
            assertThat(last.last()).isEqualTo(PostfixInstance.MILTER_UNAVAILABLE);
            // postlogd writes the maillog asynchronously: wait for the last line we expect
            assertThat(postfix.awaitMaillog("milter-reject: MAIL from", WAIT))
                    .contains("connect to Milter service inet:127.0.0.1:" + nobodyListens + ": Connection refused");
            assertThat(postfix.sinkMessages()).isEmpty();
        }
    }

    @Test
    void postfixRelaysToTheSinkWithoutMilter() {
        String subject = "fixture " + UUID.randomUUID();
        try (PostfixInstance postfix = PostfixInstance.startWithoutMilter()) {
            List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(),
                    "alice@sender.test", List.of("bob@recipient.test", "carol@recipient.test"), message(subject));
            assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
            assertThat(replies.get(replies.size() - 1).text()).startsWith("2.0.0 Ok: queued as ");

            List<SinkMessage> messages = postfix.awaitSinkMessages(1, WAIT);

            assertThat(messages).hasSize(1);
            assertSinkGot(messages.get(0), subject, List.of("<bob@recipient.test>", "<carol@recipient.test>"));
            assertThat(postfix.awaitMaillog("status=sent", WAIT)).contains("relay=127.0.0.1[127.0.0.1]:" + postfix.sinkPort());
        }
    }

    @Test
    void sendmailTempfailsWhileTheMilterIsDown() {
        int nobodyListens = Ports.free();
        try (SendmailInstance sendmail = SendmailInstance.start("inet:" + nobodyListens + "@127.0.0.1")) {
            List<SmtpClient.Reply> replies = SmtpClient.send(sendmail.smtpPort(),
                    "alice@sender.test", List.of("bob@recipient.test"), message("tempfail"));

            SmtpClient.Reply last = replies.get(replies.size() - 1);
            assertThat(last.code()).as("replies: %s\nlog:\n%s", replies, sendmail.maillog()).isEqualTo(451);
            assertThat(last.last()).isEqualTo(SendmailInstance.MILTER_UNAVAILABLE);
            assertThat(sendmail.sinkMessages()).isEmpty();
        }
    }

    @Test
    void sendmailRelaysToTheSinkWithoutMilter() {
        String subject = "fixture " + UUID.randomUUID();
        try (SendmailInstance sendmail = SendmailInstance.startWithoutMilter()) {
            List<SmtpClient.Reply> replies = SmtpClient.send(sendmail.smtpPort(),
                    "alice@sender.test", List.of("bob@recipient.test"), message(subject));
            assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);

            List<SinkMessage> messages = sendmail.awaitSinkMessages(1, WAIT);

            assertThat(messages).hasSize(1);
            assertSinkGot(messages.get(0), subject, List.of("<bob@recipient.test>"));
            assertThat(sendmail.maillog()).contains("MAIL From:<alice@sender.test>");
        }
    }

    @Test
    void miltertestRunsScriptsAndReportsWhyTheyFail() {
        int nobodyListens = Ports.free();

        Miltertest.Result ok = Miltertest.run("selftest-lua.lua", nobodyListens);
        Miltertest.Result refused = Miltertest.run("selftest-no-milter.lua", nobodyListens,
                Map.of("connect_tries", "1"), Duration.ofSeconds(30));

        assertThat(ok.exitCode()).as("%s", ok).isZero();
        assertThat(ok.output()).contains("selftest-lua: globals and lib.lua ok, port " + nobodyListens);
        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(1);
        assertThat(refused.output()).contains("FAIL: mt.connect(): inet:" + nobodyListens
                + "@127.0.0.1: connect(): Connection refused");
    }

    private static void assertSinkGot(SinkMessage got, String subject, List<String> recipients) {
        assertThat(got.envelopeSender()).isEqualTo("<alice@sender.test>");
        assertThat(got.envelopeRecipients()).isEqualTo(recipients);
        String relayed = got.relayed();
        assertThat(relayed).as("relayed message").startsWith("Received: from ").contains("Subject: " + subject + "\n")
                .doesNotContain("(smtp-sink)").doesNotContain("X-Mail-Args");
        // the body arrives unchanged, with the leading dot of a line un-stuffed again
        assertThat(relayed).endsWith("\n\nfirst line\n.leading dot\nlast line\n\n");
    }

    private static String message(String subject) {
        return "From: alice@sender.test\nTo: bob@recipient.test\nSubject: " + subject + "\n\n"
                + "first line\n.leading dot\nlast line\n";
    }
}
