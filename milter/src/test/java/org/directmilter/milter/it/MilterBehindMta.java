package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.directmilter.milter.testkit.Mta;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.RunningMilter;
import org.directmilter.milter.testkit.SampleHandler;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.directmilter.milter.testkit.SocketKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Our milter server with {@link SampleHandler} behind a real MTA on one kind of socket: the rejecting
 * handler's reply reaches the SMTP client, the body-replacing handler's changes reach the sink, and
 * a stopped milter becomes a 4xx at MAIL with nothing relayed. Each MTA's test class has one
 * {@code @Nested} subclass per socket kind (a class of its own, so reports name the socket kind);
 * the MTA says how it words the replies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one milter and MTA per subclass, in instance fields
abstract class MilterBehindMta {

    static final Duration WAIT = Duration.ofSeconds(30);

    private final SocketKind socket;
    private final Function<RunningMilter, Mta> startMta;
    private RunningMilter milter;
    private Mta mta;

    /** @param startMta starts the MTA with the given milter as its only milter */
    MilterBehindMta(SocketKind socket, Function<RunningMilter, Mta> startMta) {
        this.socket = socket;
        this.startMta = startMta;
    }

    @BeforeAll
    void start() {
        milter = new RunningMilter(new SampleHandler(), socket);
        mta = startMta.apply(milter);
    }

    @AfterAll
    void stop() {
        Resources.closeAll(mta, milter);
    }

    @Test
    void rejectAtMailReachesTheClientVerbatim() {
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), "eve@untrusted.test",
                List.of("bob@recipient.test"), "Subject: x\n\nbody\n");

        assertThat(replies).as("greeting, EHLO, MAIL").hasSize(3);
        assertThat(replies.get(2).last()).isEqualTo(mta.milterRejectReply("eve@untrusted.test", "untrusted sender"));
    }

    @Test
    void recipientRefusedAloneAndMessageRewrittenForTheRest() {
        int before = mta.sinkMessages().size();
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), "alice@sender.test",
                List.of("nocert@recipient.test", "bob@recipient.test"),
                "From: alice@sender.test\nSubject: rewrite me\n\nORIGINAL BODY\n");

        assertThat(replies).extracting(SmtpClient.Reply::last).contains(
                mta.milterRejectReply("nocert@recipient.test", "no certificate for nocert@recipient.test"));
        assertThat(replies.get(replies.size() - 1).code()).as("replies %s", replies).isEqualTo(250);
        assertRewritten(mta.awaitSinkMessages(before + 1, WAIT).get(before));
    }

    @Test
    void stoppedMilterMeansTempfailAtMailAndNothingRelayed() {
        try (RunningMilter own = new RunningMilter(new SampleHandler(), socket); Mta ownMta = startMta.apply(own)) {
            List<SmtpClient.Reply> passed = SmtpClient.send(ownMta.smtpPort(), "alice@sender.test",
                    List.of("bob@recipient.test"), "From: alice@sender.test\nSubject: rewrite me\n\nORIGINAL BODY\n");
            assertThat(passed).as("replies").allMatch(SmtpClient.Reply::positive);
            assertRewritten(ownMta.awaitSinkMessages(1, WAIT).get(0));

            own.close();
            List<SmtpClient.Reply> replies = SmtpClient.send(ownMta.smtpPort(), "alice@sender.test",
                    List.of("bob@recipient.test"), "Subject: while the milter is down\n\nbody\n");

            assertThat(replies).as("greeting, EHLO, MAIL; log:\n%s", ownMta.maillog()).hasSize(3);
            assertThat(replies.get(2).last()).isEqualTo(ownMta.milterUnavailableReply());
            assertThat(ownMta.sinkMessages()).hasSize(1);
        }
    }

    private static void assertRewritten(SinkMessage got) {
        assertThat(got.envelopeRecipients()).containsExactly("<bob@recipient.test>");
        assertThat(got.relayed()).contains("Subject: rewrite me\n", "X-Direct-Milter: recipients=1\n")
                .endsWith("\n\nREPLACED BODY by direct-milter\n\n")
                .doesNotContain("ORIGINAL BODY");
    }
}
