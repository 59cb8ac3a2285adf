package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.milter.notify.Disposition;
import org.directmilter.milter.notify.Mdn;
import org.directmilter.milter.testkit.DaemonProcess;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tracking (issue 14) through a real Postfix, the real daemon, real named, with openssl as the partner
 * HISP: alice's message is recorded, the partner's MDNs come back as Direct messages and complete it, a
 * forged one changes nothing, a remote bounce fails one recipient, a silent recipient gets alice exactly
 * one failure DSN through this Postfix's own sendmail and pickup (and so through direct-milter again),
 * and a record survives {@code kill -9}. What the store does is read from the daemon's audit lines.
 * The database is the embedded SQLite file; {@link TrackingPostgresIT} runs the same on PostgreSQL.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrackingPostfixIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    private static final String FRAN = "fran@" + DirectSetup.PARTNER;
    static final String SHORT = "TrackingProcessedTimeout 3s\n";

    DirectDeployment deployment;
    DirectSetup setup;
    PostfixInstance mta;
    private String daemonConfig = "";

    /** The TrackingDatabase value: empty for the deployment's own SQLite file. */
    Optional<String> database() throws Exception {
        return Optional.empty();
    }

    @BeforeAll
    void start() throws Exception {
        Optional<String> database = database();
        deployment = DirectDeployment.start(s -> {
            database.ifPresent(d -> s.trackingDatabase = d);
            return "TrackingInterval 1s\n";
        });
        setup = deployment.setup;
        mta = PostfixInstance.start(deployment.postfixSocket());
        setup.submitWith("exec /usr/sbin/sendmail -C " + mta.dir().resolve("etc") + " -i -t -f '<>'");
        // fran, a second partner recipient, is found in CertificateDir (named publishes bob only)
        setup.placeCertificate(setup.partnerCa.rsaEntity(FRAN, 2048));
    }

    @AfterAll
    void stop() {
        Resources.closeAll(mta, deployment);
    }

    /** Runs the daemon with {@code config} added, restarting it only when that differs from what runs. */
    void daemonWith(String config) {
        if (!config.equals(daemonConfig)) {
            deployment.restartDaemon(config);
            daemonConfig = config;
        }
    }

    @Test
    void aProcessedMdnFromThePartnerCompletesTheRecipientAndReachesAlice() {
        daemonWith("");
        String id = "track-processed@hisp-a.example";
        List<SmtpClient.Reply> replies = sendFromAlice(id, List.of(BOB));
        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("event=outgoing queue=" + mta.queueId(replies.get(replies.size() - 1)) + " from=" + ALICE
                + " outcome=protected");
        assertAudited("tracking=recorded");

        String mdnId = "mdn-" + id;
        List<SmtpClient.Reply> mdn = sendMdn(setup.bob, BOB, id, mdnId, Disposition.PROCESSED);

        assertThat(mdn).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("event=tracking queue=" + mta.queueId(mdn.get(mdn.size() - 1)) + " from=<> outcome=completed msgid=<"
                + id + "> rcpt=" + BOB + " report=processed");
        SinkMessage delivered = arrived(mdnId);
        assertThat(delivered.envelopeRecipients()).containsExactly("<" + ALICE + ">");
        assertThat(delivered.text()).contains("Disposition: automatic-action/MDN-sent-automatically; processed");

        // the same MDN again: recorded already, so alice does not get it twice (T4)
        String againId = "mdn-again-" + id;
        List<SmtpClient.Reply> again = sendMdn(setup.bob, BOB, id, againId, Disposition.PROCESSED);
        assertThat(again).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("outcome=duplicate msgid=<" + id + ">");
        assertAudited("outcome=tracking-suppressed");
        assertThat(withId(againId)).isEmpty();
    }

    @Test
    void aSecondDaemonAsBobsHispSendsTheProcessedMdnThatCompletesAlicesRecord() throws Exception {
        daemonWith("");
        String id = "track-two-hisps@hisp-a.example";
        try (ReceivingHisp b = ReceivingHisp.start(setup)) {
            List<SmtpClient.Reply> replies = sendFromAlice(id, List.of(BOB));
            assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
            assertAudited("tracking=recorded");

            // the network between the HISPs: what A's Postfix relayed goes to B's, and back
            List<SmtpClient.Reply> atB = SmtpClient.send(b.mta.smtpPort(), ALICE, List.of(BOB), arrived(id).relayed());
            assertThat(atB).as("B's replies").allMatch(SmtpClient.Reply::positive);
            Poll.until("B's processed MDN to alice", WAIT, () -> !b.mdnsTo(ALICE).isEmpty(),
                    () -> b.mta.maillog() + "\n" + b.daemon.diagnostics());
            SinkMessage mdn = b.mdnsTo(ALICE).get(0);
            assertThat(mdn.relayed()).contains("application/pkcs7-mime").doesNotContain("Original-Message-ID");
            List<SmtpClient.Reply> back = SmtpClient.send(mta.smtpPort(), "", List.of(ALICE), mdn.relayed());

            assertThat(back).as("A's replies").allMatch(SmtpClient.Reply::positive);
            assertAudited("outcome=completed msgid=<" + id + "> rcpt=" + BOB + " report=processed");
            Poll.until("the verified MDN at alice", WAIT, () -> mta.sinkMessages().stream()
                    .anyMatch(m -> m.text().contains("Original-Message-ID: <" + id + ">")
                            && m.text().contains("X-Direct-Verified: signer=" + BOB)), deployment::diagnostics);
        }
    }

    @Test
    void underTimelyAndReliableTheDispatchedMdnCompletesTheRecipient() {
        daemonWith("");
        String id = "track-dispatched@hisp-a.example";
        String options = "Disposition-Notification-Options: X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true\n";
        List<SmtpClient.Reply> replies = SmtpClient.send(mta.smtpPort(), ALICE, List.of(BOB),
                options + message(ALICE, List.of(BOB), id, "referral", "Summary of care.\n"));
        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("tracking=recorded,timely-and-reliable");

        sendMdn(setup.bob, BOB, id, "mdn-p-" + id, Disposition.PROCESSED);
        assertAudited("outcome=progress msgid=<" + id + "> rcpt=" + BOB + " report=processed");
        sendMdn(setup.bob, BOB, id, "mdn-d-" + id, Disposition.DISPATCHED);
        assertAudited("outcome=completed msgid=<" + id + "> rcpt=" + BOB + " report=dispatched");
        arrived("mdn-d-" + id);
    }

    @Test
    void aForgedMdnIsRefusedAndChangesNothing() {
        daemonWith("");
        String id = "track-forged@hisp-a.example";
        sendFromAlice(id, List.of(BOB));
        assertAudited("tracking=recorded");

        // mallory's CA is trusted by nobody: she signs an MDN in bob's name
        List<SmtpClient.Reply> forged = sendMdn(setup.mallory, BOB, id, "mdn-forged-" + id, Disposition.PROCESSED);

        assertThat(forged.get(forged.size() - 1).last()).startsWith("550 5.7.1 Direct: sender not trusted");
        assertThat(trackingLines(id)).isEmpty();
    }

    @Test
    void aRemoteBounceForOneOfTwoRecipientsFailsItAndTheOtherStaysPending() {
        daemonWith("");
        String id = "track-bounce@hisp-a.example";
        List<SmtpClient.Reply> replies = sendFromAlice(id, List.of(BOB, FRAN));
        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("tracking=recorded");

        String bounceId = "bounce-" + id;
        List<SmtpClient.Reply> bounce = SmtpClient.send(mta.smtpPort(), "", List.of(ALICE), bounce(bounceId, id, FRAN));

        assertThat(bounce).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("outcome=completed msgid=<" + id + "> rcpt=" + FRAN + " report=failed");
        assertThat(arrived(bounceId).envelopeRecipients()).containsExactly("<" + ALICE + ">");
        assertThat(trackingLines(id)).hasSize(1).allMatch(l -> l.contains(" rcpt=" + FRAN + " "));
    }

    @Test
    void aSilentRecipientGetsAliceExactlyOneFailureDsnThroughTheMta() {
        daemonWith(SHORT);
        // a reload keeps the timer running: the message is sent after one
        deployment.daemon().reload();
        Poll.until("the reload", WAIT, () -> deployment.daemon().log().contains("configuration reloaded"),
                deployment::diagnostics);
        String id = "track-silent@hisp-a.example";
        List<SmtpClient.Reply> replies = sendFromAlice(id, List.of(BOB));
        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);

        SinkMessage dsn = awaitTimeoutDsn(id);
        assertThat(dsn.envelopeSender()).isEqualTo("<>");
        assertThat(dsn.envelopeRecipients()).containsExactly("<" + ALICE + ">");
        assertThat(dsn.text()).contains("Final-Recipient: rfc822;" + BOB, "Action: failed", "Status: 5.4.7",
                "no processed MDN within 3s", "X-Direct-Verified: none; unprotected delivery report");
        assertAudited("event=tracking outcome=timed-out queue=");

        // A later message's timeout means the timer ran again after this one's: still one DSN for it.
        String later = "track-silent-later@hisp-a.example";
        sendFromAlice(later, List.of(BOB));
        awaitTimeoutDsn(later);
        assertThat(timeoutDsns(id)).hasSize(1);
        assertThat(deployment.daemon().log().lines().filter(l -> l.contains("outcome=timed-out")
                && l.contains("msgid=<" + id + ">"))).hasSize(1);
    }

    @Test
    void aRecordCommittedBeforeKillMinusNineIsCompletedByTheMdnAfterTheRestart() {
        daemonWith("");
        String id = "track-killed@hisp-a.example";
        List<SmtpClient.Reply> replies = sendFromAlice(id, List.of(BOB));
        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("tracking=recorded");

        deployment.daemon().kill();
        deployment.startDaemon(daemonConfig);
        List<SmtpClient.Reply> mdn = sendMdn(setup.bob, BOB, id, "mdn-" + id, Disposition.PROCESSED);

        assertThat(mdn).as("replies").allMatch(SmtpClient.Reply::positive);
        assertAudited("outcome=completed msgid=<" + id + "> rcpt=" + BOB + " report=processed");
    }

    /**
     * Bob's HISP: a second direct-milter (Domains partner.example, bob's key, trusting hisp-a's CA both ways,
     * alice's certificate in its CertificateDir) behind a Postfix of its own, sending MDNs through that
     * Postfix's sendmail and pickup, so they leave signed by bob and encrypted to alice.
     */
    private record ReceivingHisp(DaemonProcess daemon, PostfixInstance mta) implements AutoCloseable {
        static ReceivingHisp start(DirectSetup setup) throws Exception {
            Path dir = Scratch.newDirectory("hisp-b-");
            Path keys = Files.createDirectories(dir.resolve("keys"));
            DirectSetup.writePkcs12(keys, BOB, setup.bob);
            Files.writeString(keys.resolve("password"), DirectSetup.PASSWORD + "\n");
            Files.setPosixFilePermissions(keys.resolve("password"), PosixFilePermissions.fromString("rw-------"));
            Path anchors = dir.resolve("anchors");
            for (String direction : List.of("incoming", "outgoing")) {
                TestPki.writePem(Files.createDirectories(anchors.resolve(DirectSetup.PARTNER).resolve(direction))
                        .resolve("hisp-a.pem"), setup.localCa.caCertificate());
            }
            Path certificates = Files.createDirectories(dir.resolve("certs"));
            TestPki.writePem(certificates.resolve(ALICE + ".pem"), setup.alice.certificate());
            int port = Ports.free();
            Path submit = dir.resolve("submit");
            DaemonProcess daemon = DaemonProcess.start(Files.createDirectories(dir.resolve("daemon")),
                    "Socket inet:" + port + "@127.0.0.1\nDomains " + DirectSetup.PARTNER + "\nKeyStore " + keys
                            + "\nAnchorDir " + anchors + "\nCertificateDir " + certificates
                            + "\nNameservers 127.0.0.1:9\nDNSTimeout 1s\nDNSAttempts 1\nNotificationCommand " + submit
                            + "\nTrackingDatabase " + dir.resolve("tracking.db") + "\n");
            PostfixInstance mta;
            try {
                mta = PostfixInstance.start("inet:127.0.0.1:" + port);
            } catch (RuntimeException | AssertionError e) {
                daemon.close();
                throw e;
            }
            Files.writeString(submit, "#!/bin/sh\nexec /usr/sbin/sendmail -C " + mta.dir().resolve("etc")
                    + " -i -t -f '<>'\n");
            Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwx------"));
            return new ReceivingHisp(daemon, mta);
        }

        List<SinkMessage> mdnsTo(String originator) {
            return mta.sinkMessages().stream().filter(m -> m.envelopeSender().equals("<>")
                    && m.envelopeRecipients().equals(List.of("<" + originator + ">"))).toList();
        }

        @Override
        public void close() {
            Resources.closeAll(mta, daemon);
        }
    }

    List<SmtpClient.Reply> sendFromAlice(String id, List<String> to) {
        return SmtpClient.send(mta.smtpPort(), ALICE, to, message(ALICE, to, id, "referral", "Summary of care.\n"));
    }

    /** The partner's MDN about {@code original} for {@code reporter}, signed by {@code signer}, to alice, MAIL FROM:<>. */
    private List<SmtpClient.Reply> sendMdn(PrivateKeyEntry signer, String reporter, String original, String mdnId,
                                           Disposition disposition) {
        String mdn = new String(new Mdn(reporter, ALICE, Optional.of("<" + original + ">"), Optional.empty(), disposition,
                disposition == Disposition.DISPATCHED, DirectSetup.PARTNER, Optional.empty())
                .render("<" + mdnId + ">", ZonedDateTime.now()), StandardCharsets.US_ASCII);
        return SmtpClient.send(mta.smtpPort(), "", List.of(ALICE),
                deployment.partner.protect(mdn, signer, List.of(setup.alice), routingHeaders(reporter, List.of(ALICE), mdnId)));
    }

    /** The partner MTA's bounce for {@code recipient} of {@code original}: plaintext, RFC 3464. */
    private static String bounce(String id, String original, String recipient) {
        return "From: MAILER-DAEMON@mx.partner.example\nTo: " + ALICE + "\nDate: Sat, 28 Nov 2026 12:00:00 +0000\n"
                + "Message-ID: <" + id + ">\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
                + "--b\nContent-Type: text/plain\n\nno such user\n"
                + "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.partner.example\n\n"
                + "Final-Recipient: rfc822; " + recipient + "\nAction: failed\nStatus: 5.1.1\n"
                + "--b\nContent-Type: text/rfc822-headers\n\nFrom: " + ALICE + "\nMessage-ID: <" + original + ">\n"
                + "\n--b--\n";
    }

    SinkMessage awaitTimeoutDsn(String id) {
        Poll.until("the timeout DSN for <" + id + ">", WAIT, () -> !timeoutDsns(id).isEmpty(),
                () -> mta.maillog() + "\n" + deployment.diagnostics());
        return timeoutDsns(id).get(0);
    }

    List<SinkMessage> timeoutDsns(String id) {
        return mta.sinkMessages().stream().filter(m -> m.envelopeSender().equals("<>"))
                .filter(m -> m.text().contains("X-Direct-Tracking: timeout") && m.text().contains("<" + id + ">")).toList();
    }

    private SinkMessage arrived(String messageId) {
        Poll.until("<" + messageId + "> at the sink", WAIT, () -> !withId(messageId).isEmpty(),
                () -> mta.maillog() + "\n" + deployment.diagnostics());
        List<SinkMessage> all = withId(messageId);
        assertThat(all).as("messages with Message-ID <%s>", messageId).hasSize(1);
        return all.get(0);
    }

    private List<SinkMessage> withId(String messageId) {
        return mta.sinkMessages().stream().filter(m -> m.text().contains("Message-ID: <" + messageId + ">")).toList();
    }

    private List<String> trackingLines(String id) {
        return deployment.daemon().log().lines()
                .filter(l -> l.contains(" audit: event=tracking ") && l.contains(" msgid=<" + id + ">")).toList();
    }

    private void assertAudited(String fragment) {
        Poll.until("an audit line with " + fragment, WAIT,
                () -> deployment.daemon().log().lines().anyMatch(l -> l.contains(" audit: ") && l.contains(fragment)),
                deployment::diagnostics);
    }
}
