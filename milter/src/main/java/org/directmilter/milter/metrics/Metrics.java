package org.directmilter.milter.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The daemon's counters, in one registry, and the endpoint that serves them in the Prometheus text
 * format. Every decision the policy audits is counted here by its event, outcome and reply code: label
 * values are the code's own constants and SMTP codes, never a value from a message, so the number of
 * series is bounded. Off unless {@code MetricsAddress} is set, and then on loopback only.
 */
public final class Metrics {

    static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

    private static final Counter DECISIONS = Counter.builder().name("direct_milter_decisions_total")
            .help("Audited decisions by event (outgoing, incoming, recipient, sender...), outcome and reply code")
            .labelNames("event", "outcome", "code").register(REGISTRY);

    private Metrics() {
    }

    /**
     * Counts one audited decision; {@code reply} is the audit line's reply field ("550 5.7.1 …",
     * "accept", "continue", null when nothing was answered).
     */
    public static void decision(String event, String outcome, String reply) {
        DECISIONS.labelValues(event, outcome, code(reply)).inc();
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
}
