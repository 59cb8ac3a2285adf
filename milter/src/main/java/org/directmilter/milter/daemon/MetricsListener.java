package org.directmilter.milter.daemon;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.directmilter.crypto.trust.Problem;
import org.directmilter.crypto.trust.TrustListener;
import org.directmilter.crypto.trust.ValidationResult;
import org.directmilter.milter.metrics.Metrics;
import org.directmilter.resolver.DiscoveryListener;
import org.directmilter.resolver.DnsExchange;
import org.directmilter.resolver.OwnerLookup;

/**
 * What discovery and the trust validator report, counted in {@link Metrics}: the one place their events
 * become metrics, so neither the resolver nor crypto knows of them. Only kinds go on: the owner names,
 * servers, URLs and certificates in the events stay here.
 */
final class MetricsListener implements DiscoveryListener, TrustListener {

    static final MetricsListener INSTANCE = new MetricsListener();

    private MetricsListener() {
    }

    @Override
    public void cacheHits(int count) {
        Metrics.discoveryCache(true, count);
    }

    @Override
    public void cacheMisses(int count) {
        Metrics.discoveryCache(false, count);
    }

    @Override
    public void lookedUp(Source source, OwnerLookup answer, Duration took) {
        String result = answer instanceof OwnerLookup.Published ? "published"
                : answer instanceof OwnerLookup.NonePublished ? "none" : "unavailable";
        Metrics.discoveryLookup(source.name().toLowerCase(Locale.ROOT), result, took);
        for (DnsExchange exchange : answer.exchanges()) {
            Metrics.dnsExchange(exchange.transport().name(), exchange.outcome());
        }
    }

    @Override
    public void judged(ValidationResult result) {
        String outcome = result.usable() ? "usable" : result.temporary() ? "temporary" : "refused";
        Metrics.certificateJudged(outcome, result.problems().stream().map(Problem::kind).map(Enum::name).toList());
    }

    @Override
    public void fetched(Fetch what, Optional<String> failure, Duration took) {
        Metrics.fetch(what.name(), failure.orElse("ok"), took);
    }
}
