package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.milter.cli.DirectMilterCommand;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Exec;
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
import picocli.CommandLine;

/**
 * Final delivery (issue 13, T1-T3) through a real Postfix whose virtual(8) delivers dave's mail into a
 * Maildir and has no mailbox for alice. Verified mail is handed on with the envelope sender
 * direct-notify@hisp-a.example, whose mail a pipe transport hands to the notification command; Postfix
 * writes the delivery reports itself. A message whose sender asked for timely and reliable delivery
 * passes, as docs/mta-configuration.md says, through the dispatch hop: {@code milter_header_checks}
 * sends it to a loopback smtpd without milters, so that Postfix receives it again with the NOTIFY the
 * milter asked for and reports the delivery. The pipe runs as nobody,
 * who cannot read this build's class path, so it keeps each report in a directory and the test runs
 * {@code direct-milter notify} on it, as the pipe would. The MDNs leave through Postfix's sendmail and
 * direct-milter, signed and encrypted, to the sink, where openssl plays bob's HISP.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FinalDeliveryPostfixIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NOTIFY = "direct-notify@hisp-a.example";
    private static final String OPTIONS = "Disposition-Notification-Options: X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true\n";

    private DirectDeployment deployment;
    private DirectSetup setup;
    private PostfixInstance postfix;
    private int dispatch;
    private Path mail;
    private Path reports;
    private Path config;
    private final Map<SinkMessage, String> opened = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws IOException {
        deployment = DirectDeployment.start();
        setup = deployment.setup;
        String extra = "IncomingEnvelopeSender " + NOTIFY + "\n";
        deployment.restartDaemon(extra);
        config = Files.writeString(Scratch.newDirectory("notify-").resolve("direct-milter.conf"),
                deployment.config() + extra);
        Path work = Scratch.newDirectory("final-delivery-");
        mail = open(work.resolve("mail"));
        reports = open(work.resolve("reports"));
        Path store = Files.writeString(work.resolve("store-report"), "#!/bin/sh\nf=$(mktemp " + reports + "/.new-XXXXXX)\n"
                + "cat > \"$f\" && mv \"$f\" \"" + reports + "/report-$(basename \"$f\")\"\n");
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwxr-xr-x"));
        dispatch = Ports.free();
        Path headerChecks = Files.writeString(work.resolve("direct-final-delivery"),
                "/^X-Direct-Final-Delivery:/ FILTER smtp:[127.0.0.1]:" + dispatch + "\n");
        postfix = PostfixInstance.start(PostfixInstance.Options.milter(deployment.postfixSocket())
                .set("transport_maps", "inline:{ {" + NOTIFY + " = direct-notify:} }")
                .set("milter_header_checks", "regexp:" + headerChecks)
                // the dispatch hop, with the -o lines of docs/mta-configuration.md
                .listener(dispatch, Map.of("smtpd_milters", "", "content_filter", "", "receive_override_options",
                        "no_unknown_recipient_checks,no_header_body_checks,no_milters,no_address_mappings",
                        "smtpd_client_restrictions", "", "smtpd_recipient_restrictions", "",
                        "smtpd_relay_restrictions", "reject_unauth_destination"))
                .set("virtual_mailbox_base", mail.toString())
                .set("virtual_mailbox_maps", "inline:{ {" + DAVE + " = dave/} }")
                .set("virtual_mailbox_domains", DirectSetup.LOCAL)
                .set("virtual_uid_maps", "static:65534")
                .set("virtual_gid_maps", "static:65534")
                .set("smtpd_reject_unlisted_recipient", "no"));
        String etc = postfix.dir().resolve("etc").toString();
        Exec.check("/usr/sbin/postconf", "-c", etc, "-M",
                "direct-notify/unix = direct-notify unix - n n - - pipe flags=q user=nobody argv=/bin/sh " + store);
        Exec.check("/usr/sbin/postfix", "-c", etc, "reload");
        setup.submitWith("exec /usr/sbin/sendmail -C " + etc + " -i -t -f '<>'");
    }

    @AfterAll
    void stop() {
        Resources.closeAll(postfix, deployment);
    }

    @Test
    void aTimelyAndReliableMessageDeliveredToTheMailboxGetsProcessedThenDispatched() {
        String id = "final-dispatched@partner.example";
        String inner = "Disposition-Notification-To: " + BOB + "\n" + OPTIONS
                + message(BOB, List.of(DAVE), id, "referral", "Summary of care.\n");
        try (SmtpClient smtp = SmtpClient.connect(postfix.smtpPort())) {
            smtp.greeting();
            smtp.ehlo("mx.partner.example");
            assertThat(smtp.mailFrom(BOB).code()).isEqualTo(250);
            // the partner's MTA names the recipient as its sender wrote it: the dispatched MDN keeps that
            assertThat(smtp.command("RCPT TO:<" + DAVE + "> ORCPT=rfc822;Dave.Care@hisp-a.example").code()).isEqualTo(250);
            assertThat(smtp.data(deployment.partner.protect(inner, setup.bob, List.of(setup.dave),
                    routingHeaders(BOB, List.of(DAVE), id))).code()).isEqualTo(250);
            smtp.quit();
        }

        awaitMdn(id, "processed");
        Path report = awaitReport(id);
        assertThat(read(report)).contains("Action: delivered", "Final-Recipient: rfc822; " + DAVE);
        assertThat(maildir("dave")).as("dave's mailbox").anyMatch(m -> m.contains("Message-ID: <" + id + ">")
                && m.contains("Summary of care."));

        Notified notified = notify(report);
        assertThat(notified.status()).as(notified.output()).isZero();
        assertThat(notified.output()).contains("outcome=sent action=delivered rcpt=" + DAVE, "disposition=dispatched");
        assertThat(awaitMdn(id, "dispatched")).contains("From: " + DAVE + "\n", "To: " + BOB + "\n",
                "Original-Recipient: rfc822;Dave.Care@hisp-a.example\nFinal-Recipient: rfc822;" + DAVE + "\n",
                "Original-Message-ID: <" + id + ">\n",
                "X-DIRECT-FINAL-DESTINATION-DELIVERY:\nDisposition: automatic-action/MDN-sent-automatically; dispatched\n");
    }

    @Test
    void aTimelyAndReliableMessageToAnUnknownLocalUserGetsFailedNeverDispatched() {
        String id = "final-failed@partner.example";
        List<SmtpClient.Reply> replies = send(setup.alice, id, OPTIONS);
        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);

        awaitMdn(id, "processed");
        Path report = awaitReport(id);
        assertThat(read(report)).contains("Action: failed").doesNotContain("Action: delivered");

        Notified notified = notify(report);
        assertThat(notified.status()).as(notified.output()).isZero();
        assertThat(awaitMdn(id, "failed")).contains("Final-Recipient: rfc822;" + ALICE + "\n", "Failure: 5.1.1\n");
        assertThat(mdns(id)).noneMatch(m -> opened.get(m).contains("; dispatched"));
    }

    @Test
    void withoutTimelyAndReliableDeliveryAMessageDeliveredToTheMailboxGetsNoSuccessReport() {
        String id = "final-plain@partner.example";
        List<SmtpClient.Reply> replies = send(setup.dave, id, "");
        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        String queueId = postfix.queueId(replies.get(replies.size() - 1));

        awaitMdn(id, "processed");
        // Postfix writes a success report, if any, before it removes the queue file.
        Poll.until(queueId + " delivered and removed", WAIT,
                () -> postfix.maillog().contains(queueId + ": removed"), postfix::maillog);
        assertThat(postfix.maillog()).contains(queueId + ": to=<" + DAVE + ">")
                .doesNotContain(queueId + ": sender delivery status notification");
        assertThat(maildir("dave")).anyMatch(m -> m.contains("Message-ID: <" + id + ">"));
        assertThat(reportsAbout(id)).isEmpty();
        assertThat(mdns(id)).noneMatch(m -> opened.get(m).contains("; dispatched"));
    }

    @Test
    void theDispatchHopRelaysNothingOutsideTheLocalDomains() {
        // It takes mail without direct-milter: were it to relay, a local process could send plaintext out.
        List<SmtpClient.Reply> replies = SmtpClient.send(dispatch, DAVE, List.of(BOB), "Subject: x\n\nx\n");

        assertThat(replies).anyMatch(r -> r.last().startsWith("554 5.7.1") && r.last().contains("Relay access denied"));
        assertThat(replies).noneMatch(r -> r.last().contains("queued as"));
    }

    private List<SmtpClient.Reply> send(PrivateKeyEntry recipient, String id, String options) {
        String to = DirectSetup.address(recipient);
        String inner = "Disposition-Notification-To: " + BOB + "\n" + options
                + message(BOB, List.of(to), id, "referral", "Summary of care.\n");
        return SmtpClient.send(postfix.smtpPort(), BOB, List.of(to),
                deployment.partner.protect(inner, setup.bob, List.of(recipient), routingHeaders(BOB, List.of(to), id)));
    }

    private record Notified(int status, String output) {
    }

    /** {@code direct-milter notify -c CONFIG REPORT}, as the pipe transport runs it. */
    private Notified notify(Path report) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new DirectMilterCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute("notify", "-c", config.toString(), report.toString());
        return new Notified(status, out + err.toString());
    }

    private Path awaitReport(String id) {
        Poll.until("a delivery report about <" + id + ">", WAIT, () -> !reportsAbout(id).isEmpty(), postfix::maillog);
        List<Path> found = reportsAbout(id);
        assertThat(found).as("reports about <%s>", id).hasSize(1);
        return found.get(0);
    }

    private List<Path> reportsAbout(String id) {
        try (Stream<Path> files = Files.list(reports)) {
            return files.filter(f -> f.getFileName().toString().startsWith("report-"))
                    .filter(f -> read(f).contains("<" + id + ">")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the MDN about {@code id} with {@code disposition}; returns its signed content. */
    private String awaitMdn(String id, String disposition) {
        String wanted = "Disposition: automatic-action/MDN-sent-automatically; " + disposition + "\n";
        Poll.until("the " + disposition + " MDN for <" + id + ">", WAIT,
                () -> mdns(id).stream().anyMatch(m -> opened.get(m).contains(wanted)),
                () -> postfix.maillog() + "\n" + deployment.diagnostics());
        List<SinkMessage> found = mdns(id).stream().filter(m -> opened.get(m).contains(wanted)).toList();
        assertThat(found).as("%s MDNs for <%s>", disposition, id).hasSize(1);
        assertThat(found.get(0).envelopeSender()).isEqualTo("<>");
        return opened.get(found.get(0));
    }

    /** The MDNs at the sink about {@code id}, opened by bob with our CA as the anchor. */
    private List<SinkMessage> mdns(String id) {
        return postfix.sinkMessages().stream()
                .filter(m -> m.envelopeRecipients().equals(List.of("<" + BOB + ">")))
                .filter(m -> opened.computeIfAbsent(m, k -> deployment.partner.open(k.relayed(), setup.bob, setup.localCa))
                        .contains("Original-Message-ID: <" + id + ">\n"))
                .toList();
    }

    /** The messages in {@code user}'s Maildir. */
    private List<String> maildir(String user) {
        Path newMail = mail.resolve(user).resolve("new");
        if (!Files.isDirectory(newMail)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(newMail)) {
            return files.map(FinalDeliveryPostfixIT::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
