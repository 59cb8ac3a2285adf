package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Mta;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * direct-milter as a Direct Security/Trust Agent behind a real MTA: the real daemon process, real
 * named, openssl playing the partner HISP. One deployment and one MTA per test class; every message
 * has its own Message-ID, so tests find their own mail at the sink whatever ran before. Subclasses add
 * what only their MTA is asked to prove.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DirectBehindMta {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String CAROL = "carol@partner.example"; // publishes no certificate

    private final Function<DirectDeployment, Mta> startMta;
    DirectDeployment deployment;
    DirectSetup setup;
    Mta mta;

    DirectBehindMta(Function<DirectDeployment, Mta> startMta) {
        this.startMta = startMta;
    }

    @BeforeAll
    void start() {
        deployment = DirectDeployment.start();
        setup = deployment.setup;
        mta = startMta.apply(deployment);
    }

    @AfterAll
    void stop() {
        Resources.closeAll(mta, deployment);
    }

    @Test
    void outgoingMailArrivesEncryptedToTheRecipientAndSignedWithoutItsSubjectOutside() {
        String id = "outgoing-plain@hisp-a.example";
        String original = message(ALICE, List.of(BOB), id, "lab results",
                "Potassium 4.1 mmol/L\n.a line that starts with a dot\n");

        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), ALICE, List.of(BOB), original);

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        SinkMessage got = arrived(id);
        assertThat(got.envelopeRecipients()).containsExactly("<" + BOB + ">");
        String outer = got.relayed();
        assertThat(fields(head(outer))).contains("from: " + ALICE, "to: " + BOB, "message-id: <" + id + ">",
                        "content-type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m")
                .noneMatch(f -> f.startsWith("subject:"));
        assertThat(fields(head(outer))).as("each field once: the shared ones stay, the others are replaced")
                .filteredOn(f -> !f.startsWith("received:")).extracting(f -> f.substring(0, f.indexOf(':')))
                .containsExactlyInAnyOrder("from", "to", "date", "message-id", "mime-version", "content-type",
                        "content-transfer-encoding", "content-disposition");
        assertThat(outer).doesNotContain("Potassium", "lab results");
        assertThat(deployment.partner.open(outer, setup.bob, setup.localCa))
                .as("the signed content: the original as the client sent it, wrapped as message/rfc822")
                .isEqualTo("Content-Type: message/rfc822\n\n" + original);
        assertAudited("event=outgoing queue=" + queueId(replies) + " from=" + ALICE + " outcome=protected reply=accept");
    }

    @Test
    void aRecipientWithoutCertificateIsRefusedAtRcptWhileTheOtherIsDelivered() {
        String id = "outgoing-no-cert@hisp-a.example";
        String original = message(ALICE, List.of(CAROL, BOB), id, "two recipients", "for bob only in the end\n");

        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), ALICE, List.of(CAROL, BOB), original);

        assertThat(replies.get(3).last()).as("RCPT %s", CAROL)
                .isEqualTo(mta.milterRejectReply(CAROL, "Direct: no certificate found for <" + CAROL + ">"));
        assertThat(replies.get(4).code()).as("RCPT %s", BOB).isEqualTo(250);
        assertThat(replies.get(replies.size() - 1).code()).as("end of data").isEqualTo(250);
        SinkMessage got = arrived(id);
        assertThat(got.envelopeRecipients()).containsExactly("<" + BOB + ">");
        assertThat(deployment.partner.open(got.relayed(), setup.bob, setup.localCa)).endsWith("for bob only in the end\n");
        assertAudited("from=" + ALICE + " outcome=no-certificate reply=\"550 5.7.1 Direct: no certificate found for <"
                + CAROL + ">\" rcpt=" + CAROL);
    }

    @Test
    void incomingMailFromATrustedPartnerArrivesAsTheVerifiedInnerMessageWithTheTraceHeader() throws Exception {
        String id = "incoming-trusted@partner.example";
        String inner = message(BOB, List.of(DAVE), id, "referral", "Summary of care attached.\n");
        String sent = deployment.partner.protect(inner, setup.bob, List.of(setup.dave),
                routingHeaders(BOB, List.of(DAVE), id));

        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), BOB, List.of(DAVE), sent);

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        SinkMessage got = arrived(id);
        assertThat(got.envelopeRecipients()).containsExactly("<" + DAVE + ">");
        String delivered = got.original(); // without the MTA's own Received field, which stays on top
        List<String> deliveredFields = fields(head(delivered));
        assertThat(deliveredFields).as("the inner fields and one trace field")
                .hasSize(fields(head(inner)).size() + 1).containsAll(fields(head(inner)))
                .filteredOn(f -> f.startsWith("x-direct-verified:")).singleElement().asString()
                .startsWith("x-direct-verified: signer=" + BOB + "; sha256=" + sha256(setup.bob.certificate()) + "; ");
        assertThat(delivered.substring(head(delivered).length()))
                .as("the inner body; smtp-sink adds an empty line").isEqualTo("\nSummary of care attached.\n\n");
        assertAudited("event=incoming queue=" + queueId(replies) + " from=" + BOB + " outcome=verified reply=accept");
    }

    /** The header block of a message with LF line ends, up to and including the LF before the empty line. */
    static String head(String message) {
        return message.substring(0, message.indexOf("\n\n") + 1);
    }

    /**
     * The fields of a header block as "name: value", the name in lower case, continuation lines
     * unfolded, sorted: the same fields whatever order and name case the MTA writes them in (Sendmail
     * writes Message-Id, and the fields it knows first).
     */
    static List<String> fields(String head) {
        return Arrays.stream(head.replaceAll("\n[ \t]+", " ").split("\n")).filter(f -> !f.isEmpty())
                .map(f -> f.substring(0, f.indexOf(':')).toLowerCase(Locale.ROOT) + ":" + f.substring(f.indexOf(':') + 1))
                .sorted().toList();
    }

    String queueId(List<SmtpClient.Reply> replies) {
        return mta.queueId(replies.get(replies.size() - 1));
    }

    /** Waits for the one message with this Message-ID at the sink. */
    SinkMessage arrived(String messageId) {
        Poll.until("<" + messageId + "> at the sink", WAIT, () -> !withId(messageId).isEmpty(),
                () -> mta.maillog() + "\n" + deployment.diagnostics());
        List<SinkMessage> all = withId(messageId);
        assertThat(all).as("messages with Message-ID <%s>", messageId).hasSize(1);
        return all.get(0);
    }

    List<SinkMessage> withId(String messageId) {
        return mta.sinkMessages().stream().filter(m -> m.text().contains("<" + messageId + ">")).toList();
    }

    /** Waits for an audit line (logger org.directmilter.audit) in the daemon's log containing {@code fragment}. */
    void assertAudited(String fragment) {
        Poll.until("an audit line with " + fragment, WAIT,
                () -> deployment.daemon().log().lines().anyMatch(l -> l.contains(" audit: ") && l.contains(fragment)),
                deployment::diagnostics);
    }

    static String sha256(X509Certificate certificate) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }

    /**
     * One Direct message from bob to alice (Message-ID {@code id}, body {@code body}), protected by the
     * partner, {@code messages} times in all over {@code sessions} concurrent SMTP sessions (each sends its
     * share over one connection); how many the MTA accepted.
     */
    int sendConcurrently(String id, String body, int sessions, int messages, Duration timeout) throws Exception {
        String message = deployment.partner.protect(message(BOB, List.of(ALICE), id, "load", body), setup.bob,
                List.of(setup.alice), routingHeaders(BOB, List.of(ALICE), id));
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        List<Future<Integer>> accepted = new ArrayList<>();
        try {
            for (int s = 0; s < sessions; s++) {
                int share = messages / sessions + (s < messages % sessions ? 1 : 0);
                accepted.add(pool.submit(() -> sendMany(message, share, timeout)));
            }
            int total = 0;
            for (Future<Integer> f : accepted) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends {@code message} {@code count} times over one SMTP session; how many were accepted. */
    private int sendMany(String message, int count, Duration timeout) {
        int ok = 0;
        try (SmtpClient smtp = SmtpClient.connect(mta.smtpPort(), timeout)) {
            smtp.greeting();
            smtp.ehlo("mx.partner.example");
            for (int i = 0; i < count; i++) {
                smtp.mailFrom(BOB);
                smtp.rcptTo(ALICE);
                if (smtp.data(message).code() == 250) {
                    ok++;
                }
            }
            smtp.quit();
        }
        return ok;
    }

    /** The null-sender messages at the sink written by {@code reporter}: its notifications. */
    List<SinkMessage> mdnsFrom(String reporter) {
        return mta.sinkMessages().stream().filter(m -> m.envelopeSender().equals("<>"))
                .filter(m -> m.relayed().contains("From: " + reporter + "\n")).toList();
    }
}
