package org.directmilter.milter.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.directmilter.milter.testkit.DirectDeployment.ALICE;
import static org.directmilter.milter.testkit.DirectDeployment.message;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.milter.cli.DirectMilterCommand;
import org.directmilter.milter.testkit.DaemonProcess;
import org.directmilter.milter.testkit.DirectSetup;
import org.directmilter.milter.testkit.PartnerHisp;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.milter.testkit.PostfixInstance;
import org.directmilter.milter.testkit.Resources;
import org.directmilter.milter.testkit.Scratch;
import org.directmilter.milter.testkit.SinkMessage;
import org.directmilter.milter.testkit.SmtpClient;
import org.directmilter.resolver.NamedServer;
import org.directmilter.resolver.SlapdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * Certificate discovery in LDAP end to end: a partner that publishes its users' certificates only in
 * LDAP (a real slapd named by an {@code _ldap._tcp} SRV record in a real named), the real daemon, and a
 * real Postfix relaying to smtp-sink.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LdapPostfixIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DANA = "dana@" + DirectSetup.PARTNER; // in LDAP only, no CERT record
    private static final String DOWN = "x@ldap-down.example";         // its only LDAP server refuses connections

    private DirectSetup setup;
    private PartnerHisp partner;
    private PrivateKeyEntry dana;
    private SlapdServer slapd;
    private NamedServer named;
    private DaemonProcess daemon;
    private PostfixInstance postfix;

    @BeforeAll
    void start() throws Exception {
        Path dir = Scratch.newDirectory("ldap-postfix-");
        setup = DirectSetup.create(dir.resolve("setup"));
        partner = PartnerHisp.in(dir.resolve("partner"), setup);
        dana = setup.partnerCa.rsaEntity(DANA, 2048); // the partner CA hisp-a trusts for outgoing mail
        // the partner HISP opens mail with <address>.cert.pem and .key.pem from its directory
        TestPki.writePem(dir.resolve("partner").resolve(DANA + ".cert.pem"), dana.certificate());
        TestPki.writePem(dir.resolve("partner").resolve(DANA + ".key.pem"), dana.key());
        slapd = SlapdServer.start(dir.resolve("slapd"), "dc=partner,dc=example",
                List.of(SlapdServer.Entry.withCertificates("dana", DANA, dana.certificate())));
        int refused = NamedServer.freePort();
        named = NamedServer.start(dir.resolve("named"), "  recursion no;\n",
                Map.of(DirectSetup.PARTNER, "type primary; file \"partner.zone\";",
                        "ldap-down.example", "type primary; file \"down.zone\";"),
                Map.of("partner.zone", NamedServer.zone(DirectSetup.PARTNER, 60, List.of(
                                "_ldap._tcp IN SRV 0 0 " + slapd.port() + " ldap",
                                "ldap IN A 127.0.0.1")),
                        "down.zone", NamedServer.zone("ldap-down.example", 60, List.of(
                                "_ldap._tcp IN SRV 0 0 " + refused + " ldap",
                                "ldap IN A 127.0.0.1"))));
        int milterPort = Ports.free();
        daemon = DaemonProcess.start(Scratch.newDirectory("ldap-daemon-"), setup.configLines()
                + "Nameservers 127.0.0.1:" + named.port() + "\n"
                + "DNSTimeout 1s\nDNSAttempts 1\nLDAPTimeout 2s\n"
                + "Socket inet:" + milterPort + "@127.0.0.1\n");
        postfix = PostfixInstance.start("inet:127.0.0.1:" + milterPort);
    }

    @AfterAll
    void stop() {
        Resources.closeAll(postfix, daemon, named, slapd);
    }

    @Test
    void mailToARecipientPublishedOnlyInLdapArrivesEncryptedToItsCertificate() {
        String id = "outgoing-ldap@hisp-a.example";
        String original = message(ALICE, List.of(DANA), id, "ldap", "Found in the partner's directory.\n");

        List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(), ALICE, List.of(DANA), original);

        assertThat(replies).as("replies").allMatch(SmtpClient.Reply::positive);
        SinkMessage got = arrived(id);
        assertThat(got.envelopeRecipients()).containsExactly("<" + DANA + ">");
        assertThat(got.relayed()).doesNotContain("Found in the partner's directory");
        assertThat(partner.open(got.relayed(), dana, setup.localCa)).endsWith("Found in the partner's directory.\n");
        assertThat(slapd.connections()).as("slapd saw the daemon's search").isGreaterThanOrEqualTo(2);
    }

    @Test
    void allLdapServersDownIsATempfailAtRcpt() {
        String id = "outgoing-ldap-down@hisp-a.example";

        List<SmtpClient.Reply> replies = SmtpClient.send(postfix.smtpPort(), ALICE, List.of(DOWN),
                message(ALICE, List.of(DOWN), id, "ldap down", "never sent\n"));

        assertThat(replies.get(replies.size() - 1).last()).as("RCPT")
                .startsWith("451 4.4.3 Direct: certificate lookup for <" + DOWN + "> failed, try again later: ");
        Poll.until("the dns-error audit line", WAIT, () -> daemon.log().lines()
                .anyMatch(l -> l.contains(" audit: ") && l.contains("outcome=dns-error") && l.contains(DOWN)),
                daemon::diagnostics);
        assertThat(withId(id)).as("at the sink").isEmpty();
    }

    @Test
    void lookupShowsTheLdapSteps() throws Exception {
        Path dir = Scratch.newDirectory("ldap-lookup-");
        Path config = dir.resolve("direct-milter.conf");
        Files.writeString(config, setup.configLines() + "Nameservers 127.0.0.1:" + named.port() + "\n");
        StringWriter out = new StringWriter();
        int status = new CommandLine(new DirectMilterCommand()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(out, true))
                .execute("lookup", DANA, "-c", config.toString());
        String text = out.toString();
        Files.writeString(dir.resolve("lookup.txt"), text); // the docs' example is such a run

        assertThat(text).contains(": ldap:(mail=" + DANA + ") (address-bound, LDAP)",
                "SRV _ldap._tcp.partner.example.: 0 0 " + slapd.port() + " ldap.partner.example.",
                "ldap://127.0.0.1:" + slapd.port() + " (ldap.partner.example.): anonymous bind, namingContexts: "
                        + "dc=partner,dc=example",
                "filter (mail=" + DANA + "): 1 entry(ies)",
                "certificate (address-bound, LDAP ldap://127.0.0.1:" + slapd.port()
                        + "/dc=partner,dc=example?userCertificate;binary?sub?(mail=" + DANA + ")",
                "RESULT: 1 usable certificate(s), address-bound");
        assertThat(status).as(text).isZero();
    }

    private SinkMessage arrived(String messageId) {
        Poll.until("the message <" + messageId + "> at the sink", WAIT, () -> !withId(messageId).isEmpty(),
                () -> daemon.diagnostics() + "\n" + postfix.maillog());
        List<SinkMessage> all = withId(messageId);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private List<SinkMessage> withId(String messageId) {
        return postfix.sinkMessages().stream().filter(m -> m.text().contains("<" + messageId + ">")).toList();
    }
}
