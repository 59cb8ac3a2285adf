package org.directmilter.milter.policy;

import org.directmilter.milter.policy.PolicyMilter.Sent;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.resolver.OwnerLookup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 through the real milter protocol (in-process server, the project's client): the processed MDN
 * a verified incoming message gets, which messages get none, and what a failed hand-off answers. The
 * notification command is the test kit's script that keeps each MDN in a file; the MDN it kept is then
 * sent through the same milter as the MTA's pickup would, to prove it leaves signed and encrypted.
 */
class NotificationsTest {

    private static final String BOB = "bob@partner.example";
    private static final String DAVE = "dave@hisp-a.example";
    private static final String ALICE = "alice@hisp-a.example";
    private static final String ERIN = "erin@hisp-b.example";

    @TempDir
    Path dir;

    private PolicyMilter milter;
    private DirectSetup setup;
    private Map<String, OwnerLookup> dns;

    private void start(String extraConfig) throws IOException {
        milter = PolicyMilter.start(dir, extraConfig);
        setup = milter.setup;
        dns = milter.dns;
    }

    @AfterEach
    void stop() {
        if (milter != null) {
            milter.close();
        }
    }

    @Test
    void aVerifiedMessageGetsAProcessedMdnFromItsRecipientToItsSender() throws Exception {
        start("");
        Sent sent = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave), message(BOB, DAVE, "")));

        assertThat(sent.accepted()).isTrue();
        String mdn = onlyMdn();
        assertThat(head(mdn)).contains("From: " + DAVE + "\n", "To: " + BOB + "\n", "In-Reply-To: <m1@partner.example>\n",
                        "Content-Type: multipart/report; report-type=disposition-notification;")
                .doesNotContainIgnoringCase("Disposition-Notification-To").doesNotContain("lab results");
        assertThat(reportFields(mdn)).containsExactly("Reporting-UA: hisp-a.example; direct-milter",
                "Final-Recipient: rfc822;" + DAVE, "Original-Message-ID: <m1@partner.example>",
                "Disposition: automatic-action/MDN-sent-automatically; processed");
        assertThat(mdn).doesNotContain("Potassium");
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=notification ") && l.contains(" outcome=sent ")
                && l.contains(" rcpt=" + DAVE) && l.contains(" to=" + BOB) && l.contains(" msgid=<m1@partner.example>"));
    }

    @Test
    void theMdnGoesToDispositionNotificationToAndLeavesSignedByTheRecipientAndEncrypted() throws Exception {
        start("");
        String other = "records@partner.example";
        send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave),
                message(BOB, DAVE, "Disposition-Notification-To: Records <" + other + ">\r\n")));
        String mdn = onlyMdn();
        assertThat(head(mdn)).contains("To: " + other + "\n");

        // What the MTA's pickup does with it: the null sender, From: dave, through the same milter.
        String sentBack = mdn.replace("To: " + other, "To: " + BOB); // bob is the one who publishes a certificate
        Sent out = send(Envelope.of("", List.of(BOB)), sentBack.getBytes(StandardCharsets.US_ASCII));

        assertThat(out.accepted()).isTrue();
        String outer = new String(out.delivered().toBytes(), StandardCharsets.ISO_8859_1);
        assertThat(outer).contains("application/pkcs7-mime").doesNotContain("Final-Recipient");
        try (UnprotectResult.Verified opened = (UnprotectResult.Verified) new Unprotector(UnprotectOptions.defaults())
                .unprotect(new ByteArrayInputStream(out.delivered().toBytes()), List.of(setup.bob))) {
            assertThat(opened.signers()).containsExactly(setup.dave.certificate());
            assertThat(new String(opened.message().toByteArray(), StandardCharsets.US_ASCII))
                    .contains("Disposition: automatic-action/MDN-sent-automatically; processed");
        }
    }

    @Test
    void eachRecipientTheMessageIsDeliveredToGetsItsOwnMdnAndARemovedOneNone() throws Exception {
        start("");
        // hisp-b.example does not trust the partner's CA: erin is removed, dave and alice receive it.
        Sent sent = send(incoming(BOB, DAVE, ALICE, ERIN), protect(setup.bob, List.of(setup.dave, setup.alice, setup.erin),
                message(BOB, DAVE + ", " + ALICE + ", " + ERIN, "")));

        assertThat(sent.accepted()).isTrue();
        assertThat(sent.delivered().recipients()).containsExactlyInAnyOrder(DAVE, ALICE);
        assertThat(setup.submittedNotifications()).hasSize(2)
                .anyMatch(m -> m.contains("Final-Recipient: rfc822;" + DAVE + "\n"))
                .anyMatch(m -> m.contains("Final-Recipient: rfc822;" + ALICE + "\n"))
                .noneMatch(m -> m.contains(ERIN));
    }

    @Test
    void anIncomingMdnOrDsnGetsNoMdn() throws Exception {
        start("");
        for (String type : List.of("multipart/report; report-type=disposition-notification; boundary=b",
                "multipart/report;\r\n report-type=\"delivery-status\"; boundary=b")) {
            String report = "From: " + BOB + "\r\nTo: " + DAVE + "\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
                    + "Message-ID: <r@partner.example>\r\nMIME-Version: 1.0\r\nContent-Type: " + type + "\r\n\r\n"
                    + "--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n--b--\r\n";
            Sent sent = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave), report));
            assertThat(sent.accepted()).as(type).isTrue();
        }

        assertThat(setup.submittedNotifications()).isEmpty();
        assertThat(auditLines()).filteredOn(l -> l.startsWith("event=notification ")).hasSize(2)
                .allMatch(l -> l.contains(" outcome=not-sent ") && l.contains("reason=\"the message is itself a notification\""));
    }

    @Test
    void aRejectedMessageGetsNoMdn() throws Exception {
        start("");
        // mallory's certificate is issued by the partner CA but she signs as bob: not bound to From.
        Sent sent = send(incoming(BOB, DAVE), protect(setup.mallory, List.of(setup.dave), message(BOB, DAVE, "")));

        assertThat(sent.eom()).startsWith("550 5.7.1 Direct: sender not trusted");
        assertThat(setup.submittedNotifications()).isEmpty();
        assertThat(auditLines()).noneMatch(l -> l.startsWith("event=notification "));
    }

    @Test
    void aFailingNotificationCommandTempfailsTheMessage() throws Exception {
        start("");
        setup.submitWith("echo 'postdrop: warning: unable to look up public/pickup' >&2; exit 75");
        Sent sent = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave), message(BOB, DAVE, "")));

        assertThat(sent.eom()).isEqualTo("451 4.3.0 Direct: cannot send the delivery notification, try again later");
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=notification ") && l.contains(" outcome=failed ")
                && l.contains("exited 75: postdrop: warning: unable to look up public/pickup"));
        assertThat(auditLines()).anyMatch(l -> l.startsWith("event=incoming ") && l.contains(" outcome=notification-failed "));
    }

    @Test
    void aMissingNotificationCommandTempfailsTheMessage() throws Exception {
        start("");
        Files.delete(setup.submitCommand);
        Sent sent = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave), message(BOB, DAVE, "")));

        assertThat(sent.eom()).isEqualTo("451 4.3.0 Direct: cannot send the delivery notification, try again later");
        assertThat(auditLines()).anyMatch(l -> l.contains(" outcome=failed ") && l.contains("Cannot run program"));
    }

    @Test
    void withNotificationsOffNothingIsSentAndTheMessageIsAccepted() throws Exception {
        start("Notifications no\n");
        Sent sent = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave), message(BOB, DAVE, "")));

        assertThat(sent.accepted()).isTrue();
        assertThat(setup.submittedNotifications()).isEmpty();
        assertThat(auditLines()).anyMatch(l -> l.contains(" outcome=not-sent ") && l.contains(" reason=disabled"));
    }

    @Test
    void forTimelyAndReliableDeliveryTheMtaIsAskedForSuccessAndFailureReportsToTheNotificationAddress() throws Exception {
        start("IncomingEnvelopeSender direct-notify@hisp-a.example\n");
        String options = "Disposition-Notification-Options: X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true\r\n";
        Sent asked = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave), message(BOB, DAVE, options)));
        // the header that sends a message through the MTA's dispatch hop is ours alone: a sender's own is dropped
        Sent notAsked = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave),
                message(BOB, DAVE, "X-Direct-Final-Delivery: requested\r\n")));

        assertThat(asked.accepted()).isTrue();
        assertThat(asked.outcome().endOfMessage().orElseThrow().modifications())
                .contains(new Response.DeleteRecipient("<" + DAVE + ">"),
                        new Response.AddRecipientWithArgs("<" + DAVE + ">", "NOTIFY=SUCCESS,FAILURE"),
                        new Response.ChangeFrom("<direct-notify@hisp-a.example>", ""))
                .filteredOn(NotificationsTest::finalDeliveryHeader).hasSize(1);
        assertThat(notAsked.accepted()).isTrue();
        assertThat(notAsked.outcome().endOfMessage().orElseThrow().modifications())
                .noneMatch(m -> m instanceof Response.AddRecipientWithArgs || m instanceof Response.DeleteRecipient)
                .noneMatch(NotificationsTest::finalDeliveryHeader);
        assertThat(setup.submittedNotifications()).as("processed for both").hasSize(2);
    }

    @Test
    void withTheNullNotificationSenderNoReportIsAskedFor() throws Exception {
        start("");
        String options = "Disposition-Notification-Options: X-DIRECT-FINAL-DESTINATION-DELIVERY=optional,true\r\n";
        Sent asked = send(incoming(BOB, DAVE), protect(setup.bob, List.of(setup.dave), message(BOB, DAVE, options)));

        assertThat(asked.outcome().endOfMessage().orElseThrow().modifications())
                .noneMatch(m -> m instanceof Response.AddRecipientWithArgs)
                .noneMatch(NotificationsTest::finalDeliveryHeader);
    }

    private static boolean finalDeliveryHeader(Response.Modification m) {
        return m instanceof Response.AddHeader h && h.name().equalsIgnoreCase("X-Direct-Final-Delivery")
                || m instanceof Response.InsertHeader h2 && h2.name().equalsIgnoreCase("X-Direct-Final-Delivery")
                || m instanceof Response.ChangeHeader h3 && h3.name().equalsIgnoreCase("X-Direct-Final-Delivery");
    }

    @Test
    void aStrangerCannotWriteToTheNotificationAddress() throws Exception {
        start("IncomingEnvelopeSender direct-notify@hisp-a.example\n");
        Sent forged = send(incoming("", "direct-notify@hisp-a.example"), "From: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(forged.outcome().steps()).anyMatch(s -> s.command().startsWith("RCPT")
                && s.reply() instanceof Response.ReplyCode r
                && r.text().equals("550 5.7.1 Direct: <direct-notify@hisp-a.example> takes reports from this host only"));
    }

    private Sent send(Envelope envelope, byte[] message) throws IOException {
        return milter.send(envelope, message);
    }

    private static Envelope incoming(String from, String... to) {
        return new Envelope("mx.partner.example", "192.0.2.7", "mx.partner.example", from, List.of(to), Map.of());
    }

    private static String message(String from, String to, String extraHeaders) {
        return "From: " + from + "\r\nTo: " + to + "\r\n" + extraHeaders + "Subject: lab results\r\n"
                + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m1@partner.example>\r\n\r\nPotassium 4.1 mmol/L\r\n";
    }

    private static byte[] protect(PrivateKeyEntry signer, List<PrivateKeyEntry> recipients, String message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Protector(ProtectOptions.DEFAULTS).protectMessage(
                new ByteArrayInputStream(message.getBytes(StandardCharsets.US_ASCII)), signer,
                recipients.stream().map(PrivateKeyEntry::certificate).toList(), out);
        return out.toByteArray();
    }

    private String onlyMdn() {
        List<String> all = setup.submittedNotifications();
        assertThat(all).as("MDNs handed to the notification command").hasSize(1);
        return all.get(0);
    }

    private static String head(String message) {
        return message.substring(0, message.indexOf("\n\n") + 1);
    }

    /** The fields of the message/disposition-notification part, in order. */
    private static List<String> reportFields(String mdn) {
        String marker = "Content-Type: message/disposition-notification\n\n";
        String part = mdn.substring(mdn.indexOf(marker) + marker.length());
        return part.substring(0, part.indexOf("\n\n")).lines().toList();
    }

    private List<String> auditLines() {
        return milter.auditLines();
    }
}
