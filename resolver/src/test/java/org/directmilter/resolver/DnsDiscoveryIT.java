package org.directmilter.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import com.sun.net.httpserver.HttpServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.directmilter.resolver.cache.CacheSettings;
import org.directmilter.resolver.cache.CachedCertLookup;
import org.directmilter.resolver.dns.DnsCertLookup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Discovery against a real BIND on 127.0.0.1 (and a second one that answers SERVFAIL), with IPKIX URLs
 * served by the JDK's HTTP server on 127.0.0.1. Every resolver names its loopback server explicitly.
 */
@Tag("integration")
class DnsDiscoveryIT {

    private static final Duration TIMEOUT = Duration.ofMillis(1500);

    private static NamedServer named;
    private static NamedServer servfail;
    private static HttpServer http;

    private static final X509Certificate BOB = TestCertificates.valid("bob@recipient.test");
    private static final X509Certificate DOMAIN = TestCertificates.valid("recipient.test");
    private static final X509Certificate CAROL = TestCertificates.large("carol@recipient.test", 1500);
    private static final X509Certificate MULTI_1 = TestCertificates.valid("multi@recipient.test");
    private static final X509Certificate MULTI_2 = TestCertificates.valid("multi@recipient.test");
    private static final X509Certificate MULTI_OLD = TestCertificates.expired("multi@recipient.test");
    private static final X509Certificate DAN_OLD = TestCertificates.expired("dan@recipient.test");
    private static final X509Certificate JOHN = TestCertificates.valid("john.smith@recipient.test");
    private static final X509Certificate JANE = TestCertificates.valid("jane.doe@recipient.test");
    private static final X509Certificate DAVE = TestCertificates.valid("dave@recipient.test");
    private static final X509Certificate ERIN = TestCertificates.valid("erin@recipient.test");
    private static final X509Certificate TTL = TestCertificates.valid("ttl@recipient.test");

    @BeforeAll
    static void start() throws Exception {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serve("/dave.der", DAVE.getEncoded());
        serve("/erin.pem", pem(ERIN).getBytes(StandardCharsets.US_ASCII));
        http.start();
        String base = "http://127.0.0.1:" + http.getAddress().getPort();

        Path dir = Files.createTempDirectory(Path.of("target"), "named-").toAbsolutePath();
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        String recipient = NamedServer.zone("recipient.test", 120, List.of(
                "@ IN CERT PKIX 0 0 " + b64(DOMAIN),
                "bob IN CERT PKIX 0 0 " + b64(BOB),
                "carol IN CERT PKIX 0 0 " + b64(CAROL),
                "multi IN CERT PKIX 0 0 " + b64(MULTI_1),
                "multi IN CERT PKIX 0 0 " + b64(MULTI_OLD),
                "multi IN CERT PKIX 12345 8 " + b64(MULTI_2),  // key tag and algorithm are never filtered on
                "dan IN CERT PKIX 0 0 " + b64(DAN_OLD),
                "john.smith IN CERT PKIX 0 0 " + b64(JOHN),    // the naive (deployed) form
                "jane\\.doe IN CERT PKIX 0 0 " + b64(JANE),    // the RFC 1034 escaped form
                "dave IN CERT IPKIX 0 0 " + b64(base + "/dave.der"),
                "erin IN CERT 253 0 0 " + b64(base + "/erin.pem"),
                "pgp IN CERT PGP 0 0 AAAA",
                "ttl 90 IN CERT PKIX 0 0 " + b64(TTL)));
        String empty = NamedServer.zone("empty.test", 60, List.of());
        named = NamedServer.start(dir.resolve("auth"), "  recursion no;\n",
                Map.of("recipient.test", "type primary; file \"recipient.test.zone\";",
                        "empty.test", "type primary; file \"empty.test.zone\";"),
                Map.of("recipient.test.zone", recipient, "empty.test.zone", empty));

        // A recursive server whose only way to broken.test is a forwarder nobody listens on: SERVFAIL.
        // Its root zone is a local fake, so it never talks to anything beyond loopback.
        String root = "$TTL 300\n. IN SOA a.root.invalid. hostmaster.invalid. ( 1 3600 600 86400 300 )\n"
                + ". IN NS a.root.invalid.\na.root.invalid. IN A 127.0.0.1\n"
                + "broken.test. IN NS ns.broken.test.\nns.broken.test. IN A 127.0.0.1\n";
        int dead = NamedServer.freePort();
        servfail = NamedServer.start(dir.resolve("servfail"),
                "  recursion yes;\n  allow-recursion { 127.0.0.0/8; };\n  resolver-query-timeout 1000;\n",
                Map.of(".", "type primary; file \"root.db\";",
                        "broken.test", "type forward; forward only; forwarders { 127.0.0.1 port " + dead + "; };"),
                Map.of("root.db", root));
    }

    @AfterAll
    static void stop() {
        try {
            if (named != null) {
                named.close();
            }
            if (servfail != null) {
                servfail.close();
            }
        } finally {
            if (http != null) {
                http.stop(0);
            }
        }
    }

    private static void serve(String path, byte[] body) {
        http.createContext(path, exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    private static String b64(X509Certificate cert) {
        try {
            return Base64.getEncoder().encodeToString(cert.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String url) {
        return Base64.getEncoder().encodeToString(url.getBytes(StandardCharsets.US_ASCII));
    }

    private static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static ResolverSettings settings(InetSocketAddress... servers) {
        return ResolverSettings.defaults(List.of(servers)).withTimeout(TIMEOUT, 1);
    }

    private static DiscoveryResult discover(String address) {
        return discover(settings(named.address()), address);
    }

    private static DiscoveryResult discover(ResolverSettings s, String address) {
        return new CertificateDiscovery(DnsCertLookup.create(s), s.ownerNames())
                .discover(address, TestCertificates::currentlyValid);
    }

    private static List<X509Certificate> usable(DiscoveryResult result) {
        assertThat(result).isInstanceOf(DiscoveryResult.Found.class);
        return ((DiscoveryResult.Found) result).usable().stream().map(DiscoveredCertificate::certificate).toList();
    }

    @Test
    void addressBoundCertificateWinsOverTheDomainBoundOne() {
        DiscoveryResult result = discover("Bob@Recipient.TEST");

        assertThat(usable(result)).containsExactly(BOB);
        assertThat(((DiscoveryResult.Found) result).binding()).isEqualTo(Binding.ADDRESS);
        assertThat(result.steps()).singleElement().satisfies(step -> {
            assertThat(step.owner()).isEqualTo("bob.recipient.test.");
            assertThat(step.exchanges()).singleElement().satisfies(e -> {
                assertThat(e.transport()).isEqualTo(Transport.UDP);
                assertThat(e.outcome()).isEqualTo("NOERROR");
                assertThat(e.server().getAddress().isLoopbackAddress()).isTrue();
            });
        });
    }

    @Test
    void domainBoundCertificateWhenTheAddressHasNone() {
        DiscoveryResult result = discover("alice@recipient.test");

        assertThat(usable(result)).containsExactly(DOMAIN);
        assertThat(((DiscoveryResult.Found) result).binding()).isEqualTo(Binding.DOMAIN);
        assertThat(result.steps()).extracting(OwnerLookup::owner)
                .containsExactly("alice.recipient.test.", "recipient.test.");
        assertThat(result.steps().get(0)).isInstanceOfSatisfying(OwnerLookup.NonePublished.class,
                none -> assertThat(none.reason()).isEqualTo("NXDOMAIN"));
    }

    @Test
    void certificateOver512BytesComesOverTcpAfterATruncatedUdpAnswer() throws Exception {
        assertThat(CAROL.getEncoded().length).isGreaterThan(1232);

        DiscoveryResult result = discover("carol@recipient.test");

        assertThat(usable(result)).containsExactly(CAROL);
        assertThat(result.steps().get(0).exchanges())
                .extracting(DnsExchange::transport, DnsExchange::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Transport.UDP, "TRUNCATED"),
                        org.assertj.core.groups.Tuple.tuple(Transport.TCP, "NOERROR"));
        assertThat(result.steps().get(0).exchanges().get(1).bytes()).isGreaterThan(1232);
    }

    @Test
    void everyUsableCertificateAtOneNameIsReturnedAndTheExpiredOneFiltered() {
        DiscoveryResult result = discover("multi@recipient.test");

        assertThat(usable(result)).containsExactlyInAnyOrder(MULTI_1, MULTI_2);
        assertThat(((DiscoveryResult.Found) result).unusable()).extracting(DiscoveredCertificate::certificate)
                .containsExactly(MULTI_OLD);
    }

    @Test
    void onlyUnusableAddressCertificateStopsDiscoveryEvenThoughTheDomainHasAUsableOne() {
        DiscoveryResult result = discover("dan@recipient.test");

        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.FoundNoneUsable.class, none -> {
            assertThat(none.binding()).isEqualTo(Binding.ADDRESS);
            assertThat(none.unusable()).extracting(DiscoveredCertificate::certificate).containsExactly(DAN_OLD);
        });
        assertThat(result.steps()).extracting(OwnerLookup::owner).containsExactly("dan.recipient.test.");
    }

    @Test
    void nothingPublishedIsNotFoundWithTheSoaMinimumAsNegativeTtl() {
        DiscoveryResult result = discover("nobody@empty.test");

        assertThat(result).isInstanceOf(DiscoveryResult.NotFound.class);
        assertThat(result.steps()).hasSize(2);
        assertThat(result.steps().get(0)).isInstanceOfSatisfying(OwnerLookup.NonePublished.class, none -> {
            assertThat(none.reason()).isEqualTo("NXDOMAIN");
            assertThat(none.negativeTtlSeconds()).isEqualTo(60);
        });
        assertThat(result.steps().get(1)).isInstanceOfSatisfying(OwnerLookup.NonePublished.class,
                none -> assertThat(none.reason()).isEqualTo("NODATA"));
    }

    @Test
    void dottedLocalPartIsFoundInBothOwnerNameForms() {
        DiscoveryResult naive = discover("john.smith@recipient.test");
        assertThat(usable(naive)).containsExactly(JOHN);
        assertThat(naive.steps()).extracting(OwnerLookup::owner).containsExactly("john.smith.recipient.test.");

        DiscoveryResult escaped = discover("jane.doe@recipient.test");
        assertThat(usable(escaped)).containsExactly(JANE);
        assertThat(escaped.steps()).extracting(OwnerLookup::owner)
                .containsExactly("jane.doe.recipient.test.", "jane\\.doe.recipient.test.");

        // naive-only mode does not see the escaped record and falls back to the domain
        DiscoveryResult naiveOnly = discover(settings(named.address()).withOwnerNames(OwnerNameMode.NAIVE),
                "jane.doe@recipient.test");
        assertThat(usable(naiveOnly)).containsExactly(DOMAIN);
    }

    @Test
    void ipkixRecordIsFetchedFromItsUrl() {
        DiscoveryResult result = discover("dave@recipient.test");

        assertThat(usable(result)).containsExactly(DAVE);
        assertThat(((DiscoveryResult.Found) result).usable().get(0).source())
                .startsWith("IPKIX http://127.0.0.1:").endsWith("/dave.der");
    }

    @Test
    void type253IsAUrlOnlyInCompatibilityMode() {
        DiscoveryResult off = discover("erin@recipient.test");
        assertThat(usable(off)).containsExactly(DOMAIN);
        assertThat(off.steps().get(0)).isInstanceOfSatisfying(OwnerLookup.NonePublished.class,
                none -> assertThat(none.reason()).contains("not used"));

        DiscoveryResult on = discover(settings(named.address()).withType253AsUrl(true), "erin@recipient.test");
        assertThat(usable(on)).containsExactly(ERIN);
    }

    @Test
    void otherCertTypesAreIgnored() {
        assertThat(usable(discover("pgp@recipient.test"))).containsExactly(DOMAIN);
    }

    @Test
    void deadNameserverIsATemporaryFailureWithinTheTimeout() throws Exception {
        InetSocketAddress dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), NamedServer.freePort());
        long start = System.nanoTime();

        DiscoveryResult result = discover(settings(dead).withTimeout(TIMEOUT, 2), "bob@recipient.test");

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(result).isInstanceOf(DiscoveryResult.TemporaryFailure.class);
        assertThat(result.steps()).singleElement().satisfies(s -> assertThat(s.exchanges()).hasSize(2));
        assertThat(took).isLessThan(TIMEOUT.multipliedBy(2).plusSeconds(1));
    }

    @Test
    void silentNameserverTimesOutIntoATemporaryFailure() throws Exception {
        // bound, so no ICMP "port unreachable" comes back: only the timeout ends each exchange
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress server = (InetSocketAddress) silent.getLocalSocketAddress();
            Duration perExchange = Duration.ofMillis(300);
            long start = System.nanoTime();

            DiscoveryResult result = discover(settings(server).withTimeout(perExchange, 2), "bob@recipient.test");

            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(result).isInstanceOfSatisfying(DiscoveryResult.TemporaryFailure.class,
                    failure -> assertThat(failure.reason()).contains("TIMEOUT"));
            assertThat(result.steps().get(0).exchanges()).extracting(DnsExchange::outcome)
                    .containsExactly("TIMEOUT", "TIMEOUT");
            assertThat(took).isBetween(perExchange.multipliedBy(2), perExchange.multipliedBy(2).plusSeconds(1));
        }
    }

    @Test
    void servfailIsATemporaryFailureWithinTheTimeout() {
        long start = System.nanoTime();

        DiscoveryResult result = discover(settings(servfail.address()), "bob@broken.test");

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(result).isInstanceOfSatisfying(DiscoveryResult.TemporaryFailure.class,
                failure -> assertThat(failure.reason()).contains("SERVFAIL"));
        assertThat(took).isLessThan(TIMEOUT.plusSeconds(1));
    }

    @Test
    void nextServerIsAskedWhenTheFirstIsDown() throws Exception {
        InetSocketAddress dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), NamedServer.freePort());

        DiscoveryResult result = discover(settings(dead, named.address()), "bob@recipient.test");

        assertThat(usable(result)).containsExactly(BOB);
        assertThat(result.steps().get(0).exchanges()).extracting(DnsExchange::server)
                .containsExactly(dead, named.address());
    }

    @Test
    void cacheServesAPositiveEntryUntilItsTtlThenQueriesAgain() {
        AtomicInteger queries = new AtomicInteger();
        AtomicLong now = new AtomicLong();
        CertLookup dns = DnsCertLookup.create(settings(named.address()));
        CertLookup counting = owner -> {
            queries.incrementAndGet();
            return dns.lookup(owner);
        };
        CacheSettings bounds = new CacheSettings(100, Duration.ofSeconds(1), Duration.ofHours(1),
                Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofSeconds(2));
        Ticker ticker = now::get;
        CertificateDiscovery discovery = new CertificateDiscovery(new CachedCertLookup(counting, bounds, ticker),
                OwnerNameMode.BOTH);

        assertThat(usable(discovery.discover("ttl@recipient.test", TestCertificates::currentlyValid)))
                .containsExactly(TTL);
        now.addAndGet(Duration.ofSeconds(89).toNanos());
        assertThat(usable(discovery.discover("ttl@recipient.test", TestCertificates::currentlyValid)))
                .containsExactly(TTL);
        assertThat(queries).hasValue(1);

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(usable(discovery.discover("ttl@recipient.test", TestCertificates::currentlyValid)))
                .containsExactly(TTL);
        assertThat(queries).hasValue(2);
        assertThat(discovery.cacheStatistics().hits()).isEqualTo(1);
        assertThat(discovery.cacheStatistics().loads()).isEqualTo(2);
    }
}
