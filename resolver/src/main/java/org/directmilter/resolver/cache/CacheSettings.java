package org.directmilter.resolver.cache;

import java.time.Duration;

/**
 * Bounds of the discovery cache.
 *
 * @param maxEntries  owner names kept at most
 * @param minTtl      positive answers live at least this long …
 * @param maxTtl      … and at most this long, whatever their DNS TTL
 * @param negativeMin NXDOMAIN/NODATA answers live for the SOA minimum, at least this long (and exactly
 *                    this long when the answer carried no SOA) …
 * @param negativeMax … and at most this long
 * @param failureTtl  how long a temporary failure is remembered: briefly, so an outage is not hammered
 */
public record CacheSettings(long maxEntries, Duration minTtl, Duration maxTtl, Duration negativeMin,
                            Duration negativeMax, Duration failureTtl) {

    public static final CacheSettings DEFAULTS = new CacheSettings(10_000, Duration.ofSeconds(60),
            Duration.ofHours(24), Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofSeconds(5));

    public CacheSettings {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must not be negative");
        }
        if (minTtl.compareTo(maxTtl) > 0 || negativeMin.compareTo(negativeMax) > 0) {
            throw new IllegalArgumentException("a minimum TTL is above its maximum");
        }
        if (minTtl.isNegative() || negativeMin.isNegative() || failureTtl.isNegative()) {
            throw new IllegalArgumentException("TTL bounds must not be negative");
        }
    }
}
