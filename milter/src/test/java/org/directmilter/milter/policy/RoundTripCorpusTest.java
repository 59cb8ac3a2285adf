package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.directmilter.crypto.testpki.Openssl;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.trust.AnchorStore;
import org.directmilter.milter.client.ChangedMessage;
import org.directmilter.milter.client.Envelope;
import org.directmilter.milter.client.Exchange;
import org.directmilter.milter.client.MilterClient;
import org.directmilter.milter.client.RawMessage;
import org.directmilter.milter.config.ConfigLoader;
import org.directmilter.milter.config.ConfigResult;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.daemon.Assembly;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.protocol.ProtocolFlags;
import org.directmilter.milter.protocol.Response;
import org.directmilter.milter.server.MilterServer;
import org.directmilter.milter.server.ServerSettings;
import org.directmilter.milter.server.SocketSpec;
import org.directmilter.milter.session.MilterSessionFactory;
import org.directmilter.milter.session.SessionSettings;
import org.directmilter.resolver.CertificateDiscovery;
import org.directmilter.resolver.FoundCertificate;
import org.directmilter.resolver.OwnerLookup;
import org.directmilter.resolver.OwnerNameMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What direct-milter sends, direct-milter reads back byte for byte (issue 20): realistic and nasty
 * messages go out through one daemon (hisp-a.example, alice to bob), are checked by {@code openssl cms
 * -verify} in text and in binary mode as any receiver would, and come in through a second daemon
 * (partner.example, bob's HISP). What bob's MTA gets must be the original exactly, apart from the
 * changes docs/mta-configuration.md lists: canonical CRLF line ends (RFC 5751 §3.1.1, as docs/smime.md
 * defines them), {@code Bcc:} is gone, and one {@code X-Direct-Verified:} field ends the header.
 *
 * <p>The daemons are the real policy behind the real milter protocol (in-process servers, the
 * project's client standing in for the MTA); DNS is a map.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoundTripCorpusTest {

    private static final String ALICE = "alice@hisp-a.example";
    private static final String BOB = "bob@partner.example";
    private static final String ENVELOPE = "From: Alice <" + ALICE + ">\r\nTo: Bob <" + BOB + ">\r\n"
            + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n";

    @TempDir
    static Path dir;

    private DirectSetup setup;
    private final List<AutoCloseable> running = new ArrayList<>();
    private int sendingPort;
    private int receivingPort;
    private Path openssl;
    private final AtomicInteger serial = new AtomicInteger();

    @BeforeAll
    void startBothDaemons() throws Exception {
        setup = DirectSetup.create(dir.resolve("hisp-a"));
        sendingPort = daemon(setup.configLines(), setup.anchors);

        Path partner = Files.createDirectories(dir.resolve("partner"));
        Path keys = Files.createDirectories(partner.resolve("keys"));
        DirectSetup.writePkcs12(keys, BOB, setup.bob);
        Files.writeString(keys.resolve("password"), DirectSetup.PASSWORD + "\n");
        Files.setPosixFilePermissions(keys.resolve("password"), PosixFilePermissions.fromString("rw-------"));
        Path anchors = partner.resolve("anchors");
        for (String direction : List.of("incoming", "outgoing")) {
            TestPki.writePem(Files.createDirectories(anchors.resolve("partner.example").resolve(direction))
                    .resolve("hisp-ab-ca.pem"), setup.localCa.caCertificate());
        }
        receivingPort = daemon("Domains partner.example\nKeyStore " + keys + "\nAnchorDir " + anchors + "\n"
                + "CertificateDir " + Files.createDirectories(partner.resolve("certs")) + "\n"
                + "TemporaryDirectory " + Files.createDirectories(partner.resolve("tmp")) + "\n"
                + "NotificationCommand " + setup.submitCommand + "\n", anchors); // MDNs kept, never queued

        openssl = Files.createDirectories(dir.resolve("openssl"));
        TestPki.writePem(openssl.resolve("bob.cert.pem"), setup.bob.certificate());
        TestPki.writePem(openssl.resolve("bob.key.pem"), setup.bob.key());
        TestPki.writePem(openssl.resolve("anchor.pem"), setup.localCa.caCertificate());
    }

    /** One daemon: the configuration's policy, bob's certificate published in "DNS"; returns its port. */
    private int daemon(String config, Path anchorDir) throws IOException {
        Path file = Files.writeString(Files.createTempFile(dir, "direct-milter", ".conf"), config);
        MilterConfig loaded = ((ConfigResult.Valid) new ConfigLoader().load(file)).config();
        AnchorStore anchors = AnchorStore.load(anchorDir);
        DirectPolicy real = Assembly.policy(loaded, anchors::anchorsFor, Optional.empty());
        String owner = BOB.replace('@', '.') + ".";
        OwnerLookup bob = new OwnerLookup.Published(owner,
                List.of(new FoundCertificate(setup.bob.certificate(), FoundCertificate.PKIX, Optional.empty())),
                List.of(), 300, List.of());
        CertificateDiscovery discovery = new CertificateDiscovery(name -> name.equals(owner) ? bob
                : new OwnerLookup.NonePublished(name, "NXDOMAIN", 60, List.of()), OwnerNameMode.NAIVE);
        DirectPolicy policy = new DirectPolicy(real.settings(), real.keys(), real.validator(), real.resolverSettings(),
                discovery, real.protector(), real.unprotector(), real.spoolThreshold(), real.temporaryDirectory(),
                real.notifier(), real.tracker());
        MilterSessionFactory sessions = new MilterSessionFactory(DirectHandler.create(policy),
                SessionSettings.defaults().withSpool(64 * 1024, setup.temporary));
        MilterServer server = MilterServer.bind(SocketSpec.parse("inet:0@127.0.0.1"), ServerSettings.defaults(), sessions);
        server.start();
        running.add(() -> server.stop(Duration.ofSeconds(5)));
        running.add(sessions::close);
        running.add(anchors::close);
        return server.port();
    }

    @AfterAll
    void stopBothDaemons() throws Exception {
        for (AutoCloseable each : running) {
            each.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void goesOutVerifiableAndComesBackUnchanged(String name, byte[] original) throws Exception {
        byte[] outer = exchange(sendingPort, Envelope.of(ALICE, List.of(BOB)), original);
        assertThat(new String(outer, StandardCharsets.ISO_8859_1)).as("nothing of the content outside")
                .doesNotContain("Subject", "confidential");

        byte[] expected = expected(original);
        String n = "m" + serial.incrementAndGet();
        Files.write(openssl.resolve(n + ".eml"), outer);
        // -binary: the decrypted multipart/signed as it is, not with its CRLFs turned into LFs
        Openssl.ok(openssl, "cms", "-decrypt", "-binary", "-in", n + ".eml", "-recip", "bob.cert.pem", "-inkey", "bob.key.pem",
                "-out", n + ".dec");
        // Binary mode over the exact signed bytes, given apart: OpenSSL's MIME reader keeps the CR of the
        // CRLF before a boundary in -binary mode, so "-binary -in multipart" fails for every CRLF message.
        detach(openssl.resolve(n + ".dec"), openssl.resolve(n + ".part"), openssl.resolve(n + ".p7s"));
        Openssl.ok(openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in", n + ".p7s", "-content", n + ".part",
                "-CAfile", "anchor.pem", "-purpose", "smimesign", "-out", n + ".binary");
        assertThat(Files.readString(openssl.resolve(n + ".binary"), StandardCharsets.ISO_8859_1))
                .as("signed content, binary mode")
                .isEqualTo("Content-Type: message/rfc822\r\n\r\n" + new String(expected, StandardCharsets.ISO_8859_1));
        Openssl.Result text = Openssl.run(openssl, "cms", "-verify", "-in", n + ".dec", "-CAfile", "anchor.pem",
                "-purpose", "smimesign", "-out", n + ".text");
        assertThat(text.exit()).as("openssl cms -verify in text mode (the README's command): %s", text.stderr())
                .isZero();

        byte[] delivered = exchange(receivingPort, new Envelope("mx.hisp-a.example", "192.0.2.7", "mx.hisp-a.example",
                ALICE, List.of(BOB), Map.of()), outer);
        assertThat(new String(withoutTrace(delivered), StandardCharsets.ISO_8859_1))
                .as("what bob's MTA gets, without the trace field")
                .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
    }

    /** Splits a multipart/signed message (CRLF) into its first part's exact bytes and the DER signature. */
    private static void detach(Path signed, Path part, Path signature) throws IOException {
        String text = new String(Files.readAllBytes(signed), StandardCharsets.ISO_8859_1);
        var boundary = java.util.regex.Pattern.compile("boundary=\"([^\"]+)\"").matcher(text);
        assertThat(boundary.find()).as("a multipart/signed boundary").isTrue();
        String delimiter = "\r\n--" + boundary.group(1);
        int first = text.indexOf(delimiter.substring(2)) + delimiter.length();
        int second = text.indexOf(delimiter, first);
        Files.write(part, text.substring(first, second).getBytes(StandardCharsets.ISO_8859_1));
        String p7s = text.substring(text.indexOf("\r\n\r\n", second) + 4, text.indexOf(delimiter + "--", second));
        Files.write(signature, java.util.Base64.getMimeDecoder().decode(p7s));
    }

    /** Sends one message through a daemon as an MTA would; returns the message the MTA then holds. */
    private static byte[] exchange(int port, Envelope envelope, byte[] message) throws IOException {
        try (MilterClient client = MilterClient.connect(SocketSpec.parse("inet:" + port + "@127.0.0.1"))) {
            Exchange.Outcome outcome = Exchange.send(client, envelope, message);
            var eom = outcome.endOfMessage().orElseThrow(() -> new AssertionError("no end of message: " + outcome));
            assertThat(eom.finalReply()).as("end of message").isInstanceOf(Response.Accept.class);
            return ChangedMessage.apply(envelope, RawMessage.parse(message), eom.modifications(),
                    client.has(ProtocolFlags.HEADER_LEADING_SPACE)).toBytes();
        }
    }

    /** The documented changes: canonical CRLF line ends, no Bcc field. */
    private static byte[] expected(byte[] original) {
        String text = new String(crlf(original), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = text.substring(0, end + 2);
        String withoutBcc = head.replaceAll("(?im)^Bcc:.*\r\n([ \t].*\r\n)*", "");
        return (withoutBcc + text.substring(end + 2)).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The delivered message without its last header field, which must be the one X-Direct-Verified. */
    private static byte[] withoutTrace(byte[] delivered) {
        String text = new String(delivered, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int trace = text.lastIndexOf("\r\nX-Direct-Verified: signer=" + ALICE + "; ", end);
        assertThat(trace).as("X-Direct-Verified ends the header").isPositive();
        assertThat(text.indexOf("X-Direct-Verified")).as("exactly one trace field").isEqualTo(trace + 2);
        return (text.substring(0, trace + 2) + text.substring(end + 2)).getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The canonical form the engine signs (docs/smime.md): a line end is an LF with any CRs just before it
     * and becomes one CRLF; CRs at the very end become one CRLF; a CR inside a line stays.
     */
    private static byte[] crlf(byte[] in) {
        String text = new String(in, StandardCharsets.ISO_8859_1);
        return text.replaceAll("\r*\n", "\r\n").replaceAll("\r+\\z", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static Stream<Arguments> corpus() {
        Random random = new Random(20);
        byte[] binary = new byte[3000];
        random.nextBytes(binary);
        String base64 = java.util.Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(binary);
        String nested = "From: Carol <carol@partner.example>\r\nTo: " + ALICE + "\r\nSubject: the original referral\r\n"
                + "Message-ID: <inner@partner.example>\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nBefund: unauffällig.\r\n";
        String longWord = "x".repeat(900);
        return Stream.<Object[]>of(
                text("plain ASCII", "Message-ID: <c1@hisp-a.example>\r\nSubject: lab results\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n",
                        "Potassium 4.1 mmol/L\r\n.a line that starts with a dot\r\n.\r\nFrom the lab\r\n"),
                bytes("8-bit Latin-1 body", "Message-ID: <c2@hisp-a.example>\r\nSubject: Befund\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n",
                        "Gr\u00fc\u00dfe, der Befund ist unauff\u00e4llig.\r\n".getBytes(StandardCharsets.ISO_8859_1)),
                text("raw UTF-8 headers and body", "Message-ID: <c3@hisp-a.example>\r\nSubject: Grüße – Überweisung für Jürgen\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n",
                        "Überweisung: Kardiologie, 日本語のテキスト, emoji 🩺.\r\n"),
                text("RFC 2047 encoded words", "Message-ID: <c4@hisp-a.example>\r\n"
                        + "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgZGVyIEthcmRpb2xvZ2ll?=\r\n"
                        + "Cc: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen@partner.example>\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=us-ascii\r\n", "See the subject.\r\n"),
                text("attachment", "Message-ID: <c5@hisp-a.example>\r\nSubject: imaging\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n",
                        "This is a multi-part message in MIME format.\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
                        + "The report is attached.\r\n--b1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
                        + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n"
                        + base64 + "\r\n--b1--\r\n"),
                text("nested message/rfc822", "Message-ID: <c6@hisp-a.example>\r\nSubject: Fwd: referral\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n",
                        "--outer\r\nContent-Type: text/plain\r\n\r\nForwarded below.\r\n--outer\r\n"
                        + "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + nested
                        + "--outer--\r\n"),
                text("quoted-printable", "Message-ID: <c7@hisp-a.example>\r\nSubject: qp\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
                        "Dosis =3D 5 mg, soft=\r\nbreak and Gr=C3=BC=C3=9Fe=20\r\nTrailing space encoded=20\r\n"),
                text("format=flowed with trailing spaces", "Message-ID: <c8@hisp-a.example>\r\nSubject: flowed\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii; format=flowed; delsp=yes\r\n",
                        "This paragraph is flowed and goes on \r\nover several lines \r\nuntil here.\r\n\r\n> quoted \r\n>> deeper\r\n"),
                text("long and folded headers, odd white space", "Message-ID: <c9@hisp-a.example>\r\nSubject: a subject that is folded\r\n"
                        + "\tover three\r\n  lines\r\nX-Long: " + longWord + "\r\nX-Tight:value\r\nX-Empty:\r\nX-Tabbed:\tvalue\r\n"
                        + "References: <a@x.example>\r\n <b@x.example>\r\n\t<c@x.example>\r\n", "body\r\n"),
                new Object[] {"bare LF line ends", ENVELOPE.replace("\r\n", "\n"),
                        "Message-ID: <c10@hisp-a.example>\nSubject: unix\nMIME-Version: 1.0\n",
                        "line one\nline two\n\nlast\n".getBytes(StandardCharsets.US_ASCII)},
                text("no final newline", "Message-ID: <c11@hisp-a.example>\r\nSubject: abrupt\r\n", "no newline at the end"),
                new Object[] {"duplicate trace headers, on top where MTAs put them",
                        "Received: from client.hisp-a.example by mx.hisp-a.example; Sat, 28 Nov 2026 09:59:00 +0000\r\n"
                        + "Received: from client.hisp-a.example by mx.hisp-a.example; Sat, 28 Nov 2026 09:59:00 +0000\r\n"
                        + ENVELOPE, "Message-ID: <c12@hisp-a.example>\r\nSubject: twice\r\n",
                        "body\r\n".getBytes(StandardCharsets.US_ASCII)},
                text("Bcc", "Message-ID: <c13@hisp-a.example>\r\nSubject: blind\r\nBcc: someone@partner.example,\r\n"
                        + " other@partner.example\r\n", "Who else got this?\r\n"),
                text("NUL bytes and a 5,000-byte line", "Message-ID: <c14@hisp-a.example>\r\nSubject: odd bytes\r\n",
                        "nul\u0000byte\r\n" + "y".repeat(5000) + "\r\n"),
                text("empty body", "Message-ID: <c15@hisp-a.example>\r\nSubject: nothing\r\n", ""),
                text("bare CR in the body and at its end", "Message-ID: <c16@hisp-a.example>\r\nSubject: cr\r\n",
                        "a bare\rCR and one at the end\r"),
                text("CR before CRLF", "Message-ID: <c17@hisp-a.example>\r\nSubject: crcrlf\r\n",
                        "line with CR before CRLF\r\r\nnext\r\n"))
                .map(a -> Arguments.of(a[0], message((String) a[1], (String) a[2], (byte[]) a[3])));
    }

    /** One case: name, the routing fields, the other fields, the body. */
    private static Object[] text(String name, String fields, String body) {
        return bytes(name, fields, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Object[] bytes(String name, String fields, byte[] body) {
        return new Object[] {name, ENVELOPE, fields, body};
    }

    private static byte[] message(String envelope, String fields, byte[] body) {
        String separator = envelope.endsWith("\r\n") ? "\r\n" : "\n";
        return concat((envelope + fields + separator).getBytes(StandardCharsets.UTF_8), body);
    }
}
