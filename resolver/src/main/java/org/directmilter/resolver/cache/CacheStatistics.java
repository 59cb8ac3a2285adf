package org.directmilter.resolver.cache;

import java.time.Duration;

/** Counters of the discovery cache, for logs and the CLI. A load is one owner-name lookup in DNS. */
public record CacheStatistics(long hits, long misses, long loads, Duration totalLoadTime, long size) {

    public static final CacheStatistics NONE = new CacheStatistics(0, 0, 0, Duration.ZERO, 0);

    public Duration averageLoadTime() {
        return loads == 0 ? Duration.ZERO : totalLoadTime.dividedBy(loads);
    }

    @Override
    public String toString() {
        return "hits=" + hits + " misses=" + misses + " loads=" + loads + " avgLoad="
                + averageLoadTime().toNanos() / 1000 + "us size=" + size;
    }
}
