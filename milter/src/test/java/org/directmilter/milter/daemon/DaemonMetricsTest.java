package org.directmilter.milter.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.directmilter.crypto.testpki.TestPki;
import org.directmilter.crypto.trust.Problem;
import org.directmilter.crypto.trust.TrustListener;
import org.directmilter.crypto.trust.ValidationResult;
import org.directmilter.milter.testkit.Poll;
import org.directmilter.milter.testkit.Ports;
import org.directmilter.resolver.DiscoveryListener;
import org.directmilter.resolver.DnsExchange;
import org.directmilter.resolver.OwnerLookup;
import org.directmilter.resolver.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's side of the metrics: what discovery and the trust validator report becomes counts, and
 * a running daemon's connections, key and anchor expiry are what its endpoint shows.
 */
class DaemonMetricsTest {

    @TempDir
    Path dir;

    @Test
    void discoveryAndTrustEventsAreCountedByKindOnly() throws Exception {
        var endpoint = org.directmilter.milter.metrics.Metrics.serve(new InetSocketAddress("127.0.0.1", 0));
        try {
            String before = scrape(endpoint.getPort());
            InetSocketAddress ns = new InetSocketAddress("127.0.0.1", 5353);
            MetricsListener.INSTANCE.lookedUp(DiscoveryListener.Source.DNS, new OwnerLookup.Unavailable(
                    "bob.partner.example.", "all servers failed", List.of(
                            new DnsExchange(ns, Transport.UDP, "TIMEOUT", 0, 0, Duration.ofSeconds(2)),
                            new DnsExchange(ns, Transport.UDP, "ERROR: PortUnreachableException", 0, 0, Duration.ZERO))),
                    Duration.ofSeconds(2));
            MetricsListener.INSTANCE.cacheHits(2);
            X509Certificate cert = TestPki.create("metrics CA").rsaEntity("bob@partner.example", 2048).certificate();
            MetricsListener.INSTANCE.judged(new ValidationResult(cert, List.of(cert), Optional.empty(),
                    List.of(new Problem(Problem.Kind.REVOKED, "revoked")), List.of()));
            MetricsListener.INSTANCE.fetched(TrustListener.Fetch.CRL, Optional.of("timeout"), Duration.ofSeconds(1));

            String after = scrape(endpoint.getPort());
            for (String series : List.of(
                    "direct_milter_discovery_lookup_seconds_count{result=\"unavailable\",source=\"dns\"}",
                    "direct_milter_dns_exchanges_total{outcome=\"timeout\",transport=\"udp\"}",
                    "direct_milter_dns_exchanges_total{outcome=\"error\",transport=\"udp\"}",
                    "direct_milter_certificate_validations_total{result=\"refused\"}",
                    "direct_milter_certificate_refusals_total{reason=\"revoked\"}",
                    "direct_milter_trust_fetch_seconds_count{kind=\"crl\",result=\"timeout\"}")) {
                assertThat(value(after, series) - value(before, series)).as(series).isEqualTo(1.0);
            }
            String hits = "direct_milter_discovery_cache_requests_total{result=\"hit\"}";
            assertThat(value(after, hits) - value(before, hits)).isEqualTo(2.0);
            assertThat(after).doesNotContain("partner.example", "5353", "PortUnreachable");
        } finally {
            endpoint.close();
        }
    }

    @Test
    void aRunningDaemonShowsItsConnectionsAndWhenItsKeysAndAnchorsExpire() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        TestPki pki = TestPki.create("gauge CA");
        Path keys = Files.createDirectories(dir.resolve("keys"));
        TestPki.writePkcs12(keys.resolve("a.example.p12"), pki.entity("a.example", TestPki.rsa(2048),
                b -> b.validity(now.minus(Duration.ofDays(300)), now.plus(Duration.ofDays(10)))), "pw");
        Files.setPosixFilePermissions(Files.writeString(keys.resolve("a.example.pass"), "pw\n"),
                PosixFilePermissions.fromString("rw-------"));
        Path incoming = Files.createDirectories(dir.resolve("anchors/all-domains/incoming"));
        TestPki.Issued partner = TestPki.cert("Partner CA", TestPki.rsa(2048)).ca()
                .validity(now.minus(Duration.ofDays(10)), now.plus(Duration.ofDays(40))).build();
        TestPki.writePem(incoming.resolve("partner.pem"), partner.cert());
        Path config = Files.writeString(dir.resolve("direct-milter.conf"), "Socket inet:0@127.0.0.1\nTemporaryDirectory "
                + dir + "\nKeyStore " + keys + "\nAnchorDir " + dir.resolve("anchors") + "\nDomains a.example\n"
                + "MetricsAddress 127.0.0.1:" + Ports.free() + "\nTrackingDatabase " + dir.resolve("tracking.db") + "\n");
        DaemonRunner runner = DaemonRunner.bind(config);
        try {
            runner.start();
            int port = runner.metricsPort();
            String text = scrape(port);
            assertThat(value(text, "direct_milter_certificate_earliest_expiry_timestamp_seconds{kind=\"key\"}"))
                    .isEqualTo((double) now.plus(Duration.ofDays(10)).getEpochSecond());
            assertThat(value(text, "direct_milter_certificate_earliest_expiry_timestamp_seconds{kind=\"anchor\"}"))
                    .isEqualTo((double) now.plus(Duration.ofDays(40)).getEpochSecond());
            assertThat(value(text, "direct_milter_anchors{source=\"anchor_dir\"}")).isEqualTo(1.0);
            assertThat(value(text, "direct_milter_open_connections")).isZero();
            assertThat(text).contains("direct_milter_spool_bytes{where=\"memory\"} 0", "direct_milter_spool_bytes{where=\"disk\"} 0");

            try (Socket mta = new Socket("127.0.0.1", runner.port())) {
                Poll.until("the connection to be counted",
                        () -> value(scrape(port), "direct_milter_open_connections") == 1.0);
            }
            Poll.until("the closed connection to be gone",
                    () -> value(scrape(port), "direct_milter_open_connections") == 0.0);
        } finally {
            runner.stop(Duration.ofSeconds(5));
        }
    }

    static String scrape(int port) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The value of the sample written exactly as {@code series}, 0 when there is none. */
    static double value(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }
}
