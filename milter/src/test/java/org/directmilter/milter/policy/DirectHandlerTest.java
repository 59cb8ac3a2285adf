package org.directmilter.milter.policy;

import org.directmilter.milter.policy.PolicyMilter.Sent;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.milter.client.ChangedMessage;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.resolver.OwnerLookup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy through the real milter protocol (in-process server, the project's client), with the S/MIME
 * engine and the validator for real and DNS answered from a map.
 */
class DirectHandlerTest {

    private static final String ALICE = "alice@hisp-a.example";
    private static final String BOB = "bob@partner.example";
    private static final String DAVE = "dave@hisp-a.example";
    private static final String ERIN = "erin@hisp-b.example";

    @TempDir
    Path dir;

    private PolicyMilter milter;
    private DirectSetup setup;
    private Map<String, OwnerLookup> dns;

    @BeforeEach
    void start() throws IOException {
        milter = PolicyMilter.start(dir, "");
        setup = milter.setup;
        dns = milter.dns;
    }

    @AfterEach
    void stop() {
        milter.close();
    }

    private void publish(PrivateKeyEntry entity) {
        milter.publish(entity);
    }

    private Sent send(Envelope envelope, byte[] message) throws IOException {
        return milter.send(envelope, message);
    }

    private static Envelope outgoing(String from, String... to) {
        return Envelope.of(from, List.of(to)); // from 127.0.0.1: an internal host
    }

    private static Envelope incoming(String from, String... to) {
        return new Envelope("mx.partner.example", "192.0.2.7", "mx.partner.example", from, List.of(to), Map.of());
    }

    private static byte[] message(String from, String to) {
        return ("From: " + from + "\r\nTo: " + to + "\r\nSubject: lab results\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n"
                + "Message-ID: <m1@hisp-a.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
                + "Potassium 4.1 mmol/L\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private UnprotectResult open(byte[] message, PrivateKeyEntry key) throws IOException {
        return new Unprotector(UnprotectOptions.defaults()).unprotect(new ByteArrayInputStream(message), List.of(key));
    }

    private byte[] protectAs(PrivateKeyEntry signer, PrivateKeyEntry recipient, byte[] message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(message), signer,
                List.of(recipient.certificate()), out);
        return out.toByteArray();
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static Optional<String> header(ChangedMessage m, String name) {
        return m.headers().stream().filter(h -> h.name().equalsIgnoreCase(name))
                .map(h -> new String(h.value(), StandardCharsets.ISO_8859_1).strip()).findFirst();
    }

    @Test
    void outgoingMailLeavesSignedAndEncryptedToTheRecipientWithoutSubject() throws Exception {
        byte[] original = message(ALICE, BOB);
        Sent sent = send(outgoing(ALICE, BOB), original);

        assertThat(sent.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
        ChangedMessage out = sent.delivered();
        assertThat(header(out, "Content-Type")).get().asString().startsWith("application/pkcs7-mime");
        assertThat(header(out, "Subject")).isEmpty();
        assertThat(header(out, "Message-ID")).contains("<m1@hisp-a.example>");
        try (UnprotectResult.Verified verified = (UnprotectResult.Verified) open(out.toBytes(), setup.bob)) {
            assertThat(verified.signers()).containsExactly(setup.alice.certificate());
            assertThat(text(verified.message().toByteArray())).isEqualTo(text(original));
        }
    }

    @Test
    void aRecipientWithoutCertificateIsRefusedAtRcptAndTheOthersStillGetIt() throws Exception {
        Sent sent = send(outgoing(ALICE, "nobody@partner.example", BOB), message(ALICE, BOB));

        assertThat(sent.reply("RCPT TO:<nobody@")).isEqualTo("550 5.7.1 Direct: no certificate found for <nobody@partner.example>");
        assertThat(sent.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
        assertThat(open(sent.delivered().toBytes(), setup.bob)).isInstanceOf(UnprotectResult.Verified.class);
    }

    @Test
    void anUntrustedRecipientCertificateIsRefusedWithTheReason() throws Exception {
        publish(setup.mallory);
        Sent sent = send(outgoing(ALICE, "mallory@partner.example"), message(ALICE, "mallory@partner.example"));

        assertThat(sent.reply("RCPT")).startsWith("550 5.7.1 Direct: no valid trusted certificate for <mallory@partner.example>: ")
                .contains("no path to any outgoing anchor of hisp-a.example");
        assertThat(sent.outcome().endOfMessage()).isEmpty();
    }

    @Test
    void aRecipientWhoseRevocationStatusCannotBeLearntIsTempfailedAndTheReplyNamesNoUrl() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        String crl = "http://127.0.0.1:" + deadPort + "/partner.crl";
        publish(setup.partnerCa.entity("rita@partner.example", TestPki.rsa(2048), b -> b.crl(crl)));

        Sent sent = send(outgoing(ALICE, "rita@partner.example"), message(ALICE, "rita@partner.example"));

        assertThat(sent.reply("RCPT")).isEqualTo("451 4.7.1 Direct: no valid trusted certificate for "
                + "<rita@partner.example>: revocation status unknown: CRL not fetched, server unreachable");
        assertThat(sent.outcome().endOfMessage()).isEmpty();
    }

    @Test
    void aDnsFailureIsATempfailNeverAnUnencryptedMessage() throws Exception {
        dns.put("carol.partner.example.", new OwnerLookup.Unavailable("carol.partner.example.", "SERVFAIL", List.of()));
        Sent sent = send(outgoing(ALICE, "carol@partner.example"), message(ALICE, "carol@partner.example"));

        assertThat(sent.reply("RCPT")).startsWith("451 4.4.3 Direct: certificate lookup for <carol@partner.example> failed");
        assertThat(sent.outcome().endOfMessage()).isEmpty();
    }

    @Test
    void aLocalSenderWithoutKeyIsRefusedAtMail() throws Exception {
        Sent sent = send(outgoing("zed@hisp-a.example", BOB), message("zed@hisp-a.example", BOB));

        assertThat(sent.reply("MAIL")).isEqualTo("550 5.7.1 Direct: no private key for sender <zed@hisp-a.example>");
    }

    @Test
    void theEnvelopeSenderMustBeTheFromAddress() throws Exception {
        Sent sent = send(outgoing(ALICE, BOB), message("dave@hisp-a.example", BOB));

        assertThat(sent.eom()).isEqualTo("550 5.7.1 Direct: envelope sender <alice@hisp-a.example> is not the message's From or Sender");
    }

    @Test
    void alreadyEnvelopedMailIsNotProtectedTwice() throws Exception {
        byte[] enveloped = protectAs(setup.alice, setup.bob, message(ALICE, BOB));
        Sent sent = send(outgoing(ALICE, BOB), enveloped);

        assertThat(sent.outcome().endOfMessage().orElseThrow().modifications()).isEmpty();
        assertThat(open(sent.delivered().toBytes(), setup.bob)).isInstanceOf(UnprotectResult.Verified.class);
    }

    @Test
    void incomingMailArrivesAsTheVerifiedInnerMessageWithOneTraceHeader() throws Exception {
        byte[] inner = message(BOB, DAVE);
        byte[] wire = protectAs(setup.bob, setup.dave, inner);
        byte[] forged = ("X-Direct-Verified: signer=forged\r\n" + text(wire)).getBytes(StandardCharsets.ISO_8859_1);
        Sent sent = send(incoming(BOB, DAVE), forged);

        assertThat(sent.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
        ChangedMessage delivered = sent.delivered();
        assertThat(header(delivered, "Subject")).contains("lab results");
        assertThat(delivered.headers().stream().filter(h -> h.name().equals("X-Direct-Verified")).toList()).hasSize(1);
        assertThat(header(delivered, "X-Direct-Verified")).get().asString()
                .startsWith("signer=bob@partner.example; sha256=").contains("cipher=AES-256-CBC");
        assertThat(text(delivered.body())).isEqualTo("Potassium 4.1 mmol/L\r\n");
    }

    @Test
    void aRecipientWhoseDomainDoesNotTrustTheSignerIsRemoved() throws Exception {
        byte[] inner = ("From: " + BOB + "\r\nTo: " + DAVE + ", " + ERIN + "\r\nSubject: x\r\n\r\nhello\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new Protector(ProtectOptions.DEFAULTS).protectMessage(new ByteArrayInputStream(inner), setup.bob,
                List.of(setup.dave.certificate(), setup.erin.certificate()), wire);
        Sent sent = send(incoming(BOB, DAVE, ERIN), wire.toByteArray());

        assertThat(sent.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
        assertThat(sent.delivered().recipients()).containsExactly(DAVE);
    }

    @Test
    void anUntrustedSignersAiaUrlReceivesNoRequest() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        http.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        http.start();
        try {
            TestPki.Issued ca = TestPki.intermediate("Eve CA", TestPki.root("Eve Root"));
            KeyPair keys = TestPki.rsa("eve");
            TestPki.Issued eve = TestPki.cert("eve", keys).issuer(ca).email("eve@partner.example")
                    .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)
                    .eku(KeyPurposeId.id_kp_emailProtection)
                    .aia("http://127.0.0.1:" + http.getAddress().getPort() + "/eve-ca.cer").build();
            PrivateKeyEntry signer = new PrivateKeyEntry(keys.getPrivate(), List.of(eve.cert()));
            byte[] wire = protectAs(signer, setup.dave, message("eve@partner.example", DAVE));

            assertThat(send(incoming("eve@partner.example", DAVE), wire).eom())
                    .isEqualTo("550 5.7.1 Direct: sender not trusted: no path to any incoming anchor of hisp-a.example");
            assertThat(requests).as("a stranger's URL is never fetched").hasValue(0);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void incomingFailuresGetTheirOwnReplies() throws Exception {
        assertThat(send(incoming(BOB, DAVE), message(BOB, DAVE)).eom())
                .isEqualTo("550 5.7.1 Direct: message must be signed and encrypted");

        byte[] untrusted = protectAs(setup.mallory, setup.dave, message("mallory@partner.example", DAVE));
        assertThat(send(incoming("mallory@partner.example", DAVE), untrusted).eom())
                .startsWith("550 5.7.1 Direct: sender not trusted: ");

        byte[] wire = protectAs(setup.bob, setup.dave, message(BOB, DAVE));
        String text = text(wire);
        int body = text.indexOf("\r\n\r\n") + 4;
        int middle = body + (text.length() - body) / 2;
        char flipped = text.charAt(middle) == 'A' ? 'B' : 'A';
        byte[] tampered = (text.substring(0, middle) + flipped + text.substring(middle + 1)).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(send(incoming(BOB, DAVE), tampered).eom()).startsWith("554 5.7.");

        byte[] toSomeoneElse = protectAs(setup.bob, setup.bob, message(BOB, DAVE));
        assertThat(send(incoming(BOB, DAVE), toSomeoneElse).eom()).startsWith("554 5.7.5 Direct: cannot decrypt");
    }

    /**
     * Issue 19's decryption oracles through the milter protocol: pieces of a real message to Dave,
     * resubmitted under its own RecipientInfo (they decrypt to its plaintext), and an altered ciphertext,
     * all get one reply; the audit line names a category, never a byte of the plaintext.
     */
    @Test
    void everyFailureAfterDecryptionGetsOneConstantReplyAndAnAuditCategory() throws Exception {
        String marker = "PHI-MARKER-0b5e";
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            body.append(i).append(": potassium ").append(marker).append(" mmol/L, no colon after this\r\n");
        }
        byte[] wire = protectAs(setup.bob, setup.dave, (text(message(BOB, DAVE)) + body)
                .getBytes(StandardCharsets.ISO_8859_1));
        int blocks = org.directmilter.crypto.smime.CmsForgery.ciphertext(
                org.directmilter.crypto.smime.CmsForgery.envelopedData(wire)).length / 16;
        List<String> lines = auditLines(() -> {
            for (int block = blocks / 5; block < blocks - 1; block += blocks / 5) {
                byte[] forged = org.directmilter.crypto.smime.CmsForgery.resubmittedTail(wire, block);
                assertThat(send(incoming(BOB, DAVE), forged).eom()).as("tail from block " + block)
                        .isEqualTo("554 5.7.5 Direct: message could not be decrypted or verified");
            }
        });
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).contains("outcome=not-verified", "category=")
                        .doesNotContain(marker, "potassium"));
    }

    @Test
    void incomingRoutingChecksRefuseARecipientTheMessageIsNotAddressedTo() throws Exception {
        byte[] wire = protectAs(setup.bob, setup.dave, message(BOB, "someone@hisp-a.example"));
        assertThat(send(incoming(BOB, DAVE), wire).eom())
                .isEqualTo("550 5.7.1 Direct: envelope recipient <dave@hisp-a.example> is not in the message's To or Cc");
    }

    @Test
    void oneMessageCannotBeBothProtectedAndPassedThrough() throws Exception {
        Sent sent = send(incoming(BOB, DAVE, "someone@elsewhere.example"), message(BOB, DAVE));
        assertThat(sent.reply("RCPT TO:<someone@")).isEqualTo("452 4.5.3 Direct: send to <someone@elsewhere.example> in a separate message");
    }

    @Test
    void aLocalSenderFromAClientThatMayNotSendForItIsNeverRelayedInPlaintext() throws Exception {
        Sent sent = send(incoming(ALICE, BOB), message(ALICE, BOB));
        assertThat(sent.reply("RCPT")).isEqualTo(
                "550 5.7.1 Direct: mail from <alice@hisp-a.example> must be sent through an authenticated or internal client");
        assertThat(sent.outcome().endOfMessage()).isEmpty();
    }

    @Test
    void mailNeitherFromNorToALocalDomainPassesUntouched() throws Exception {
        Sent sent = send(incoming("x@elsewhere.example", "y@other.example"), message("x@elsewhere.example", "y@other.example"));
        assertThat(sent.outcome().endOfMessage().orElseThrow().modifications()).isEmpty();
        assertThat(sent.outcome().endOfMessage().orElseThrow().finalReply()).isInstanceOf(Response.Accept.class);
    }

    /** The audit lines logged while {@code action} runs, as their text. */
    private static List<String> auditLines(ThrowingRunnable action) throws Exception {
        try (AuditCapture audit = new AuditCapture()) {
            action.run();
            return audit.lines();
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The fields of an audit line read as the format says: blank separated, double quotes honoured. */
    private static List<String> keys(String line) {
        Matcher field = Pattern.compile("([^ =\"]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|[^ \"]+)( |$)").matcher(line);
        List<String> keys = new java.util.ArrayList<>();
        int at = 0;
        while (field.find() && field.start() == at) {
            keys.add(field.group(1));
            at = field.end();
        }
        assertThat(at).as("the whole line parses as fields: %s", line).isEqualTo(line.length());
        return keys;
    }

    private static void assertOneLineWithOneOutcome(String line, String outcome) {
        assertThat(line).doesNotContain("\r", "\n", "\u0000", "\u2028");
        assertThat(keys(line)).containsOnlyOnce("outcome");
        // a search of the raw text finds the one real field too
        assertThat(line.split("outcome=", -1)).hasSize(2);
        assertThat(line).contains(" outcome=" + outcome + " ");
    }

    @Test
    void aCertificateNameWithLineBreaksCannotForgeAnAuditLine() throws Exception {
        // ub-common-name is 64 characters: enough for a line break and a forged line's fields
        TestPki evilCa = TestPki.create("evil\r\naudit: event\\=incoming outcome\\=verified\u2028");
        PrivateKeyEntry evil = evilCa.rsaEntity("mallory@partner.example", 2048);
        byte[] wire = protectAs(evil, setup.dave, message("mallory@partner.example", DAVE));

        List<String> lines = auditLines(() -> assertThat(send(incoming("mallory@partner.example", DAVE), wire).eom())
                .startsWith("550 5.7.1 Direct: sender not trusted: "));

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("issuer:").contains("CN\\=evil\\r\\naudit: event").contains("verified\\u2028,sha256:");
        assertOneLineWithOneOutcome(lines.get(0), "untrusted");
    }

    @Test
    void aHeaderWithLineBreaksCannotForgeAnAuditLineOrField() throws Exception {
        byte[] original = message(ALICE, BOB);
        // folded: the MTA unfolds it, so the line break itself never reaches the policy; the rest does
        byte[] crafted = text(original).replace("Message-ID: <m1@hisp-a.example>\r\n",
                "Message-ID: <m1@hisp-a.example>\r\n\toutcome=verified \" audit: event=outgoing outcome=protected\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);

        List<String> lines = auditLines(() -> send(outgoing(ALICE, BOB), crafted));

        String eom = lines.stream().filter(l -> l.startsWith("event=outgoing")).findFirst().orElseThrow();
        assertThat(eom).contains("msgid=\"<m1@hisp-a.example>\\toutcome\\=verified \\\" audit: event\\=outgoing");
        assertOneLineWithOneOutcome(eom, "protected");
        lines.forEach(line -> assertThat(keys(line)).containsOnlyOnce("outcome"));
    }
}
