package org.directmilter.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.directmilter.resolver.SlapdServer.Entry;
import org.directmilter.resolver.ldap.LdapCertLookup;
import org.directmilter.resolver.ldap.LdapSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LDAP discovery against two real slapd servers on 127.0.0.1 and a real BIND serving the
 * {@code _ldap._tcp} SRV records (and a CERT record), reproducing the DCDT LDAP cases with their
 * expectations: D3, D4, D7, D8, D10, D12, D13, D15 and D16, one domain each.
 */
@Tag("integration")
class LdapDiscoveryIT {

    private static final X509Certificate D3 = TestCertificates.valid("d3@d3.test");
    private static final X509Certificate D3_DOMAIN_EXPIRED = TestCertificates.expired("d3.test");
    private static final X509Certificate D4_DOMAIN = TestCertificates.valid("d4.test");
    private static final X509Certificate D7_EXPIRED = TestCertificates.expired("d7@d7.test");
    private static final X509Certificate D7_DOMAIN = TestCertificates.valid("d7.test");
    private static final X509Certificate D8_DOMAIN_EXPIRED = TestCertificates.expired("d8.test");
    private static final X509Certificate D10 = TestCertificates.valid("d10@d10.test");
    private static final X509Certificate D15 = TestCertificates.valid("d15@d15.test");
    private static final X509Certificate D15_EXPIRED = TestCertificates.expired("d15@d15.test");
    private static final X509Certificate D16_HEAVY = TestCertificates.valid("d16@d16.test");
    private static final X509Certificate D16_LIGHT = TestCertificates.valid("d16@d16.test");
    private static final X509Certificate BOTH_DNS = TestCertificates.valid("both@both.test");
    private static final X509Certificate BOTH_LDAP = TestCertificates.valid("both@both.test");
    private static final X509Certificate VICTIM = TestCertificates.valid("victim@inject.test");
    private static final X509Certificate SMIME = TestCertificates.valid("smime@d3.test");

    private static SlapdServer a;
    private static SlapdServer b;
    private static NamedServer named;
    /** Accepts connections (the kernel completes them) and never answers: every LDAP request times out. */
    private static ServerSocket silent;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "ldap-").toAbsolutePath();
        a = SlapdServer.start(dir.resolve("a"), "dc=test", List.of(
                Entry.withCertificates("d3", "d3@d3.test", D3),
                Entry.withCertificates("d3-domain", "d3.test", D3_DOMAIN_EXPIRED),
                new Entry("smime", "smime@d3.test", "userSMIMECertificate", List.of(TestCertificates.pkcs7(SMIME))),
                Entry.withCertificates("d4-domain", "d4.test", D4_DOMAIN),
                Entry.withCertificates("d7", "d7@d7.test", D7_EXPIRED),
                Entry.withCertificates("d7-domain", "d7.test", D7_DOMAIN),
                Entry.withCertificates("d8-domain", "d8.test", D8_DOMAIN_EXPIRED),
                Entry.withCertificates("d10", "d10@d10.test", D10),
                Entry.withCertificates("d15", "d15@d15.test", D15),
                Entry.withCertificates("d16", "d16@d16.test", D16_LIGHT),
                Entry.withCertificates("both", "both@both.test", BOTH_LDAP),
                Entry.withCertificates("victim", "victim@inject.test", VICTIM)));
        b = SlapdServer.start(dir.resolve("b"), "dc=test", List.of(
                Entry.withCertificates("d15", "d15@d15.test", D15_EXPIRED),
                Entry.withCertificates("d16", "d16@d16.test", D16_HEAVY)));
        int refused = NamedServer.freePort();
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        String zone = NamedServer.zone("test", 60, List.of(
                "ldap-a IN A 127.0.0.1",
                "ldap-b IN A 127.0.0.1",
                "ldap-refused IN A 127.0.0.1",
                "ldap-silent IN A 127.0.0.1",
                "_ldap._tcp.d3 IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d4 IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d7 IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d8 IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d10 IN SRV 0 0 " + refused + " ldap-refused",
                "_ldap._tcp.d10 IN SRV 1 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d12 IN SRV 0 0 " + refused + " ldap-refused",
                "_ldap._tcp.d13 IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d15 IN SRV 1 0 " + b.port() + " ldap-b",
                "_ldap._tcp.d15 IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d16 IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.d16 IN SRV 0 100 " + b.port() + " ldap-b",
                "_ldap._tcp.both IN SRV 0 0 " + a.port() + " ldap-a",
                "both.both IN CERT PKIX 0 0 " + b64(BOTH_DNS),
                "_ldap._tcp.inject IN SRV 0 0 " + a.port() + " ldap-a",
                "_ldap._tcp.down IN SRV 0 0 " + refused + " ldap-refused",
                "_ldap._tcp.down IN SRV 1 0 " + silent.getLocalPort() + " ldap-silent",
                "nosrv IN TXT \"no LDAP here\""));
        named = NamedServer.start(dir.resolve("named"), "  recursion no;\n",
                Map.of("test", "type primary; file \"test.zone\";"), Map.of("test.zone", zone));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {named, a, b, silent}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String b64(X509Certificate cert) throws Exception {
        return Base64.getEncoder().encodeToString(cert.getEncoded());
    }

    private static ResolverSettings settings() {
        return ResolverSettings.defaults(List.of(named.address())).withTimeout(Duration.ofMillis(1500), 1)
                .withLdap(new LdapSettings(true, Duration.ofSeconds(2), Duration.ofHours(1), Duration.ofMinutes(1),
                        16));
    }

    private static DiscoveryResult discover(String address) {
        return CertificateDiscovery.create(settings()).discover(address, TestCertificates::currentlyValid);
    }

    private static List<X509Certificate> usable(DiscoveryResult result) {
        assertThat(result).isInstanceOf(DiscoveryResult.Found.class);
        return ((DiscoveryResult.Found) result).usable().stream().map(DiscoveredCertificate::certificate).toList();
    }

    private static Binding binding(DiscoveryResult result) {
        return result instanceof DiscoveryResult.Found f ? f.binding()
                : ((DiscoveryResult.FoundNoneUsable) result).binding();
    }

    @Test
    void d3AddressBoundCertificateInLdap() {
        DiscoveryResult result = discover("d3@d3.test");

        assertThat(usable(result)).containsExactly(D3);
        assertThat(binding(result)).isEqualTo(Binding.ADDRESS);
        assertThat(result.steps()).extracting(OwnerLookup::owner)
                .containsExactly("d3.d3.test.", "d3.test.", "ldap:(mail=d3@d3.test)");
        DiscoveredCertificate found = ((DiscoveryResult.Found) result).usable().get(0);
        assertThat(found.source())
                .startsWith("LDAP ldap://127.0.0.1:" + a.port() + "/dc=test?userCertificate;binary?sub?");
        assertThat(result.steps().get(2).notes()).anySatisfy(n -> assertThat(n)
                .contains("SRV _ldap._tcp.d3.test.: 0 0 " + a.port() + " ldap-a.test."));
        assertThat(result.steps().get(2).notes()).anySatisfy(n -> assertThat(n)
                .contains("namingContexts: dc=test"));
    }

    @Test
    void userSmimeCertificateHoldingPkcs7IsRead() {
        assertThat(usable(discover("smime@d3.test"))).containsExactly(SMIME);
    }

    @Test
    void d4DomainBoundCertificateInLdap() {
        DiscoveryResult result = discover("d4@d4.test");

        assertThat(usable(result)).containsExactly(D4_DOMAIN);
        assertThat(binding(result)).isEqualTo(Binding.DOMAIN);
        assertThat(result.steps()).extracting(OwnerLookup::owner).containsExactly("d4.d4.test.", "d4.test.",
                "ldap:(mail=d4@d4.test)", "ldap:(mail=d4.test)");
        assertThat(result.steps().get(2)).isInstanceOf(OwnerLookup.NonePublished.class);
    }

    @Test
    void d7ExpiredAddressBoundInLdapStopsDiscoveryDespiteAValidDomainBoundOne() {
        DiscoveryResult result = discover("d7@d7.test");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.FoundNoneUsable.class, none -> {
            assertThat(none.binding()).isEqualTo(Binding.ADDRESS);
            assertThat(none.unusable()).extracting(DiscoveredCertificate::certificate).containsExactly(D7_EXPIRED);
        });
        assertThat(result.steps()).extracting(OwnerLookup::owner).doesNotContain("ldap:(mail=d7.test)");
    }

    @Test
    void d8InvalidDomainBoundInLdapIsNotUsed() {
        DiscoveryResult result = discover("d8@d8.test");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.FoundNoneUsable.class, none -> {
            assertThat(none.binding()).isEqualTo(Binding.DOMAIN);
            assertThat(none.unusable()).extracting(DiscoveredCertificate::certificate)
                    .containsExactly(D8_DOMAIN_EXPIRED);
        });
    }

    @Test
    void d10UnreachableFirstServerFailsOverToTheNext() {
        DiscoveryResult result = discover("d10@d10.test");

        assertThat(usable(result)).containsExactly(D10);
        List<String> notes = result.steps().get(2).notes();
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("(ldap-refused.test.): unreachable"));
        assertThat(notes).anySatisfy(n -> assertThat(n).contains(":" + a.port() + " (ldap-a.test.): anonymous bind"));
    }

    @Test
    void d12OnlyServerUnavailableIsATemporaryFailureNotNoCertificate() {
        DiscoveryResult result = discover("d12@d12.test");

        // DCDT expects no message; a 4xx keeps it queued instead of bouncing it for a passing outage
        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.TemporaryFailure.class,
                t -> assertThat(t.reason()).contains("no LDAP server answered"));
    }

    @Test
    void d13NothingInDnsNorLdap() {
        DiscoveryResult result = discover("d13@d13.test");

        assertThat(result).isInstanceOf(DiscoveryResult.NotFound.class);
        assertThat(result.steps()).extracting(OwnerLookup::owner).containsExactly("d13.d13.test.", "d13.test.",
                "ldap:(mail=d13@d13.test)", "ldap:(mail=d13.test)");
    }

    @Test
    void noSrvRecordIsNothingPublished() {
        DiscoveryResult result = discover("x@nosrv.test");

        assertThat(result).isInstanceOf(DiscoveryResult.NotFound.class);
        assertThat(result.steps().get(2)).isInstanceOfSatisfying(OwnerLookup.NonePublished.class,
                none -> assertThat(none.reason()).contains("no SRV record"));
    }

    @Test
    void d15LowestPriorityValueFirst() {
        assertThat(usable(discover("d15@d15.test"))).containsExactly(D15);
    }

    @Test
    void d16HeaviestWeightFirstWithinAPriority() {
        assertThat(usable(discover("d16@d16.test"))).containsExactly(D16_HEAVY);
    }

    @Test
    void dnsCertWinsOverLdap() {
        DiscoveryResult result = discover("both@both.test");

        assertThat(usable(result)).containsExactly(BOTH_DNS);
        assertThat(result.steps()).extracting(OwnerLookup::owner).containsExactly("both.both.test.");
    }

    @Test
    void filterMetacharactersInTheAddressDoNotWidenTheSearch() {
        DiscoveryResult injected = discover("*)(mail=*@inject.test");
        DiscoveryResult wildcard = discover("*@inject.test");

        assertThat(injected).isInstanceOf(DiscoveryResult.NotFound.class);
        assertThat(wildcard).isInstanceOf(DiscoveryResult.NotFound.class);
        assertThat(injected.steps().get(injected.steps().size() - 2).notes()).anySatisfy(n -> assertThat(n)
                .contains("filter (mail=\\2a\\29\\28mail=\\2a@inject.test): 0 entry(ies)"));
        assertThat(usable(discover("victim@inject.test"))).containsExactly(VICTIM);
    }

    @Test
    void allServersDownOrSilentIsATemporaryFailure() {
        DiscoveryResult result = discover("x@down.test");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.TemporaryFailure.class, t -> {
            assertThat(t.reason()).contains("ldap://127.0.0.1:" + silent.getLocalPort());
            assertThat(t.reason()).containsIgnoringCase("timed out");
        });
    }

    @Test
    void ldapOffStopsAfterDns() {
        ResolverSettings off = settings().withLdap(new LdapSettings(false, Duration.ofSeconds(2),
                Duration.ofHours(1), Duration.ofMinutes(1), 16));
        DiscoveryResult result = CertificateDiscovery.create(off)
                .discover("d3@d3.test", TestCertificates::currentlyValid);

        assertThat(result).isInstanceOf(DiscoveryResult.NotFound.class);
        assertThat(result.steps()).noneMatch(s -> LdapCertLookup.isOwner(s.owner()));
    }

    @Test
    void secondLookupIsAnsweredFromTheCacheWithoutConnectingToLdap() {
        CertificateDiscovery discovery = CertificateDiscovery.create(settings());
        int before = a.connections();

        assertThat(usable(discovery.discover("d3@d3.test", TestCertificates::currentlyValid))).containsExactly(D3);
        int afterFirst = a.connections();
        assertThat(usable(discovery.discover("d3@d3.test", TestCertificates::currentlyValid))).containsExactly(D3);

        assertThat(afterFirst).isEqualTo(before + 1);
        assertThat(a.connections()).isEqualTo(afterFirst);
        assertThat(discovery.cacheStatistics().hits()).isPositive();
    }
}
