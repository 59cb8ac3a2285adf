package org.directmilter.milter.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.directmilter.milter.config.RepositoryFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metrics' names and labels, and the gauges read from what the daemon holds. */
class MetricsTest {

    @AfterEach
    void forget() {
        Metrics.observe(DaemonGauges.NONE);
    }

    @Test
    void namesFollowThePrometheusConventions() {
        Metrics.decision("sender", "no-sender-key", "550 5.7.1 Direct: no key");
        Metrics.discoveryLookup("dns", "published", Duration.ofMillis(2));
        Metrics.endOfMessage("outgoing", Duration.ofMillis(20));
        for (MetricSnapshot m : Metrics.REGISTRY.scrape()) {
            String name = m.getMetadata().getPrometheusName();
            assertThat(name).as("prefix").startsWith("direct_milter_");
            if (m instanceof HistogramSnapshot) {
                assertThat(name).as("histograms are in seconds").endsWith("_seconds");
            }
            if (m instanceof GaugeSnapshot) {
                assertThat(name).as("gauges are no counters").doesNotEndWith("_total");
            }
            assertThat(m instanceof CounterSnapshot || m instanceof GaugeSnapshot || m instanceof HistogramSnapshot)
                    .as(name).isTrue();
        }
        assertThat(text()).contains("# TYPE direct_milter_decisions_total counter",
                "# TYPE direct_milter_end_of_message_seconds histogram",
                "# TYPE direct_milter_discovery_lookup_seconds histogram",
                "# TYPE direct_milter_open_connections gauge");
    }

    /** Every metric has its row in the table of docs/milter-daemon.md, and the table names no other. */
    @Test
    void everyMetricIsDocumented() throws IOException {
        String doc = Files.readString(RepositoryFiles.find("docs/milter-daemon.md"));
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(direct_milter_[a-z_]+)` \\|").matcher(doc);
        while (row.find()) {
            documented.add(row.group(1));
        }
        Set<String> registered = new TreeSet<>();
        for (MetricSnapshot m : Metrics.REGISTRY.scrape()) {
            String name = m.getMetadata().getPrometheusName();
            registered.add(m instanceof CounterSnapshot ? name + "_total" : name);
        }
        assertThat(documented).isEqualTo(registered);
    }

    @Test
    void labelValuesOutsideTheirKnownSetAreCountedAsOther() {
        Metrics.dnsExchange("UDP", "ERROR: PortUnreachableException ICMP from 127.0.0.1");
        Metrics.dnsExchange("TCP", "RESERVED4000");
        Metrics.dnsExchange("UDP", "SERVFAIL");
        Metrics.fetch("CRL", "something new", Duration.ofMillis(3));

        assertThat(text()).contains("direct_milter_dns_exchanges_total{outcome=\"error\",transport=\"udp\"}",
                        "direct_milter_dns_exchanges_total{outcome=\"other\",transport=\"tcp\"}",
                        "direct_milter_dns_exchanges_total{outcome=\"servfail\",transport=\"udp\"}",
                        "direct_milter_trust_fetch_seconds_count{kind=\"crl\",result=\"other\"}")
                .doesNotContain("PortUnreachable", "something new", "RESERVED4000");
        assertThat(Metrics.code("421 4.3.2 shutting down")).isEqualTo("421");
        assertThat(Metrics.code("whatever a handler said")).isEqualTo("other");
        assertThat(Metrics.code(null)).isEqualTo("none");
    }

    @Test
    void aJudgementCountsItsResultAndEachReasonOnce() {
        double before = value("direct_milter_certificate_refusals_total{reason=\"no_trusted_path\"}");
        double refusedBefore = value("direct_milter_certificate_validations_total{result=\"refused\"}");

        Metrics.certificateJudged("refused", List.of("NO_TRUSTED_PATH", "EXPIRED", "NO_TRUSTED_PATH"));

        assertThat(value("direct_milter_certificate_refusals_total{reason=\"no_trusted_path\"}") - before)
                .isEqualTo(1.0);
        assertThat(value("direct_milter_certificate_validations_total{result=\"refused\"}") - refusedBefore)
                .isEqualTo(1.0);
    }

    @Test
    void gaugesAreReadFromWhatTheDaemonHoldsAtEachScrape() {
        Instant keyExpiry = Instant.parse("2027-03-01T12:00:00Z");
        Metrics.observe(new DaemonGauges() {
            @Override
            public int openConnections() {
                return 3;
            }

            @Override
            public long spoolBytesOnDisk() {
                return 4096;
            }

            @Override
            public Optional<Instant> earliestKeyExpiry() {
                return Optional.of(keyExpiry);
            }

            @Override
            public List<Bundle> bundles() {
                return List.of(new Bundle("directtrust", Optional.of(Instant.ofEpochSecond(1_700_000_000)), false),
                        new Bundle("never-fetched", Optional.empty(), true));
            }
        });

        assertThat(value("direct_milter_open_connections")).isEqualTo(3.0);
        assertThat(value("direct_milter_spool_bytes{where=\"disk\"}")).isEqualTo(4096.0);
        assertThat(value("direct_milter_spool_bytes{where=\"memory\"}")).isEqualTo(0.0);
        assertThat(value("direct_milter_certificate_earliest_expiry_timestamp_seconds{kind=\"key\"}"))
                .isEqualTo((double) keyExpiry.getEpochSecond());
        assertThat(value("direct_milter_trust_bundle_fetched_timestamp_seconds{bundle=\"directtrust\"}"))
                .isEqualTo(1.7e9);
        assertThat(value("direct_milter_trust_bundle_stale{bundle=\"never-fetched\"}")).isEqualTo(1.0);
        assertThat(text()).as("no anchors: no expiry to show, and no fetch time for a bundle never had")
                .doesNotContain("kind=\"anchor\"", "direct_milter_trust_bundle_fetched_timestamp_seconds{bundle=\"never");
    }

    @Test
    void theEndOfMessageHistogramCountsEachMessageByDirection() {
        double before = value("direct_milter_end_of_message_seconds_count{direction=\"incoming\"}");

        Metrics.endOfMessage("incoming", Duration.ofMillis(40));
        Metrics.endOfMessage("incoming", Duration.ofSeconds(90));

        assertThat(value("direct_milter_end_of_message_seconds_count{direction=\"incoming\"}") - before).isEqualTo(2.0);
        assertThat(text()).contains("direct_milter_end_of_message_seconds_bucket{direction=\"incoming\",le=\"120.0\"}");
    }

    static String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, Metrics.REGISTRY.scrape());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of the sample written exactly as {@code series}, 0 when there is none. */
    static double value(String series) {
        return text().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }
}
