package org.directmilter.milter.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;

/**
 * The daemon's metrics, in one registry, and the endpoint that serves them in the Prometheus text
 * format. Events are counted as they happen (the static methods below: the policy's audited decisions,
 * end-of-message times, and what discovery and the trust validator report through their listeners);
 * what the daemon holds now (connections, spool bytes, bundles, certificate expiry) is read from its
 * {@link DaemonGauges} at each scrape. Label values are the code's own constants and SMTP codes, never
 * a value from a message, an address, a domain or a URL, so the number of series is bounded; a value
 * outside its known set is counted as {@code other}. Off unless {@code MetricsAddress} is set, and then
 * on loopback only.
 */
public final class Metrics {

    static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

    /** Seconds, from a millisecond (SMTP-level) to a minute and more (a slow partner, a stalled fetch). */
    private static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 30, 60, 120};

    private static final Set<String> DNS_OUTCOMES = Set.of("noerror", "nxdomain", "servfail", "refused", "formerr",
            "notimp", "timeout", "truncated", "error");
    private static final Set<String> FETCH_RESULTS = Set.of("ok", "timeout", "unreachable", "http_error", "too_large",
            "unreadable", "not_allowed", "budget_spent", "busy");

    private static final Counter DECISIONS = Counter.builder().name("direct_milter_decisions_total")
            .help("Audited decisions by event (outgoing, incoming, recipient, sender...), outcome and reply code")
            .labelNames("event", "outcome", "code").register(REGISTRY);

    private static final Histogram END_OF_MESSAGE = Histogram.builder().name("direct_milter_end_of_message_seconds")
            .help("Time the policy took at end of message (protect, or decrypt and verify), by direction")
            .labelNames("direction").classicOnly().classicUpperBounds(SECONDS).register(REGISTRY);

    private static final Counter DISCOVERY_CACHE = Counter.builder()
            .name("direct_milter_discovery_cache_requests_total")
            .help("Owner names asked of the discovery cache: hit (answered from it) or miss (looked up)")
            .labelNames("result").register(REGISTRY);

    private static final Histogram DISCOVERY_LOOKUPS = Histogram.builder()
            .name("direct_milter_discovery_lookup_seconds")
            .help("Owner-name lookups at their source on a cache miss (dns, ldap), by answer: published,"
                    + " none, unavailable")
            .labelNames("source", "result").classicOnly().classicUpperBounds(SECONDS).register(REGISTRY);

    private static final Counter DNS_EXCHANGES = Counter.builder().name("direct_milter_dns_exchanges_total")
            .help("DNS questions sent to a nameserver, by transport and outcome (rcode, timeout, truncated, error)")
            .labelNames("transport", "outcome").register(REGISTRY);

    private static final Counter VALIDATIONS = Counter.builder().name("direct_milter_certificate_validations_total")
            .help("Certificates judged by the trust validator: usable, refused, or temporary (retry later)")
            .labelNames("result").register(REGISTRY);

    private static final Counter REFUSALS = Counter.builder().name("direct_milter_certificate_refusals_total")
            .help("Reasons certificates were judged not usable (one judgement may give several)")
            .labelNames("reason").register(REGISTRY);

    private static final Histogram FETCHES = Histogram.builder().name("direct_milter_trust_fetch_seconds")
            .help("CRL and AIA issuer fetches tried by the trust validator, by kind and result (ok or why not)")
            .labelNames("kind", "result").classicOnly().classicUpperBounds(SECONDS).register(REGISTRY);

    private static volatile DaemonGauges gauges = DaemonGauges.NONE;

    static {
        DISCOVERY_CACHE.initLabelValues("hit");
        DISCOVERY_CACHE.initLabelValues("miss");
        for (String result : new String[] {"usable", "refused", "temporary"}) {
            VALIDATIONS.initLabelValues(result);
        }
        gauge("direct_milter_open_connections", "Milter connections from the MTA open now",
                (g, c) -> c.call(g.openConnections()));
        gauge("direct_milter_spool_bytes", "Message bytes spooled now: in the shared heap budget (memory) or in"
                + " spool files (disk)", (g, c) -> {
                    c.call(g.spoolBytesInMemory(), "memory");
                    c.call(g.spoolBytesOnDisk(), "disk");
                }, "where");
        gauge("direct_milter_certificate_earliest_expiry_timestamp_seconds", "When the first of our own certificates"
                + " (key, from the KeyStore) or of the trust anchors (anchor) expires, Unix time", (g, c) -> {
                    g.earliestKeyExpiry().ifPresent(t -> c.call(t.getEpochSecond(), "key"));
                    g.earliestAnchorExpiry().ifPresent(t -> c.call(t.getEpochSecond(), "anchor"));
                }, "kind");
        gauge("direct_milter_anchors", "Trust anchors in force, from AnchorDir (anchor_dir) or trust bundles (bundle)",
                (g, c) -> {
                    c.call(g.anchorDirAnchors(), "anchor_dir");
                    c.call(g.bundleAnchors(), "bundle");
                }, "source");
        gauge("direct_milter_trust_bundle_fetched_timestamp_seconds", "When the copy in force of each trust bundle"
                + " was fetched or last confirmed unchanged, Unix time (absent: no copy in force)",
                (g, c) -> g.bundles().forEach(b -> b.fetched().ifPresent(t -> c.call(t.getEpochSecond(), b.name()))),
                "bundle");
        gauge("direct_milter_trust_bundle_stale", "1 when a trust bundle has no copy in force or the one in force is"
                + " older than BundleStaleAfter", (g, c) -> g.bundles().forEach(b -> c.call(b.stale() ? 1 : 0, b.name())),
                "bundle");
    }

    private Metrics() {
    }

    /** Reads what the daemon holds from {@code source} at each scrape, from now on. */
    public static void observe(DaemonGauges source) {
        gauges = source;
    }

    /**
     * Counts one audited decision; {@code reply} is the audit line's reply field ("550 5.7.1 …",
     * "accept", "continue", null when nothing was answered).
     */
    public static void decision(String event, String outcome, String reply) {
        DECISIONS.labelValues(event, outcome, code(reply)).inc();
    }

    /** The policy's end-of-message work for one message of {@code direction} (outgoing, incoming, pass). */
    public static void endOfMessage(String direction, Duration took) {
        END_OF_MESSAGE.labelValues(direction).observe(seconds(took));
    }

    /** {@code count} owner names answered from the discovery cache ({@code hit}) or looked up. */
    public static void discoveryCache(boolean hit, int count) {
        DISCOVERY_CACHE.labelValues(hit ? "hit" : "miss").inc(count);
    }

    /** One owner name looked up at {@code source} (dns, ldap), answered {@code result} (published, none, unavailable). */
    public static void discoveryLookup(String source, String result, Duration took) {
        DISCOVERY_LOOKUPS.labelValues(source, result).observe(seconds(took));
    }

    /** One DNS question: {@code outcome} is the rcode's name, TIMEOUT, TRUNCATED, or ERROR: reason. */
    public static void dnsExchange(String transport, String outcome) {
        String o = outcome.toLowerCase(Locale.ROOT);
        DNS_EXCHANGES.labelValues(transport.toLowerCase(Locale.ROOT),
                o.startsWith("error") ? "error" : DNS_OUTCOMES.contains(o) ? o : "other").inc();
    }

    /**
     * One certificate judged: {@code result} is usable, refused or temporary; {@code reasons} the kinds
     * of its problems, each counted once.
     */
    public static void certificateJudged(String result, Collection<String> reasons) {
        VALIDATIONS.labelValues(result).inc();
        reasons.stream().distinct().forEach(r -> REFUSALS.labelValues(r.toLowerCase(Locale.ROOT)).inc());
    }

    /** One CRL or AIA fetch ({@code kind}) tried: {@code result} is ok or why it failed. */
    public static void fetch(String kind, String result, Duration took) {
        FETCHES.labelValues(kind.toLowerCase(Locale.ROOT), FETCH_RESULTS.contains(result) ? result : "other")
                .observe(seconds(took));
    }

    /** The SMTP code of a reply, or its one-word form: a label with few values. */
    static String code(String reply) {
        if (reply == null || reply.isEmpty()) {
            return "none";
        }
        if (reply.length() >= 3 && reply.substring(0, 3).chars().allMatch(Character::isDigit)) {
            return reply.substring(0, 3);
        }
        return switch (reply) {
            case "accept", "continue", "quarantine", "discard", "4xx", "5xx" -> reply;
            default -> "other";
        };
    }

    /** Serves {@code /metrics} on {@code address} until closed. */
    public static HTTPServer serve(InetSocketAddress address) throws IOException {
        return HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort()).registry(REGISTRY)
                .buildAndStart();
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** A gauge read from the current {@link DaemonGauges} at each scrape. */
    private static void gauge(String name, String help, Sample sample, String... labels) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(labels)
                .callback(c -> sample.read(gauges, c)).register(REGISTRY);
    }

    @FunctionalInterface
    private interface Sample {
        void read(DaemonGauges gauges, GaugeWithCallback.Callback callback);
    }
}
