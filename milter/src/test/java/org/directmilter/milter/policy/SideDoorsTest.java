package org.directmilter.milter.policy;

import org.directmilter.milter.policy.PolicyMilter.Sent;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.milter.client.ChangedMessage;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.resolver.OwnerLookup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 through the real milter protocol (in-process server, the project's client): what the MTA is
 * told so that no notice returns decrypted mail, messages outgoing by their header alone, Bcc, and header
 * fields restored and copied byte for byte.
 */
class SideDoorsTest {

    private static final String ALICE = "alice@hisp-a.example";
    private static final String BOB = "bob@partner.example";
    private static final String DAVE = "dave@hisp-a.example";

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

    private Sent send(Envelope envelope, byte[] message) throws IOException {
        return milter.send(envelope, message);
    }

    private static Envelope internal(String from, String... to) {
        return Envelope.of(from, List.of(to)); // from 127.0.0.1: an internal host
    }

    private static Envelope incoming(String from, String... to) {
        return new Envelope("mx.partner.example", "192.0.2.7", "mx.partner.example", from, List.of(to), Map.of());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String message(String from, String to, String extraHeaders) {
        return "From: " + from + "\r\nTo: " + to + "\r\n" + extraHeaders + "Subject: lab results\r\n"
                + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m1@hisp-a.example>\r\n\r\nPotassium 4.1 mmol/L\r\n";
    }

    private byte[] protectAs(PrivateKeyEntry signer, PrivateKeyEntry recipient, byte[] message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(message), signer,
                List.of(recipient.certificate()), out);
        return out.toByteArray();
    }

    private String openAsBob(byte[] outer) throws IOException {
        try (UnprotectResult.Verified verified = (UnprotectResult.Verified) new Unprotector(UnprotectOptions.defaults())
                .unprotect(new ByteArrayInputStream(outer), List.of(setup.bob))) {
            assertThat(verified.signers()).containsExactly(setup.alice.certificate());
            return text(verified.message().toByteArray());
        }
    }

    private static List<String> raw(ChangedMessage m) {
        return m.headers().stream().map(h -> h.name() + ":" + text(h.value())).toList();
    }

    @Test
    void verifiedIncomingMailIsHandedOnWithTheNullSenderSoNoNoticeReturnsIt() throws Exception {
        start("");
        Sent sent = send(incoming(BOB, DAVE), protectAs(setup.bob, setup.dave, bytes(message(BOB, DAVE, ""))));

        assertThat(sent.accepted()).isTrue();
        assertThat(sent.delivered().sender()).isEmpty();
        assertThat(sent.delivered().recipients()).containsExactly(DAVE);
    }

    @Test
    void anOperatorCanNameTheAddressThatReceivesTheNotices() throws Exception {
        start("IncomingEnvelopeSender direct-notices@hisp-a.example\n");
        Sent sent = send(incoming(BOB, DAVE), protectAs(setup.bob, setup.dave, bytes(message(BOB, DAVE, ""))));

        assertThat(sent.delivered().sender()).isEqualTo("direct-notices@hisp-a.example");
    }

    @Test
    void headerFieldsAreRestoredExactlyAsTheyWereSigned() throws Exception {
        start("");
        String inner = "From:" + BOB + "\r\nTo:  " + DAVE + "\r\nX-Empty:\r\nX-Folded: one\r\n\ttwo\r\n"
                + "Subject:\tx\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n";
        Sent sent = send(incoming(BOB, DAVE), protectAs(setup.bob, setup.dave, bytes(inner)));

        assertThat(sent.accepted()).isTrue();
        // folds travel to the MTA as LF plus white space, as libmilter documents
        assertThat(raw(sent.delivered())).startsWith("From:" + BOB, "To:  " + DAVE, "X-Empty:",
                "X-Folded: one\n\ttwo", "Subject:\tx", "Date: Sat, 28 Nov 2026 10:00:00 +0000");
    }

    @Test
    void traceFieldsTheSenderKeptOutsideAreNotRestoredASecondTime() throws Exception {
        start("");
        String received = "Received: from client.hisp-a.example by mx.partner.example; Sat, 28 Nov 2026 10:00:00 +0000\r\n";
        byte[] wire = protectAs(setup.bob, setup.dave, bytes(received + message(BOB, DAVE, "")));
        String relayed = "Received: from mx.partner.example by mx.hisp-a.example; Sat, 28 Nov 2026 10:00:01 +0000\r\n"
                + received + text(wire);
        Sent sent = send(incoming(BOB, DAVE), bytes(relayed));

        assertThat(sent.accepted()).isTrue();
        assertThat(raw(sent.delivered()).stream().filter(h -> h.startsWith("Received:")).toList())
                .as("each hop once: ours, then the sender's").hasSize(2);
    }

    @Test
    void theOuterCopiesOfFromAndToKeepTheirBytes() throws Exception {
        start("");
        String original = "From:" + ALICE + "\r\nTo:\t" + BOB + "\r\nSubject: x\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
                + "Message-ID: <m2@hisp-a.example>\r\n\r\nbody\r\n";
        Sent sent = send(internal(ALICE, BOB), bytes(original));

        assertThat(sent.accepted()).isTrue();
        assertThat(raw(sent.delivered())).contains("From:" + ALICE, "To:\t" + BOB);
        assertThat(openAsBob(sent.delivered().toBytes())).isEqualTo(original);
    }

    @Test
    void innerBccIsRemovedBeforeSigning() throws Exception {
        start("");
        String original = message(ALICE, BOB, "Bcc: someone@partner.example\r\n");
        Sent sent = send(internal(ALICE, BOB), bytes(original));

        assertThat(sent.accepted()).isTrue();
        assertThat(openAsBob(sent.delivered().toBytes())).isEqualTo(message(ALICE, BOB, ""))
                .doesNotContain("someone@partner.example");
    }

    @Test
    void aBlindCopyIsRefusedByTheSenderAsTheReceiverWouldRefuseIt() throws Exception {
        start("");
        Sent sent = send(internal(ALICE, BOB), bytes(message(ALICE, "carol@partner.example", "Bcc: " + BOB + "\r\n")));

        assertThat(sent.eom()).isEqualTo("550 5.7.1 Direct: envelope recipient <" + BOB + "> is not in the message's To or Cc");
    }

    @Test
    void withoutRoutingChecksABlindCopyLeavesAndIsAcceptedWithoutThem() throws Exception {
        start("RoutingChecks no\n");
        Sent sent = send(internal(ALICE, BOB), bytes(message(ALICE, "carol@partner.example", "Bcc: " + BOB + "\r\n")));

        assertThat(sent.accepted()).isTrue();
        assertThat(openAsBob(sent.delivered().toBytes())).doesNotContain("Bcc");
    }

    @Test
    void aLocalProgramSendingAsOneOfOurAddressesUnderItsOwnEnvelopeIsRefused() throws Exception {
        start("");
        Sent sent = send(internal("root@mta.hisp-a.invalid", BOB), bytes(message(ALICE, BOB, "")));

        assertThat(sent.eom()).isEqualTo(
                "550 5.7.1 Direct: envelope sender <root@mta.hisp-a.invalid> is not the message's From or Sender");
    }

    @Test
    void withoutRoutingChecksItIsProtectedAsTheFromAddress() throws Exception {
        start("RoutingChecks no\n");
        String original = message(ALICE, BOB, "");
        Sent sent = send(internal("root@mta.hisp-a.invalid", BOB), bytes(original));

        assertThat(sent.accepted()).isTrue();
        assertThat(openAsBob(sent.delivered().toBytes())).isEqualTo(original);
    }

    @Test
    void aNullSenderMessageFromOneOfOurAddressesIsProtected() throws Exception {
        start("");
        String original = message(ALICE, BOB, "");
        Sent sent = send(internal("", BOB), bytes(original));

        assertThat(sent.accepted()).isTrue();
        assertThat(text(sent.delivered().toBytes())).doesNotContain("Potassium");
        assertThat(openAsBob(sent.delivered().toBytes())).isEqualTo(original);
    }

    @Test
    void withOnlyDirectMailAllowedANullSenderNoticeOfOursStillLeavesProtected() throws Exception {
        start("On-NonDirect reject\n");
        String original = message(ALICE, BOB, "");
        Sent sent = send(internal("", BOB), bytes(original));

        assertThat(sent.accepted()).isTrue();
        assertThat(openAsBob(sent.delivered().toBytes())).isEqualTo(original);
        assertThat(send(internal("", "y@other.example"), bytes(message("x@elsewhere.example", "y@other.example", "")))
                .eom()).as("a trusted client's non-Direct mail, refused at end of data")
                .isEqualTo("550 5.7.1 Direct: this server accepts only Direct mail for its own domains");
    }

    @Test
    void aMessageOutgoingByItsHeaderFromAStrangerIsRefused() throws Exception {
        start("");
        Sent sent = send(incoming("x@elsewhere.example", BOB), bytes(message(ALICE, BOB, "")));

        assertThat(sent.eom()).isEqualTo(
                "550 5.7.1 Direct: mail from <" + ALICE + "> must be sent through an authenticated or internal client");
    }

    @Test
    void aMessageOutgoingByItsHeaderToARecipientWithoutCertificateIsRefusedAsAWhole() throws Exception {
        start("");
        Sent sent = send(internal("", BOB, "carol@partner.example"), bytes(message(ALICE, BOB + ", carol@partner.example", "")));

        assertThat(sent.eom()).isEqualTo("550 5.7.1 Direct: no certificate found for <carol@partner.example>");
    }
}
