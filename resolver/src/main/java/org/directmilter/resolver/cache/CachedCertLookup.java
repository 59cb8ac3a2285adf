package org.directmilter.resolver.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import java.time.Duration;
import java.util.Locale;
import org.directmilter.resolver.CertLookup;
import org.directmilter.resolver.DiscoveryListener;
import org.directmilter.resolver.OwnerLookup;

/**
 * The shared discovery cache, keyed by owner name. Positive answers live for their DNS TTL, negative
 * ones for the SOA minimum, both clamped; temporary failures for a few seconds. Concurrent lookups of one
 * owner name share one DNS query.
 */
public final class CachedCertLookup implements CertLookup {

    private final LoadingCache<String, OwnerLookup> cache;

    public CachedCertLookup(CertLookup delegate, CacheSettings settings) {
        this(delegate, settings, DiscoveryListener.NONE);
    }

    /** @param listener told of every hit and miss, as the cache's own statistics count them */
    public CachedCertLookup(CertLookup delegate, CacheSettings settings, DiscoveryListener listener) {
        this(delegate, settings, Ticker.systemTicker(), listener);
    }

    /** With a ticker of the test's choosing, so expiry can be proven without waiting. */
    public CachedCertLookup(CertLookup delegate, CacheSettings settings, Ticker ticker) {
        this(delegate, settings, ticker, DiscoveryListener.NONE);
    }

    CachedCertLookup(CertLookup delegate, CacheSettings settings, Ticker ticker, DiscoveryListener listener) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfter(Expiry.<String, OwnerLookup>writing((owner, answer) -> lifetime(answer, settings)))
                .ticker(ticker)
                .recordStats(() -> new Heard(listener))
                .build(delegate::lookup);
    }

    @Override
    public OwnerLookup lookup(String owner) {
        return cache.get(owner.toLowerCase(Locale.ROOT));
    }

    public CacheStatistics statistics() {
        CacheStats s = cache.stats();
        return new CacheStatistics(s.hitCount(), s.missCount(), s.loadCount(), Duration.ofNanos(s.totalLoadTime()),
                cache.estimatedSize());
    }

    /** The cache's statistics, with hits and misses passed on to the listener as they are counted. */
    private static final class Heard implements StatsCounter {
        private final StatsCounter counts = new ConcurrentStatsCounter();
        private final DiscoveryListener listener;

        Heard(DiscoveryListener listener) {
            this.listener = listener;
        }

        @Override
        public void recordHits(int count) {
            counts.recordHits(count);
            listener.cacheHits(count);
        }

        @Override
        public void recordMisses(int count) {
            counts.recordMisses(count);
            listener.cacheMisses(count);
        }

        @Override
        public void recordLoadSuccess(long loadTime) {
            counts.recordLoadSuccess(loadTime);
        }

        @Override
        public void recordLoadFailure(long loadTime) {
            counts.recordLoadFailure(loadTime);
        }

        @Override
        public void recordEviction(int weight, RemovalCause cause) {
            counts.recordEviction(weight, cause);
        }

        @Override
        public CacheStats snapshot() {
            return counts.snapshot();
        }
    }

    /** How long an answer lives, clamped to the configured bounds. */
    static Duration lifetime(OwnerLookup answer, CacheSettings s) {
        if (answer instanceof OwnerLookup.Published p) {
            return clamp(Duration.ofSeconds(p.ttlSeconds()), s.minTtl(), s.maxTtl());
        }
        if (answer instanceof OwnerLookup.NonePublished n) {
            return n.negativeTtlSeconds() < 0 ? s.negativeMin()
                    : clamp(Duration.ofSeconds(n.negativeTtlSeconds()), s.negativeMin(), s.negativeMax());
        }
        return s.failureTtl();
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }
}
