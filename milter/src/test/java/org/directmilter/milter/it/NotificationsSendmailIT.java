package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.BOB;
import static org.directmilter.milter.testkit.DirectDeployment.DAVE;
import static org.directmilter.milter.testkit.DirectDeployment.message;
import static org.directmilter.milter.testkit.DirectDeployment.routingHeaders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.directmilter.milter.testkit.DirectDeployment;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.Exec;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SendmailInstance;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@code processed} MDN (issue 13) through a real Sendmail 8.17, as the guide configures it: the
 * daemon pipes each MDN to Sendmail's mail submission program ({@code sendmail -odb -i -t -f <>}, here
 * with a submit.cf built by the msp feature for this instance's port), which returns at once and relays
 * it over SMTP from 127.0.0.1 to the MTA, whose INPUT_MAIL_FILTER (direct-milter) signs it as the
 * recipient and encrypts it to the sender; the MTA relays it to the sink, where openssl opens it.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotificationsSendmailIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private DirectDeployment deployment;
    private DirectSetup setup;
    private SendmailInstance sendmail;
    private final Map<SinkMessage, String> opened = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws IOException {
        deployment = DirectDeployment.start();
        setup = deployment.setup;
        sendmail = SendmailInstance.start(deployment.libmilterSocket());
        Path root = Path.of(System.getProperty("dm.sendmail.root", "/var/cache/direct-milter-ci/sendmail-root"));
        Path work = Scratch.newDirectory("sendmail-msp-");
        // The submission program runs as a user of its own (smmsp where Sendmail is installed; nobody here).
        Path queue = Scratch.mkdir(work.resolve("clientmqueue"), PosixFilePermissions.fromString("rwx------"));
        Scratch.chown(queue, "nobody");
        Path switchFile = Files.writeString(work.resolve("service.switch"), "hosts files\n"); // no DNS
        Path mc = Files.write(work.resolve("submit.mc"), List.of(
                "divert(0)dnl",
                "OSTYPE(`linux')dnl",
                "define(`confCF_VERSION', `Submit')dnl",
                "define(`confDOMAIN_NAME', `sm.milter-test.invalid')dnl",
                "define(`confDONT_BLAME_SENDMAIL', `GroupWritableDirPathSafe,TrustStickyBit')dnl",
                "define(`confTIME_ZONE', `USE_TZ')dnl",
                "define(`MSP_QUEUE_DIR', `" + queue + "')dnl",
                "define(`confRUN_AS_USER', `nobody')dnl",
                "define(`confSERVICE_SWITCH_FILE', `" + switchFile + "')dnl",
                "define(`confBIND_OPTS', `-DNSRCH -DEFNAMES')dnl",
                "define(`RELAY_MAILER_ARGS', `TCP $h " + sendmail.smtpPort() + "')dnl",
                "FEATURE(`nocanonify')dnl",
                "FEATURE(`msp', `[127.0.0.1]')dnl"));
        Path cfDir = root.resolve("usr/share/sendmail/cf");
        Path cf = work.resolve("submit.cf");
        Exec.run(Duration.ofSeconds(30), List.of("m4", "-D_CF_DIR_=" + cfDir + "/", cfDir.resolve("m4/cf.m4").toString(),
                mc.toString()), cf).orThrow();
        setup.submitWith("exec " + root.resolve("usr/libexec/sendmail/sendmail") + " -C " + cf + " -odb -i -t -f '<>'");
    }

    @AfterAll
    void stop() {
        Resources.closeAll(sendmail, deployment);
    }

    @Test
    void aVerifiedMessageIsDeliveredAndAProcessedMdnReachesItsSenderSignedAndEncrypted() {
        String id = "sendmail-processed@partner.example";
        String inner = message(BOB, List.of(DAVE), id, "referral", "Summary of care.\n");
        List<SmtpClient.Reply> replies = SmtpClient.send(sendmail.smtpPort(), BOB, List.of(DAVE),
                deployment.partner.protect(inner, setup.bob, List.of(setup.dave), routingHeaders(BOB, List.of(DAVE), id)));

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        Poll.until("the MDN for <" + id + ">", WAIT, () -> !mdnsFor(id).isEmpty(),
                () -> sendmail.maillog() + "\n" + deployment.diagnostics());
        SinkMessage mdn = mdnsFor(id).get(0);
        assertThat(mdnsFor(id)).hasSize(1);
        assertThat(mdn.envelopeSender()).isEqualTo("<>");
        assertThat(mdn.relayed()).doesNotContain("Original-Message-ID", "Final-Recipient", "processed");
        assertThat(opened.get(mdn)).startsWith("Content-Type: message/rfc822\n\n")
                .contains("From: " + DAVE + "\n", "To: " + BOB + "\n",
                        "Final-Recipient: rfc822;" + DAVE + "\n", "Original-Message-ID: <" + id + ">\n",
                        "Disposition: automatic-action/MDN-sent-automatically; processed\n")
                .doesNotContain("Summary of care.");
        assertThat(deployment.daemon().log().lines().filter(l -> l.contains(" audit: event=outgoing ")
                && l.contains(" from=<> outcome=protected "))).isNotEmpty();
    }

    /** The MDNs at the sink about {@code id}: to bob with the null sender, opened as bob with our CA as anchor. */
    private List<SinkMessage> mdnsFor(String id) {
        return sendmail.sinkMessages().stream()
                .filter(m -> m.envelopeSender().equals("<>") && m.envelopeRecipients().equals(List.of("<" + BOB + ">")))
                .filter(m -> opened.computeIfAbsent(m, k -> deployment.partner.open(k.relayed(), setup.bob, setup.localCa))
                        .contains("Original-Message-ID: <" + id + ">\n"))
                .toList();
    }
}
